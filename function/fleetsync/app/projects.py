"""Sequence reads and writes of one target's AppProjects; `core.tenancy` decides.

The same order as `reconcile` keeps for Secrets, and for the same reasons (several
instances, events in any order): read the AppProjects first, then every fleet's scopes,
namespaces, memberships and bindings; write conditionally on the resourceVersion read; then
go round again, so the last round reads GKE Hub after the last write and finds nothing to
do. A conflict means someone wrote in between: the next round reads again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from fleetsync.app.ports import ProjectStore, ScopeReader
from fleetsync.app.scopeviews import affected_scopes, scopes_only, whole_fleet
from fleetsync.config.settings import Settings
from fleetsync.core.carryover import carry_over
from fleetsync.core.done import ProjectDone
from fleetsync.core.errors import ConflictError, RetryableError
from fleetsync.core.events import AuditEvent
from fleetsync.core.limits import too_big
from fleetsync.core.planning import CREATE, DELETE
from fleetsync.core.report import Report
from fleetsync.core.tenancy import (
    ProjectChange,
    TenancyRules,
    desired_projects,
    plan_projects,
)

logger = logging.getLogger(__name__)
MAX_ROUNDS = 4


@dataclass
class ProjectReconciler:
    """One target's AppProjects, from every fleet's scopes."""

    settings: Settings  # the target's lane view: its name, tenancy, selector, guard
    fleets: Mapping[str, ScopeReader]  # by project number
    store: ProjectStore
    # The AppProjects the target's Secrets name in `project`, read before a delete: nothing
    # is deleted that a remaining object still names. None: not read (no Secrets to ask).
    named: Callable[[], set[str]] | None = None

    @property
    def rules(self) -> TenancyRules:
        tenancy = self.settings.tenancy
        return TenancyRules(
            self.settings.target_name,
            tenancy.prefix,
            tenancy.source_repos,
            tenancy.cluster_resources,
            self.settings.membership_selector,
            self.settings.connect_gateway_endpoint,
        )

    def our_projects(self) -> list[str]:
        """The names of this target's AppProjects that are ours (for `cluster_project`).

        Listed anew on every call, that is in every round of a Secret's convergence, after
        the Secret was read: a list kept from this run's AppProjects would let an instance
        roll back the `project` another instance set for an AppProject created meanwhile.
        """
        projects = self.store.list_projects().values()
        return [p.name for p in projects if p.owned_by(self.settings.owners)]

    def reconcile(
        self, *, dry_run: bool = False, force: bool = False, event: AuditEvent | None = None
    ) -> Report:
        """Every AppProject of the target; for an audit entry, those it can change."""
        done: list[ProjectDone] = []
        for _ in range(MAX_ROUNDS):
            existing = self.store.list_projects()
            scopes = None
            if event is not None:
                scopes = affected_scopes(event, existing, self.fleets, self.settings.owners)
            if scopes is None:
                views = [whole_fleet(n, reader) for n, reader in self.fleets.items()]
            else:
                views = [scopes_only(n, reader, scopes) for n, reader in self.fleets.items()]
            partial = [v.project_number for v in views if not v.complete]
            # A partly read fleet would revoke what it did not see: it keeps what it gave.
            complete = desired_projects([v for v in views if v.complete], self.rules)
            if scopes is not None:  # only these were read: every other AppProject stays
                names = {self.settings.tenancy.prefix + scope for scope in scopes}
                owners = self.settings.owners
                same = {n: p for n, p in existing.items() if n not in names and p.owned_by(owners)}
                complete = {**same, **{n: p for n, p in complete.items() if n in names}}
            desired = carry_over(complete, existing, partial, self.settings.owners)
            # Made from a fleet no longer configured, and wanted by none that is: what the
            # configuration change left behind stays, reported, for an operator to remove.
            orphaned = sorted(
                name
                for name, p in existing.items()
                if name not in desired
                and p.owned_by(self.settings.owners)
                and not p.fleets <= set(self.fleets)
            )
            kept = {n: p for n, p in existing.items() if n not in orphaned}
            plan = plan_projects(
                desired,
                kept,
                self.settings.owners,
                max_fraction=self.settings.max_delete_fraction,
                force=force,
            )
            for name in plan.conflicts:
                logger.warning("AppProject %s exists and is not ours; left untouched", name)
            stuck = self._still_named(plan.changes)
            changes = [c for c in plan.changes if c.project.name not in stuck]
            oversized = {c.project.name: too_big(c.project) for c in changes if c.action != DELETE}
            oversized = {name: why for name, why in oversized.items() if why}
            for why in oversized.values():
                logger.error(why)
            changes = [c for c in changes if c.project.name not in oversized]
            written = {d.name for d in done}  # unchanged since this run wrote them
            report = Report(
                dry_run=dry_run,
                unchanged_projects=len(set(plan.unchanged) - written),
                conflicts=tuple(f"AppProject {name}" for name in plan.conflicts),
                deletes_withheld=tuple(f"AppProject {n}" for n in plan.deletes_withheld),
                refused=plan.refused,
                errors=tuple(oversized.values()),
                orphaned=tuple(f"AppProject {name}" for name in orphaned),
                stuck=tuple(f"AppProject {n}: a Secret still names it" for n in sorted(stuck)),
            )
            if partial:
                seen_in_part = (
                    f"AppProjects: fleet {', '.join(partial)} could not be read completely; "
                    "its clusters' destinations are kept as they are; retried",
                )
                report = replace(report, warnings=seen_in_part, retryable=True)
            if dry_run or not changes:
                planned = tuple(_done(c) for c in changes)
                return replace(report, app_projects=(*done, *planned))
            for change in self._confirmed(changes):
                try:
                    self._write(change)
                except ConflictError:
                    continue  # the next round reads it again
                done.append(_done(change))
        raise RetryableError("AppProjects kept changing while they were synced")

    def _still_named(self, changes: Sequence[ProjectChange]) -> set[str]:
        """The AppProjects these changes would delete that a Secret names in `project`."""
        going = {c.project.name for c in changes if c.action == DELETE}
        return going & self.named() if going and self.named is not None else set()

    def _confirmed(self, changes: Sequence[ProjectChange]) -> list[ProjectChange]:
        """The changes, less deletes of an AppProject that a scope now asks for.

        Fleets are read one after another, never at once: a scope moving from one fleet to
        another can be missed by both reads. Right before deleting, read every fleet's
        scopes again (as a Secret's membership is read again before its delete); a delete
        whose name a scope asks for again, or that cannot be confirmed, waits for the next
        round. (By name: after a change of prefix, `team-pay` goes although `pay` lives.)
        """
        if all(c.action != DELETE for c in changes):
            return list(changes)
        wanted: set[str] = set()
        for reader in self.fleets.values():
            scopes = reader.list_scopes()
            if scopes is None:
                return [c for c in changes if c.action != DELETE]
            wanted.update(self.settings.tenancy.prefix + scope for scope in scopes)
        return [c for c in changes if c.action != DELETE or c.project.name not in wanted]

    def _write(self, change: ProjectChange) -> None:
        if change.action == CREATE:
            self.store.create(change.project)
        elif change.action == DELETE:
            self.store.delete(change.project)
        else:
            self.store.update(change.project, change.stale_labels)
        logger.info(
            "%s AppProject %s",
            change.action,
            change.project.name,
            extra={
                "json_fields": {
                    "action": change.action,
                    "app_project": change.project.name,
                    "scope": change.scope,
                    "target": self.settings.target_name,
                }
            },
        )


def _done(change: ProjectChange) -> ProjectDone:
    return ProjectDone(
        change.action,
        change.project.name,
        change.scope,
        len(change.project.spec.get("destinations") or ()),
    )
