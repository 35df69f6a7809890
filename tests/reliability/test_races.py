"""Races: Eventarc delivers at least once, in any order, for a day, to several instances at
once. Whatever the interleaving, the Secrets end equal to the fleet and nothing foreign moves."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from tests.reliability.fleet import (
    BIND,
    CREATE,
    DELETE,
    NUMBER,
    UPDATE,
    assert_converged,
    deliver,
    deliver_all,
    plant_foreign,
    resync,
)


def test_duplicate_events_on_two_instances(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    for i in range(5):
        calm.add_membership("us-central1", f"d{i}", {"env": "prod"}, emit=False)
    calm.clear_requests()
    statuses = deliver_all(instances, [(CREATE, f"d{i % 5}", "last") for i in range(30)])
    assert set(statuses) == {200}
    assert_converged(running_sandbox, foreign, among=[f"d{i}" for i in range(5)])
    created = [r for r in calm.requests() if r["method"] == "POST" and r["status"] == 201]
    assert len(created) == 5  # the losers of each race saw AlreadyExists and read again


def test_replayed_an_hour_later(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    calm.add_membership("us-central1", "old", emit=False)
    calm.add_membership("us-central1", "kept", emit=False)
    assert deliver(instances[0], CREATE, "old") == 200
    assert deliver(instances[0], CREATE, "kept") == 200
    calm.delete_membership("us-central1", "old", emit=False)
    assert deliver(instances[0], DELETE, "old") == 200
    # The day-old create of a membership that is gone, and a delete of one that is back.
    assert deliver(instances[1], CREATE, "old") == 200
    assert deliver(instances[1], DELETE, "kept") == 200
    assert_converged(running_sandbox, foreign, among=["old", "kept"])
    assert f"kept.us-central1.{NUMBER}" in calm.secrets()


def test_delete_delivered_before_the_last_entry_of_create(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    calm.add_membership("us-central1", "brief", state="CREATING", emit=False)
    assert deliver(instances[0], CREATE, "brief", "first") == 200
    calm.delete_membership("us-central1", "brief", emit=False)
    assert deliver(instances[0], DELETE, "brief", "first") == 200
    assert deliver(instances[1], DELETE, "brief", "last") == 200
    assert deliver(instances[0], CREATE, "brief", "last") == 200
    assert f"brief.us-central1.{NUMBER}" not in calm.secrets()
    assert_converged(running_sandbox, foreign, among=["brief"])


def test_deleted_and_recreated_with_the_same_id(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    first = calm.add_membership("us-central1", "phoenix", {"gen": "one"}, emit=False)
    assert deliver(instances[0], CREATE, "phoenix") == 200
    calm.delete_membership("us-central1", "phoenix", emit=False)
    second = calm.add_membership("us-central1", "phoenix", {"gen": "two"}, emit=False)
    assert first["uniqueId"] != second["uniqueId"]
    deliveries = [
        (DELETE, "phoenix", "first"),
        (DELETE, "phoenix", "last"),
        (CREATE, "phoenix", "first"),
        (CREATE, "phoenix", "last"),
    ]
    random.Random(7).shuffle(deliveries)  # noqa: S311 - a fixed, reproducible order
    assert set(deliver_all(instances, deliveries)) == {200}
    secret = calm.secrets()[f"phoenix.us-central1.{NUMBER}"]
    assert (
        secret["metadata"]["annotations"]["fleet-argocd-sync.io/membership-uid"]
        == (second["uniqueId"])
    )
    assert_converged(running_sandbox, foreign, among=["phoenix"])


def test_events_and_a_resync_at_the_same_time(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    for i in range(20):
        calm.add_membership("us-central1", f"c{i:02d}", {"n": str(i)}, emit=False)
    resync(instances[0])
    for i in range(0, 20, 2):
        calm.update_membership("us-central1", f"c{i:02d}", labels={"n": "changed"}, emit=False)
    for i in range(1, 20, 4):
        calm.delete_membership("us-central1", f"c{i:02d}", emit=False)
    calm.bind("us-central1/c02", "team-a", emit=False)
    deliveries = [(UPDATE, f"c{i:02d}", "last") for i in range(0, 20, 2)]
    deliveries += [(DELETE, f"c{i:02d}", "last") for i in range(1, 20, 4)]
    deliveries += [(BIND, "c02", "last")]
    with ThreadPoolExecutor(max_workers=3) as pool:
        resyncs = [pool.submit(resync, instances[i % 2]) for i in range(2)]
        events = pool.submit(deliver_all, instances, deliveries)
        assert set(events.result()) == {200}
        statuses = [r.result() for r in resyncs]  # the second may find the Lease held
        assert 200 in [status for status, _ in statuses]
        for status, body in statuses:
            assert status == 200 or any("elsewhere" in e for e in body["errors"]), body["errors"]
    assert_converged(running_sandbox, foreign)
    labels = calm.secrets()[f"c02.us-central1.{NUMBER}"]["metadata"]["labels"]
    assert labels["scope.fleet-argocd-sync.io/team-a"] == "true"


def test_two_resyncs_at_once(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    for i in range(60):
        calm.add_membership("us-central1", f"r{i:02d}", emit=False)
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(resync, instances))
    # One runs; the other finds the resync Lease held and is refused for a retry, or runs
    # after the first gave it back: never two at once.
    assert 200 in [status for status, _ in answers]
    for status, body in answers:
        assert status == 200 or any("elsewhere" in e for e in body["errors"]), body["errors"]
    assert resync(instances[1])[0] == 200
    assert_converged(running_sandbox, foreign)
