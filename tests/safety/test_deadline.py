"""A resync keeps to its deadline: past it no write (and no target or fleet) is started, the
report says what is left and asks for a retry, and the next run carries on from there."""

from __future__ import annotations

from dataclasses import replace

from fleetsync.app.deadline import Deadline
from tests.faketime import FakeTime
from tests.safety.memory import Member, World
from tests.safety.test_sync import ALL, PROD, A, B, config, fleets, secret, wire


def test_past_its_deadline_a_resync_starts_nothing_more_and_the_next_run_carries_on():
    hub = fleets({f"a{i}": Member() for i in range(4)}, {f"b{i}": Member() for i in range(3)})
    clusters = {"prod": World({}), "all": World({})}
    time = FakeTime(0.0)
    for world in clusters.values():  # every create takes a second
        world.hook = lambda worker, call: setattr(time, "now", time.now + (call == "create"))
    one_at_a_time = replace(config(PROD, ALL), concurrency=1)
    sync = wire(one_at_a_time, hub, clusters)
    report = sync.resync(deadline=Deadline(3.0, time.clock))
    written = {n for world in clusters.values() for n in world.secrets}
    assert written == {secret(f"a{i}", A) for i in range(3)}  # three creates, then the deadline
    assert report.retryable and not report.complete
    left = report.to_json()["left"]  # each says its target
    assert f"prod/{secret('a3', A)}" in left
    assert {f"prod/fleet {B}", f"all/fleet {A}", f"all/fleet {B}"} <= set(left)
    assert any("stopped at the resync deadline: " in w for w in report.warnings)
    assert report.run_summary()["left"] == len(report.left)
    again = sync.resync()
    assert again.complete and not again.left
    assert len(clusters["prod"].secrets) == 7 and len(clusters["all"].secrets) == 7
