"""What a run did, or in a dry run would do: the answer to every HTTP request and CLI command."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from fleetsync.core.done import ChangeDone, ProjectDone, describe
from fleetsync.core.planning import CREATE, DELETE, UPDATE, Plan
from fleetsync.core.verdicts import Desired


@dataclass(frozen=True)
class Report:
    """What a run did (or, in a dry run, would do). Immutable: a run builds new ones."""

    dry_run: bool = False
    changes: tuple[ChangeDone, ...] = ()
    unchanged: int = 0
    conflicts: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    deletes_withheld: tuple[str, ...] = ()
    unreachable: tuple[str, ...] = ()
    scopes_kept: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    retryable: bool = False
    refused: str = ""
    paced_seconds: float = 0.0  # writes waited this long for the gateway budget
    left: tuple[str, ...] = ()  # not started before the resync's deadline: the next run's
    # Left behind by a configuration change (a fleet or target removed): kept, for an operator.
    orphaned: tuple[str, ...] = ()
    stuck: tuple[str, ...] = ()  # ours, to be deleted, but still named: kept, answered 409
    # Tenancy (the multi form only, and only then in the JSON): AppProject changes.
    app_projects: tuple[ProjectDone, ...] = ()
    unchanged_projects: int = 0
    tenancy: bool = False
    # The multi form: each target's own report (their sum is this one).
    targets: tuple[tuple[str, Report], ...] = ()

    def names(self, action: str) -> list[str]:
        return sorted(c.secret for c in self.changes if c.action == action)

    def plus(self, other: Report) -> Report:
        """Both runs' outcomes, as one report (a cluster event converges several)."""
        return replace(
            self,
            changes=self.changes + other.changes,
            unchanged=self.unchanged + other.unchanged,
            conflicts=self.conflicts + other.conflicts,
            held=self.held + other.held,
            deletes_withheld=self.deletes_withheld + other.deletes_withheld,
            unreachable=self.unreachable + other.unreachable,
            scopes_kept=self.scopes_kept + other.scopes_kept,
            warnings=self.warnings + other.warnings,
            errors=self.errors + other.errors,
            retryable=self.retryable or other.retryable,
            refused=self.refused or other.refused,
            paced_seconds=round(self.paced_seconds + other.paced_seconds, 3),
            left=self.left + other.left,
            orphaned=self.orphaned + other.orphaned,
            stuck=self.stuck + other.stuck,
            app_projects=self.app_projects + other.app_projects,
            unchanged_projects=self.unchanged_projects + other.unchanged_projects,
            tenancy=self.tenancy or other.tenancy,
            targets=self.targets + other.targets,
        )

    def for_target(self, name: str) -> Report:
        """This report with every change marked as the target's."""
        return replace(
            self,
            changes=tuple(replace(c, target=name) for c in self.changes),
            app_projects=tuple(replace(p, target=name) for p in self.app_projects),
        )

    def in_fleet(self, number: str) -> Report:
        """This report with every Secret change marked as the fleet's."""
        return replace(self, changes=tuple(replace(c, fleet=number) for c in self.changes))

    @property
    def pending(self) -> bool:
        """Something to do, done or not: changes, conflicts, withheld deletes, or objects
        stuck or orphaned (an operator's to settle)."""
        waiting = self.conflicts or self.deletes_withheld or self.stuck or self.orphaned
        return bool(self.changes or self.app_projects or waiting)

    @property
    def complete(self) -> bool:
        """Nothing left to converge: no error, refusal, unreachable location, withheld
        delete, stuck object, work left or pending retry, for Secrets and AppProjects."""
        failed = self.errors or self.refused or self.unreachable or self.deletes_withheld
        return not (failed or self.stuck or self.left or self.retryable)

    def run_summary(self) -> dict[str, Any]:
        """The fields of a whole run's summary line: counts, and which targets fell short."""
        return {
            "complete": self.complete,
            "dry_run": self.dry_run,
            "changes": len(self.changes) + len(self.app_projects),
            "errors": len(self.errors),
            "left": len(self.left),
            "incomplete_targets": sorted(n for n, r in self.targets if not r.complete),
        }

    def to_json(self) -> dict[str, Any]:
        body = self._secrets_json()
        if self.tenancy:
            body["app_projects"] = [p.to_json() for p in self.app_projects]
            body["unchanged_app_projects"] = self.unchanged_projects
        if self.targets:
            body["targets"] = {name: report.summary() for name, report in self.targets}
            body["failed_targets"] = sorted(n for n, r in self.targets if r.errors)
        return body

    def listed(self, names: Callable[[Report], Iterable[str]]) -> list[str]:
        """Sorted names; in the multi form each says its target, `prod/m1.us-central1.1`
        (a Kubernetes name has no `/`), since two targets may hold the same name."""
        if not self.targets:
            return sorted(names(self))
        return sorted(f"{label}/{name}" for label, report in self.targets for name in names(report))

    def _secrets_json(self) -> dict[str, Any]:
        return {
            "created": self.listed(lambda r: r.names(CREATE)),
            "updated": self.listed(lambda r: r.names(UPDATE)),
            "deleted": self.listed(lambda r: r.names(DELETE)),
            "unchanged": self.unchanged,
            "conflicts": self.listed(lambda r: r.conflicts),
            "errors": list(self.errors),
            "dry_run": self.dry_run,
            "held": self.listed(lambda r: r.held),
            "deletes_withheld": self.listed(lambda r: r.deletes_withheld),
            "unreachable": self.listed(lambda r: r.unreachable),
            "scopes_kept": self.listed(lambda r: r.scopes_kept),
            "refused": self.refused,
            "paced_seconds": self.paced_seconds,
            "left": self.listed(lambda r: r.left),
            "orphaned": sorted(set(self.listed(lambda r: r.orphaned))),  # each lane sees them
            "stuck": self.listed(lambda r: r.stuck),
            "warnings": list(self.warnings),
            "changes": [change.to_json() for change in self.changes],
        }

    @classmethod
    def from_plan(
        cls, plan: Plan, desired: Desired, project_number: str, *, dry_run: bool
    ) -> Report:
        """The report of a plan; incomplete when scope labels could not be derived."""
        return cls(
            dry_run=dry_run,
            changes=tuple(describe(c, project_number) for c in plan.changes),
            unchanged=len(plan.unchanged),
            conflicts=plan.conflicts,
            held=plan.held,
            deletes_withheld=plan.deletes_withheld,
            scopes_kept=desired.scopes_kept,
            warnings=(
                *desired.warnings,
                *(
                    f"{name}: no Secret while its membership settles; retried"
                    for name in desired.unsettled
                ),
                *(
                    f"{name}: project left as it is, the AppProjects could not be read; retried"
                    for name in desired.projects_kept
                ),
            ),
            # Retried so scope labels are derived once the bindings can be read, so a
            # membership settling without an audit entry of ours is seen once it has, and so
            # a project follows its AppProjects once they can be read.
            retryable=bool(desired.scopes_kept or desired.unsettled or desired.projects_kept),
        )

    def summary(self) -> dict[str, Any]:
        """The report without its per-Secret detail, for the one log line of a run."""
        body = self.to_json()
        body.pop("changes")
        body.pop("warnings")
        if self.tenancy:
            body["app_projects"] = [f"{p.action} {p.name}" for p in self.app_projects]
        return body
