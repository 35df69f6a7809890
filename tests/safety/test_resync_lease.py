"""One resync at a time per target, across instances: the target's Lease, taken by a
conditional write, held while the resync runs, given back after; a dead holder's expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fleetsync.app.exclusive import ResyncLock
from fleetsync.core.errors import AccessError, ConflictError
from fleetsync.core.leases import Lease
from tests.safety.memory import Member, World
from tests.safety.test_sync import ALL, config, fleets, wire

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class MemoryLeases:
    """One Lease with the API server's conditional writes."""

    def __init__(self) -> None:
        self.lease: Lease | None = None
        self.version = 0

    def read(self) -> Lease | None:
        return self.lease

    def take(self, current: Lease | None, holder: str, duration_s: int, now: datetime) -> Lease:
        stored = self.lease.resource_version if self.lease else None
        if (current is None) != (self.lease is None) or (
            current and current.resource_version != stored
        ):
            raise ConflictError("409: the lease changed since it was read")
        self.version += 1
        transitions = current.transitions + 1 if current else 0
        self.lease = Lease(holder, now, duration_s, str(self.version), transitions)
        return self.lease

    def release(self, current: Lease) -> None:
        if not self.lease or self.lease.resource_version != current.resource_version:
            raise ConflictError("409: precondition failed")
        self.lease = None


def two_instances() -> tuple[MemoryLeases, list, dict[str, World], list[datetime]]:
    hub = fleets({"a1": Member()}, {"b1": Member()})
    clusters = {"all": World({})}
    leases, now = MemoryLeases(), [START]
    syncs = []
    for holder in ("instance-1", "instance-2"):
        sync = wire(config(ALL), hub, clusters)
        sync.targets[0].resync_lock = ResyncLock(leases, 600, holder, clock=lambda: now[0])
        syncs.append(sync)
    return leases, syncs, clusters, now


def test_a_second_instance_does_not_resync_a_target_while_the_first_does():
    leases, (first, second), clusters, _ = two_instances()
    answers = []

    def meanwhile(worker: str, call: str) -> None:
        if call == "create" and not answers:  # the first instance is writing
            answers.append(second.resync())

    clusters["all"].hook = meanwhile
    done = first.resync()
    (refused,) = answers
    assert not done.errors and len(clusters["all"].secrets) == 2
    assert refused.retryable and not refused.changes
    assert any("running elsewhere" in e and "instance-1" in e for e in refused.errors)
    assert leases.lease is None  # given back
    clusters["all"].hook = lambda worker, call: None
    assert not second.resync().errors  # free again


def test_a_lease_its_holder_left_behind_expires_and_is_taken_over():
    leases, (first, second), _, now = two_instances()
    leases.take(None, "instance-dead", 600, START)
    assert second.resync().retryable  # held
    now[0] = START + timedelta(seconds=601)
    report = second.resync()
    assert not report.errors and leases.lease is None  # taken over, then given back
    assert first.resync().changes == ()  # and the first instance finds nothing left to do


def test_a_dry_run_takes_no_lease():
    leases, (first, _), _, _ = two_instances()
    leases.take(None, "instance-other", 600, START)
    assert not first.resync(dry_run=True).errors
    assert leases.lease is not None and leases.lease.holder == "instance-other"


class DeniedLeases(MemoryLeases):
    """Leases the function's RBAC does not cover yet (the manifest before its Lease rule)."""

    def take(self, current: Lease | None, holder: str, duration_s: int, now: datetime) -> Lease:
        raise AccessError("Argo CD cluster answered 403 Forbidden: leases is forbidden")


def test_a_lease_that_cannot_be_written_lets_the_resync_run_without_it(caplog):
    """Fails open: an upgrade that has not applied the new RBAC rule yet must not stop every
    resync; the writes stay conditional, and the log says the run had no Lease."""
    _, (first, _), clusters, _ = two_instances()
    first.targets[0].resync_lock = ResyncLock(DeniedLeases(), 600, "instance-1")
    with caplog.at_level("WARNING", logger="fleetsync"):
        report = first.resync()
    assert not report.errors and len(clusters["all"].secrets) == 2
    assert any("running without it" in r.getMessage() for r in caplog.records)
