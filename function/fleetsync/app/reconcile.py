"""Sequence reads and writes between GKE Hub and the Argo CD cluster; `planning` decides.

The only module that calls both adapters. Events and single-membership requests converge
one membership; a resync lists everything once. Several instances run at once (Cloud Run
scales out, Eventarc delivers at least once and in any order), so the order of reads is
what keeps a Secret from being deleted while live or rolled back:

1. Read what will be written over first: the Secret (every Secret, for a resync), with its
   resourceVersion.
2. Then read the truth: the membership and its bindings (the whole fleet, for a resync).
3. Write conditionally: an update or delete carries the resourceVersion read in 1, a create
   fails if the Secret exists. A write therefore lands only if nobody wrote the Secret since
   1, and it is justified by a Hub read made after 1: it cannot undo a newer write (that
   write would have changed the resourceVersion), and it deletes only a Secret whose
   membership was gone, DELETING, missing its cluster or unselected at a moment after that
   Secret was read. A conflict means someone wrote in between: read the Secret again, go on.
4. After writing, read Hub again and converge again if the truth moved while we wrote (a
   membership deleted and registered again, a label or binding changed and changed back).
   So the last write anyone makes is checked against a Hub state newer than itself, and
   the handler of the last event reads both after the last change: events alone converge.
`tests/safety` explores every interleaving of two workers and a changing fleet to check it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Protocol

from fleetsync.app.writes import SecretStore, Written, apply_change, each, record
from fleetsync.config.settings import Settings
from fleetsync.core.errors import ConflictError, RetryableError
from fleetsync.core.events import CLUSTER, SCOPE, AuditEvent
from fleetsync.core.model import (
    CLUSTER_ANNOTATION,
    SCOPE_LABEL_PREFIX,
    ClusterSecret,
    FleetListing,
    Membership,
    MembershipRef,
)
from fleetsync.core.naming import cluster_ref, parse_secret_name, secret_name
from fleetsync.core.planning import (
    DELETE,
    WANT,
    Change,
    Desired,
    Plan,
    cluster_not_yet_missing,
    desired_secrets,
    guard_deletes,
    is_ours,
    plan_changes,
    verdict,
)
from fleetsync.core.rendering import SecretTarget
from fleetsync.core.report import Report

logger = logging.getLogger(__name__)
# Rounds of step 4 before giving up with a RetryableError (the event is then redelivered).
MAX_ROUNDS = 4
# (writes done, writes planned, seconds writes have waited for the gateway budget)
Progress = Callable[[int, int, float], None]


class FleetReader(Protocol):
    def get_membership(self, ref: MembershipRef) -> Membership | None: ...
    def scopes_of(self, ref: MembershipRef) -> tuple[str, ...] | None: ...
    def list_fleet(self) -> FleetListing: ...


class Reconciler:
    def __init__(
        self,
        settings: Settings,
        fleet: FleetReader,
        argocd: SecretStore,
        our_projects: Callable[[], Collection[str]] | None = None,
    ) -> None:
        self.settings, self.fleet, self.argocd = settings, fleet, argocd
        # With tenancy's cluster_project: the names of the target's AppProjects that are ours.
        self.our_projects = our_projects
        self.target = SecretTarget(
            settings.fleet_project_number,
            settings.argocd_project,
            settings.connect_gateway_endpoint,
            settings.target_name,
            settings.scope_project_prefix,
        )

    def resync(
        self, *, dry_run: bool = False, force: bool = False, progress: Progress | None = None
    ) -> Report:
        """Make every Secret equal to the fleet: list everything once, write the difference."""
        existing = self.argocd.list_cluster_secrets()
        logger.debug("read %d cluster Secrets", len(existing))
        listing = self.fleet.list_fleet()
        logger.debug(
            "listed %d memberships; unreachable: %s",
            len(listing.memberships),
            ", ".join(listing.unreachable) or "none",
        )
        desired = self.desired(listing.memberships, existing)
        plan = self._plan(desired, existing, complete=listing.complete)
        owned = sum(1 for s in existing.values() if self._ours(s))
        plan, refused = guard_deletes(plan, owned, self.settings.max_delete_fraction, force=force)
        planned = self._report(plan, desired, dry_run)
        report = replace(
            planned,
            refused=refused,
            unreachable=listing.unreachable,
            errors=(*planned.errors, *(f"unreadable membership {n}" for n in listing.unreadable)),
            retryable=planned.retryable or bool(listing.unreachable),
        )
        if not dry_run and plan.changes:
            paced_before = self.argocd.paced_seconds()
            # From here on the report says what was done rather than what was planned.
            report, written = self._apply_all(
                plan.changes, existing, replace(report, changes=()), progress
            )
            report = self._verify(written, report)
            paced = round(self.argocd.paced_seconds() - paced_before, 3)
            report = replace(report, paced_seconds=paced)
        logger.info("resync done", extra={"json_fields": {**report.summary(), **self._where}})
        return report

    def reconcile_membership(self, ref: MembershipRef, *, dry_run: bool = False) -> Report:
        """Converge one membership's Secret to what GKE Hub says now (steps 1 to 4)."""
        name = secret_name(ref, self.target.project_number)
        current = self.argocd.get(name)
        applied: list[Report] = []
        for _ in range(MAX_ROUNDS):
            existing = {name: current} if current is not None else {}
            membership = self.read_membership(ref)
            logger.debug(
                "%s: Secret %s, membership %s",
                ref,
                f"at version {current.resource_version}" if current else "absent",
                membership.state if membership else "not found",
            )
            desired = self.desired([membership] if membership else [], existing)
            plan = self._plan(desired, existing, complete=True)
            report = self._report(plan, desired, dry_run)
            if dry_run or not plan.changes:
                if applied:  # the Secret changed in an earlier round: not "unchanged"
                    report = replace(
                        report,
                        changes=(*(c for done in applied for c in done.changes), *report.changes),
                        unchanged=0,
                        # We wrote, then found the membership changing state: where it
                        # settles may want the Secret back, and a state change may log no
                        # event. Retry.
                        retryable=report.retryable or bool(report.held),
                    )
                return report
            try:
                current = self._write(plan.changes[0], existing)
            except ConflictError:
                current = self.argocd.get(name)
                continue
            applied.append(report)
        raise RetryableError(f"membership {ref} kept changing while it was synced")

    def handle_event(self, event: AuditEvent, *, dry_run: bool = False) -> Report:
        """An audit entry, whatever its status, is a hint: converge what it names."""
        report = Report(dry_run=dry_run)
        refs = [event.ref]
        if event.kind == CLUSTER:
            refs, listing = self._memberships_of_cluster(event.ref)
            # A membership of this cluster may sit in a location we could not list.
            report = replace(
                report, unreachable=listing.unreachable, retryable=not listing.complete
            )
        elif event.kind == SCOPE:
            # A scope deleted (or changed) may take its bindings with it, logging no binding
            # entry: converge every membership whose Secret carries the scope. A fleet
            # namespace changes no Secret (only the AppProjects).
            scope_itself = event.method.endswith("Scope")
            refs = self._memberships_with_scope(event.ref.membership) if scope_itself else []
        for ref in refs:
            report = report.plus(self.reconcile_membership(ref, dry_run=dry_run))
        if event.kind == CLUSTER and event.method.endswith(".DeleteCluster"):
            report = self._await_cluster_missing(event, refs, report)
        fields: dict[str, object] = {
            "method": event.method,
            "resource": event.resource_name,
            "phase": event.phase,
        }
        if event.status_code:
            fields["operation_status"] = event.status_code
        summary = {**report.summary(), **fields, **self._where}
        logger.info("event handled", extra={"json_fields": summary})
        return report

    def _await_cluster_missing(
        self, event: AuditEvent, refs: Sequence[MembershipRef], report: Report
    ) -> Report:
        """Once a DeleteCluster has succeeded, its memberships must say clusterMissing."""
        if event.phase == "first" or event.status_code:
            return report  # the cluster is not gone (yet, or at all)
        waiting = cluster_not_yet_missing(event.ref, map(self.fleet.get_membership, refs))
        if not waiting:
            return report
        warning = (
            f"cluster {event.ref} is deleted but GKE Hub does not yet mark "
            f"{', '.join(waiting)} clusterMissing; retried until it does"
        )
        return replace(report, retryable=True, warnings=(*report.warnings, warning))

    def read_membership(self, ref: MembershipRef) -> Membership | None:
        """One membership from GKE Hub, with its scopes when it is to have a Secret."""
        membership = self.fleet.get_membership(ref)
        if membership is not None and self._verdict(membership) == WANT:
            membership = replace(membership, scopes=self.fleet.scopes_of(ref))
        return membership

    # --- steps ------------------------------------------------------------------------

    def _verify(self, written: Written, report: Report) -> Report:
        """Step 4 for a resync: one more listing; converge one by one what moved since."""
        if not written:
            return report
        listing = self.fleet.list_fleet()
        existing = {name: s for name, s in written.items() if s is not None}
        desired = self.desired(listing.memberships, existing)
        # Only what this run wrote: any other Secret is the next run's business.
        wanted = {n: s for n, s in desired.secrets.items() if n in written}
        plan = self._plan(replace(desired, secrets=wanted), existing, complete=listing.complete)
        project_number = self.target.project_number
        for change in plan.changes:
            ref = parse_secret_name(change.secret.name, project_number)
            if ref is not None:
                again = partial(self.reconcile_membership, ref)
                report = record(report, change, again, project_number)
        # What this listing could not settle is left to the next run: say so, and retry.
        unsettled = [n for n in desired.hold if n in written] + list(plan.deletes_withheld)
        return replace(
            report,
            deletes_withheld=report.deletes_withheld + plan.deletes_withheld,
            unreachable=tuple(sorted({*report.unreachable, *listing.unreachable})),
            retryable=report.retryable or bool(unsettled) or not listing.complete,
        )

    def _memberships_with_scope(self, scope: str) -> list[MembershipRef]:
        label = SCOPE_LABEL_PREFIX + scope
        secrets = self.argocd.list_cluster_secrets().values()
        names = (s.name for s in secrets if label in s.labels and self._ours(s))
        refs = {parse_secret_name(name, self.target.project_number) for name in names}
        return sorted((ref for ref in refs if ref is not None), key=str)

    def _memberships_of_cluster(
        self, cluster: MembershipRef
    ) -> tuple[list[MembershipRef], FleetListing]:
        """Memberships registered for a cluster, and those our Secrets say were."""
        refs = set()
        for secret in self.argocd.list_cluster_secrets().values():
            ref = parse_secret_name(secret.name, self.target.project_number)
            if ref and cluster_ref(secret.annotations.get(CLUSTER_ANNOTATION, "")) == cluster:
                refs.add(ref)
        listing = self.fleet.list_fleet()
        refs.update(m.ref for m in listing.memberships if cluster_ref(m.cluster) == cluster)
        return sorted(refs, key=str), listing

    def _apply_all(
        self,
        changes: Sequence[Change],
        existing: Mapping[str, ClusterSecret],
        report: Report,
        progress: Progress | None,
    ) -> tuple[Report, Written]:
        """The report with every change's outcome, and what was written."""
        written: Written = {}
        paced_before = self.argocd.paced_seconds()

        def apply(change: Change) -> Report | None:
            ref = parse_secret_name(change.secret.name, self.target.project_number)
            if ref is not None and change.action == DELETE:
                # A listing can be minutes old by now: confirm with this one membership,
                # read again right before the delete.
                return self.reconcile_membership(ref)
            try:
                written[change.secret.name] = self._write(change, existing)
                return None
            except ConflictError:
                # Someone wrote in between: this one membership converges on its own.
                return self.reconcile_membership(ref) if ref else None

        concurrency, project_number = self.settings.concurrency, self.target.project_number
        for done, (change, outcome) in enumerate(each(apply, changes, concurrency), start=1):
            report = record(report, change, outcome, project_number)
            if progress is not None:
                progress(done, len(changes), self.argocd.paced_seconds() - paced_before)
        return report, written

    def _write(self, change: Change, existing: Mapping[str, ClusterSecret]) -> ClusterSecret | None:
        return apply_change(self.argocd, change, existing, self.target.project_number, self._where)

    @property
    def _where(self) -> dict[str, str]:
        """The multi form's target and fleet, for every log line (none in the single form)."""
        if not self.target.name:
            return {}
        return {"target": self.target.name, "fleet": self.target.project_number}

    def _verdict(self, membership: Membership) -> str:
        return verdict(membership, self.settings.membership_selector)[0]

    def desired(
        self, memberships: Sequence[Membership], existing: Mapping[str, ClusterSecret]
    ) -> Desired:
        """The Secrets these memberships ask for in this target, given the Secrets there."""
        target = self.target
        if target.scope_project_prefix is not None and self.our_projects is not None:
            target = replace(target, our_projects=frozenset(self.our_projects()))
        return desired_secrets(memberships, existing, self.settings.membership_selector, target)

    def _plan(
        self, desired: Desired, existing: Mapping[str, ClusterSecret], *, complete: bool
    ) -> Plan:
        return plan_changes(
            desired.secrets,
            existing,
            project_number=self.target.project_number,
            complete=complete,
            hold=desired.hold,
            target_name=self.target.name,
        )

    def _ours(self, secret: ClusterSecret) -> bool:
        return is_ours(secret, self.target.project_number, self.target.name)

    def _report(self, plan: Plan, desired: Desired, dry_run: bool) -> Report:
        for warning in desired.warnings:
            logger.warning(warning)
        for name in plan.conflicts:
            logger.warning(
                "Secret %s exists and is not ours; left untouched",
                name,
                extra={"json_fields": {"action": "conflict", "secret": name, **self._where}},
            )
        return Report.from_plan(plan, desired, self.target.project_number, dry_run=dry_run)
