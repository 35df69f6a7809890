"""Every fleet into every target: one Reconciler per (target, fleet) lane, one
ProjectReconciler per target with tenancy on (run first, so Secrets can name the AppProjects
it made). What `main.py` and the CLI call.

A failure in one target (its gateway 404/503, its RBAC) is that target's error in the
report, never the others': the answer is 503 so the event is redelivered, and converging
the targets that did sync again is a no-op. The single form (one fleet, one unnamed
target) behaves exactly as one Reconciler: its errors raise as before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from fleetsync.app.deadline import NONE, Deadline
from fleetsync.app.exclusive import ResyncLock
from fleetsync.app.projects import ProjectReconciler
from fleetsync.app.reconcile import Reconciler
from fleetsync.app.seen import one_entry
from fleetsync.app.writes import Progress
from fleetsync.config.settings import Settings
from fleetsync.config.targets import Target
from fleetsync.core.errors import RetryableError, SyncError
from fleetsync.core.events import AuditEvent
from fleetsync.core.model import MembershipRef
from fleetsync.core.naming import is_project_number
from fleetsync.core.report import Report

logger = logging.getLogger(__name__)


@dataclass
class TargetSync:
    """One target: a Reconciler per fleet, and its ProjectReconciler when tenancy is on."""

    target: Target
    lanes: dict[str, Reconciler]  # by fleet project number
    projects: ProjectReconciler | None = None
    # Set while the target could not be connected (its Argo CD membership unreadable at
    # start-up): each run tries again, and until then the target alone fails.
    connect: Callable[[], TargetSync] | None = None
    resync_lock: ResyncLock | None = None  # one resync of this target at a time, anywhere
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def connected(self) -> None:
        """Connect now if not yet (one request at a time); raise what connecting raises."""
        with self._lock:
            if self.connect is not None:
                done = self.connect()
                self.lanes, self.projects, self.connect = done.lanes, done.projects, None
                self.resync_lock = done.resync_lock

    def alone(self, run: Callable[[], Report], dry_run: bool) -> Report:
        """`run` while holding the target's resync Lease; a dry run writes nothing and
        needs none. Held elsewhere: not run, and the answer asks for a retry."""
        if dry_run or self.resync_lock is None:
            return run()
        if why := self.resync_lock.acquire():
            logger.warning("target %s: %s", self.target.label, why)
            return Report(
                dry_run=dry_run, errors=(f"target {self.target.label}: {why}",), retryable=True
            )
        try:
            return run()
        finally:
            self.resync_lock.release()


@dataclass
class Sync:
    settings: Settings
    targets: list[TargetSync] = field(default_factory=list)

    @property
    def single(self) -> Reconciler | None:
        """The one Reconciler of the single form, which answers exactly as before."""
        if self.settings.multi or len(self.targets) != 1:
            return None
        return next(iter(self.targets[0].lanes.values()))

    def resync(
        self,
        *,
        dry_run: bool = False,
        force: bool = False,
        progress: Progress | None = None,
        deadline: Deadline = NONE,
    ) -> Report:
        """Every target and fleet, starting nothing past the deadline; ends with the run's one
        summary line (`resync finished`), whose `complete` says whether the whole run
        converged: the overdue-resync alert counts those, never the per-lane `resync done`."""
        run = partial(
            Reconciler.resync, dry_run=dry_run, force=force, progress=progress, deadline=deadline
        )
        if (single := self.single) is not None:
            report = self.targets[0].alone(partial(run, single), dry_run)
        else:
            fleets = self.settings.fleets
            report = self._each_target(fleets, run, dry_run, force, deadline, exclusive=True)
        if report.left:
            stopped = f"stopped at the resync deadline: {len(report.left)} left for the next run"
            report = replace(report, warnings=(*report.warnings, stopped), retryable=True)
        logger.info("resync finished", extra={"json_fields": report.run_summary()})
        return report

    def reconcile_membership(
        self, ref: MembershipRef, *, fleet: str = "", dry_run: bool = False
    ) -> Report:
        """One membership, in its fleet (every fleet when none is named), in every target."""
        if (single := self.single) is not None:
            return single.reconcile_membership(ref, dry_run=dry_run)
        fleets = [fleet] if fleet else self.settings.fleets
        lane = partial(Reconciler.reconcile_membership, ref=ref, dry_run=dry_run)
        return self._each_target(fleets, lane, dry_run)

    def handle_event(self, event: AuditEvent, *, dry_run: bool = False) -> Report:
        """An entry converges what it names in every target (a membership, a cluster's
        memberships, the memberships whose Secrets carry a scope), and every entry converges
        the targets' AppProjects."""
        with one_entry():  # what tenancy may reuse of this entry's reads: app/seen.py
            if (single := self.single) is not None:
                return single.handle_event(event, dry_run=dry_run)
            fleets = [event.project] if is_project_number(event.project) else self.settings.fleets
            lane = partial(Reconciler.handle_event, event=event, dry_run=dry_run)
            return self._each_target(fleets, lane, dry_run, event=event)

    def _each_target(
        self,
        fleets: Sequence[str],
        lane: Callable[[Reconciler], Report],
        dry_run: bool,
        force: bool = False,
        deadline: Deadline = NONE,
        *,
        exclusive: bool = False,
        event: AuditEvent | None = None,
    ) -> Report:
        """In every target, its AppProjects, then `lane` for these fleets; their sum, with
        each target's own report. What the deadline leaves unstarted is reported left; with
        `exclusive` (a resync) each target runs only while it holds its resync Lease."""
        tenancy = any(t.target.tenancy.enabled for t in self.targets)
        total = Report(dry_run=dry_run, tenancy=tenancy)
        for target in self.targets:
            label = target.target.label
            try:
                target.connected()
            except SyncError as err:
                failed = _failure(f"target {label}, connecting", err, dry_run)
                total = total.plus(replace(failed, targets=((label, failed),)))
                continue
            one = partial(_one_target, target, fleets, lane, dry_run, force, deadline, event)
            report = target.alone(one, dry_run) if exclusive else one()
            report = report.for_target(label)
            total = total.plus(replace(report, targets=((label, report),)))
        return total


def _one_target(
    target: TargetSync,
    fleets: Sequence[str],
    lane: Callable[[Reconciler], Report],
    dry_run: bool,
    force: bool,
    deadline: Deadline,
    event: AuditEvent | None,
) -> Report:
    label, report = target.target.label, Report(dry_run=dry_run)
    # AppProjects first: a Secret names its scope's AppProject only once it is ours; for an
    # entry, only those of the scopes it can change.
    if target.projects is not None:
        reconcile = target.projects.reconcile
        projects = partial(reconcile, dry_run=dry_run, force=force, event=event)
        done = _guarded(label, "AppProjects", projects, dry_run, deadline)
        report = replace(done, tenancy=True)
    for number in (n for n in fleets if n in target.lanes):
        run = partial(lane, target.lanes[number])
        done = _guarded(label, f"fleet {number}", run, dry_run, deadline)
        report = report.plus(done.in_fleet(number))
    return report


def _guarded(
    label: str, part: str, run: Callable[[], Report], dry_run: bool, deadline: Deadline
) -> Report:
    """The run's report, or its failure as a report: one target never stops another. Past
    the deadline it is not started, and reported left (as `part`: the report says whose)."""
    if deadline.passed():
        return Report(dry_run=dry_run, left=(part,), retryable=True)
    try:
        return run()
    except SyncError as err:
        return _failure(f"target {label}, {part}", err, dry_run)


def _failure(what: str, err: SyncError, dry_run: bool) -> Report:
    logger.error("%s failed: %s", what, err)
    return Report(
        dry_run=dry_run, errors=(f"{what}: {err}",), retryable=isinstance(err, RetryableError)
    )
