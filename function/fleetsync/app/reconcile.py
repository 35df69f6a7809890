"""Sequence reads and writes between GKE Hub and the Argo CD cluster; the core decides.

The only module that orders calls to both adapters (`lookup` and `writes` make the calls it
hands them; `decisions` puts the core's rules in this lane's terms). Events and
single-membership requests converge one membership; a resync lists everything once. Several
instances run at once (Cloud Run scales out, Eventarc delivers at least once and in any
order), so the order of reads is what keeps a Secret from being deleted while live or
rolled back:

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

from fleetsync.app.deadline import NONE, Deadline
from fleetsync.app.decisions import SecretDecisions
from fleetsync.app.lookup import await_cluster_missing, memberships_named
from fleetsync.app.ports import FleetReader, SecretStore
from fleetsync.app.seen import saw
from fleetsync.app.writes import Progress, Written, apply_all, apply_change, record
from fleetsync.config.settings import Settings
from fleetsync.core.errors import ConflictError, RetryableError, SyncError
from fleetsync.core.events import CLUSTER, REGISTRATION, AuditEvent
from fleetsync.core.model import ClusterSecret, Membership, MembershipRef
from fleetsync.core.naming import parse_secret_name, secret_name
from fleetsync.core.planning import Change, guard_deletes, orphaned_secrets
from fleetsync.core.report import Report
from fleetsync.core.verdicts import Desired

logger = logging.getLogger(__name__)
# Rounds of step 4 before giving up with a RetryableError (the event is then redelivered).
MAX_ROUNDS = 4


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
        self.decide = SecretDecisions.of(settings)
        self.target = self.decide.target

    def resync(
        self,
        *,
        dry_run: bool = False,
        force: bool = False,
        progress: Progress | None = None,
        deadline: Deadline = NONE,
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
        plan = self.decide.plan(desired, existing, complete=listing.complete)
        owned = sum(1 for s in existing.values() if self.decide.ours(s))
        plan, refused = guard_deletes(plan, owned, self.settings.max_delete_fraction, force=force)
        planned = self.decide.report(plan, desired, dry_run)
        orphans = orphaned_secrets(existing, self.settings.fleets, self.target.owners)
        report = replace(
            planned,
            orphaned=tuple(orphans),
            refused=refused,
            unreachable=listing.unreachable,
            errors=(*planned.errors, *(f"unreadable membership {n}" for n in listing.unreadable)),
            retryable=planned.retryable or bool(listing.unreachable),
        )
        if not dry_run and plan.changes:
            paced_before = self.argocd.paced_seconds()
            # From here on the report says what was done rather than what was planned.
            report, written = apply_all(
                self.argocd,
                plan.changes,
                partial(self._write, existing=existing),
                self.reconcile_membership,
                replace(report, changes=()),
                project_number=self.target.project_number,
                concurrency=self.settings.concurrency,
                progress=progress,
                deadline=deadline,
            )
            report = self._verify(written, report)
            paced = round(self.argocd.paced_seconds() - paced_before, 3)
            report = replace(report, paced_seconds=paced)
        logger.info("resync done", extra={"json_fields": {**report.summary(), **self.decide.where}})
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
            plan = self.decide.plan(desired, existing, complete=True)
            report = self.decide.report(plan, desired, dry_run)
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
        """An audit entry, whatever its status, is a hint: converge what it names (for a
        cluster another service registered, the whole fleet, as a resync does)."""
        paced = self.argocd.paced_seconds()  # what this entry's writes waited for the budget
        if event.kind == REGISTRATION:
            report = self.resync(dry_run=dry_run)
            refs: Sequence[MembershipRef] = ()
        else:
            refs, report = memberships_named(
                event, self.argocd, self.fleet, self.target, dry_run=dry_run
            )
        for ref in refs:
            report = report.plus(self.reconcile_membership(ref, dry_run=dry_run))
        if event.kind == CLUSTER and event.method.endswith(".DeleteCluster"):
            report = await_cluster_missing(event, refs, self.fleet, report)
        report = replace(report, paced_seconds=round(self.argocd.paced_seconds() - paced, 3))
        self.decide.log_event(event, report)
        return report

    def read_membership(self, ref: MembershipRef) -> Membership | None:
        """One membership from GKE Hub, with its scopes when it is to have a Secret."""
        membership = self.fleet.get_membership(ref)
        if membership is not None and self.decide.wants(membership):
            membership = replace(membership, scopes=self.fleet.scopes_of(ref))
            saw(self.target.project_number, ref, membership.scopes)
        return membership

    def desired(
        self, memberships: Sequence[Membership], existing: Mapping[str, ClusterSecret]
    ) -> Desired:
        """The Secrets these memberships ask for in this target, given the Secrets there."""
        if self.target.scope_project_prefix is None or self.our_projects is None:
            return self.decide.desired(memberships, existing)
        try:  # read anew every round: ProjectReconciler.our_projects
            return self.decide.desired(memberships, existing, self.our_projects())
        except SyncError as err:
            # Unreadable (a 403, a 503): only the Secrets whose `project` depends on them
            # wait (core.verdicts keeps it); every other Secret goes on.
            logger.warning("AppProjects could not be listed: %s", err)
            return self.decide.desired(memberships, existing, projects_unreadable=True)

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
        plan = self.decide.plan(
            replace(desired, secrets=wanted), existing, complete=listing.complete
        )
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

    def _write(self, change: Change, existing: Mapping[str, ClusterSecret]) -> ClusterSecret | None:
        return apply_change(
            self.argocd, change, existing, self.target.project_number, self.decide.where
        )
