"""Read -> plan -> apply. The only module that calls both the fleet and the Argo CD adapters.

Events and single-membership requests read that one membership (and its Secret) afresh;
a resync lists everything once. Either way the decision is `planning.plan_changes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Protocol

from fleetsync.errors import ConflictError, PermanentError, RetryableError
from fleetsync.events import CLUSTER, AuditEvent
from fleetsync.fleet import FleetListing
from fleetsync.model import (
    CLUSTER_ANNOTATION,
    READY,
    TRANSITIONAL_STATES,
    ClusterSecret,
    Membership,
    MembershipRef,
)
from fleetsync.naming import cluster_ref, parse_secret_name, secret_name
from fleetsync.planning import (
    CREATE,
    DELETE,
    Change,
    Plan,
    exceeds_delete_guard,
    is_ours,
    plan_changes,
)
from fleetsync.rendering import SecretTarget, render_secret
from fleetsync.report import Report, membership_of
from fleetsync.settings import Settings

logger = logging.getLogger(__name__)
CONFLICT_ATTEMPTS = 3
Progress = Callable[[int, int], None]  # (writes done, writes planned)


class FleetReader(Protocol):
    def get_membership(self, ref: MembershipRef) -> Membership | None: ...
    def scopes_of(self, ref: MembershipRef) -> tuple[str, ...]: ...
    def list_fleet(self) -> FleetListing: ...


class SecretStore(Protocol):
    def list_cluster_secrets(self) -> dict[str, ClusterSecret]: ...
    def get(self, name: str) -> ClusterSecret | None: ...
    def create(self, secret: ClusterSecret) -> None: ...
    def update(self, current: ClusterSecret, merged: ClusterSecret) -> None: ...
    def delete(self, current: ClusterSecret) -> None: ...


def connect(settings: Settings) -> Reconciler:
    """A Reconciler wired to GKE Hub and the Argo CD cluster; imports the clients on demand."""
    from fleetsync.argocd import ArgoCD
    from fleetsync.credentials import TokenSource
    from fleetsync.fleet import Fleet

    tokens = TokenSource(settings.static_token)
    return Reconciler(settings, Fleet(settings, tokens), ArgoCD(settings, tokens))


class Reconciler:
    def __init__(self, settings: Settings, fleet: FleetReader, argocd: SecretStore) -> None:
        self.settings, self.fleet, self.argocd = settings, fleet, argocd
        self.target = SecretTarget(
            settings.fleet_project_number,
            settings.argocd_project,
            settings.connect_gateway_endpoint,
        )

    # --- entry points -----------------------------------------------------------------

    def resync(
        self, *, dry_run: bool = False, force: bool = False, progress: Progress | None = None
    ) -> Report:
        """Make every Secret equal to the fleet: list everything once, write the difference."""
        listing = self.fleet.list_fleet()
        existing = self.argocd.list_cluster_secrets()
        desired, hold, warnings = self.desired_secrets(listing.memberships)
        plan = plan_changes(
            desired,
            existing,
            project_number=self.target.project_number,
            complete=listing.complete,
            hold=hold,
        )
        owned = sum(1 for s in existing.values() if is_ours(s, self.target.project_number))
        refused = ""
        withheld: list[str] = []
        if not force and exceeds_delete_guard(plan, owned, self.settings.max_delete_fraction):
            withheld = plan.names(DELETE)
            refused = (
                f"would delete {len(withheld)} of {owned} Secrets, more than "
                f"{self.settings.max_delete_fraction:.0%}; repeat with force=true"
            )
            plan = replace(plan, changes=tuple(c for c in plan.changes if c.action != DELETE))
        report = self._report(plan, dry_run, warnings)
        report.refused = refused
        report.deletes_withheld.extend(withheld)
        report.unreachable = list(listing.unreachable)
        report.errors.extend(f"unreadable membership {name}" for name in listing.unreadable)
        report.retryable = bool(listing.unreachable)
        if not dry_run:
            self._apply_all(plan.changes, existing, report, progress)
        logger.info("resync done", extra={"json_fields": report.summary()})
        return report

    def reconcile_membership(self, ref: MembershipRef, *, dry_run: bool = False) -> Report:
        """Converge one membership's Secret to what GKE Hub says now."""
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return self._reconcile_once(ref, dry_run)
            except ConflictError:
                if attempt == CONFLICT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def handle_event(self, event: AuditEvent, *, dry_run: bool = False) -> Report:
        refs = [event.ref] if event.kind != CLUSTER else self._memberships_of_cluster(event.ref)
        report = Report(dry_run=dry_run)
        for ref in refs:
            report.absorb(self.reconcile_membership(ref, dry_run=dry_run))
        logger.info(
            "event handled",
            extra={
                "json_fields": {
                    **report.summary(),
                    "method": event.method,
                    "resource": event.resource_name,
                    "phase": event.phase,
                }
            },
        )
        return report

    # --- steps ------------------------------------------------------------------------

    def _reconcile_once(self, ref: MembershipRef, dry_run: bool) -> Report:
        membership = self.read_membership(ref)
        name = secret_name(ref, self.target.project_number)
        desired, hold, warnings = self.desired_secrets([membership] if membership else [])
        current = self.argocd.get(name)
        existing = {name: current} if current is not None else {}
        plan = plan_changes(
            desired, existing, project_number=self.target.project_number, complete=True, hold=hold
        )
        report = self._report(plan, dry_run, warnings)
        if not dry_run:
            for change in plan.changes:
                self._apply(change, existing)
        return report

    def read_membership(self, ref: MembershipRef) -> Membership | None:
        """One membership from GKE Hub, with its scopes when it is to have a Secret."""
        membership = self.fleet.get_membership(ref)
        if membership is not None and self._wanted(membership):
            membership = replace(membership, scopes=self.fleet.scopes_of(ref))
        return membership

    def desired_secrets(
        self, memberships: Iterable[Membership]
    ) -> tuple[dict[str, ClusterSecret], list[str], list[str]]:
        """The Secrets these memberships should have, the names to hold, and label warnings."""
        desired: dict[str, ClusterSecret] = {}
        hold: list[str] = []
        warnings: list[str] = []
        for membership in memberships:
            name = secret_name(membership.ref, self.target.project_number)
            if membership.state in TRANSITIONAL_STATES:
                hold.append(name)
            elif self._wanted(membership):
                desired[name], found = render_secret(membership, self.target)
                warnings.extend(found)
        return desired, hold, warnings

    def _wanted(self, membership: Membership | None) -> bool:
        return (
            membership is not None
            and membership.state == READY
            and self.settings.membership_selector.matches(membership.labels)
        )

    def _memberships_of_cluster(self, cluster: MembershipRef) -> list[MembershipRef]:
        """Memberships registered for a cluster, and those our Secrets say were."""
        listing = self.fleet.list_fleet()
        refs = {m.ref for m in listing.memberships if cluster_ref(m.cluster) == cluster}
        for secret in self.argocd.list_cluster_secrets().values():
            ref = parse_secret_name(secret.name, self.target.project_number)
            if ref and cluster_ref(secret.annotations.get(CLUSTER_ANNOTATION, "")) == cluster:
                refs.add(ref)
        return sorted(refs, key=str)

    def _apply_all(
        self,
        changes: Sequence[Change],
        existing: Mapping[str, ClusterSecret],
        report: Report,
        progress: Progress | None,
    ) -> None:
        def apply(change: Change) -> Report | None:
            try:
                self._apply(change, existing)
                return None
            except ConflictError:
                # Someone wrote in between: read this one membership again and converge.
                ref = parse_secret_name(change.secret.name, self.target.project_number)
                return self.reconcile_membership(ref) if ref else None

        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            futures = [(c, pool.submit(apply, c)) for c in changes]
            for done, (change, future) in enumerate(futures, start=1):
                try:
                    again = future.result()
                except RetryableError as err:
                    report.retryable = True
                    report.errors.append(f"{change.action} {change.secret.name}: {err}")
                except PermanentError as err:
                    report.errors.append(f"{change.action} {change.secret.name}: {err}")
                else:
                    if again is not None:
                        report.conflicts.extend(again.conflicts)
                if progress is not None:
                    progress(done, len(futures))

    def _apply(self, change: Change, existing: Mapping[str, ClusterSecret]) -> None:
        secret = change.secret
        if change.action == CREATE:
            self.argocd.create(secret)
        elif change.action == DELETE:
            self.argocd.delete(secret)
        else:
            self.argocd.update(existing[secret.name], secret)
        logger.info(
            "%s Secret %s",
            change.action,
            secret.name,
            extra={
                "json_fields": {
                    "action": change.action,
                    "secret": secret.name,
                    "membership": membership_of(secret, self.target.project_number),
                }
            },
        )

    def _report(self, plan: Plan, dry_run: bool, warnings: list[str]) -> Report:
        for warning in warnings:
            logger.warning(warning)
        for name in plan.conflicts:
            logger.warning(
                "Secret %s exists and is not ours; left untouched",
                name,
                extra={"json_fields": {"action": "conflict", "secret": name}},
            )
        return Report.from_plan(plan, self.target.project_number, dry_run, warnings)
