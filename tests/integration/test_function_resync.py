"""POST /resync: full and single-membership runs, dry runs and the safety guards."""

import base64

import pytest

from tests.conftest import ARGOCD_GATEWAY
from tests.integration.secrets import NUMBER, name, plant

HUB = f"argocd-hub.global.{NUMBER}"
LEASES = "/apis/coordination.k8s.io/v1/namespaces/argocd/leases"


def test_first_resync_creates_and_second_writes_nothing(sandbox, fn):
    for i in range(3):
        sandbox.add_membership("us-central1", f"m{i}", {"i": str(i)})
    status, report = fn.resync()
    assert status == 200
    assert report["created"] == sorted([HUB, name("m0"), name("m1"), name("m2")])
    sandbox.clear_requests()
    status, report = fn.resync()
    assert (status, report["created"], report["updated"], report["unchanged"]) == (200, [], [], 4)
    assert all(r["method"] == "GET" for r in sandbox.requests() if LEASES not in r["path"])


def test_dry_run_reports_without_writing(sandbox, fn):
    sandbox.add_membership("us-central1", "m0")
    sandbox.clear_requests()
    status, report = fn.resync(dry_run="true")
    assert status == 200 and report["dry_run"] is True
    assert report["created"] == sorted([HUB, name("m0")])
    change = next(c for c in report["changes"] if c["secret"] == name("m0"))
    assert change["membership"] == "us-central1/m0"
    assert change["server"].endswith("/locations/us-central1/gkeMemberships/m0")
    assert sandbox.secrets() == {}
    assert all(r["method"] == "GET" for r in sandbox.requests() if LEASES not in r["path"])


def test_single_membership(sandbox, fn):
    sandbox.add_membership("us-central1", "m0")
    sandbox.add_membership("us-central1", "m1")
    status, report = fn.resync(membership="us-central1/m0")
    assert (status, report["created"]) == (200, [name("m0")])
    assert set(sandbox.secrets()) == {name("m0")}
    status, report = fn.resync(membership="us-central1/ghost")
    assert (status, report["created"], report["deleted"]) == (200, [], [])


def test_resync_converges_drift_and_keeps_what_others_added(sandbox, fn, admin):
    sandbox.add_membership("us-central1", "m0", {"env": "prod"})
    fn.resync()
    admin().patch_namespaced_secret(
        name("m0"),
        "argocd",
        {
            "metadata": {
                "labels": {"env": "hacked", "team": "added-by-hand"},
                "annotations": {"note": "keep me"},
            },
            "data": {"shard": base64.b64encode(b"2").decode()},
        },
        _content_type="application/merge-patch+json",
    )
    status, report = fn.resync()
    assert (status, report["updated"]) == (200, [name("m0")])
    secret = sandbox.secrets()[name("m0")]
    assert secret["metadata"]["labels"]["env"] == "prod"
    assert secret["metadata"]["labels"]["team"] == "added-by-hand"
    assert secret["metadata"]["annotations"]["note"] == "keep me"
    assert secret["data"]["shard"] == "2"


def test_foreign_secret_of_the_same_name_is_a_conflict(sandbox, fn, admin):
    sandbox.add_membership("us-central1", "m0")
    planted = plant(
        admin,
        name("m0"),
        {"argocd.argoproj.io/secret-type": "cluster"},
        data={"server": "https://elsewhere"},
    )
    status, report = fn.resync()
    assert status == 200
    assert report["conflicts"] == [name("m0")]
    after = sandbox.secrets()[name("m0")]
    assert after["metadata"]["resourceVersion"] == planted.metadata.resource_version
    assert after["data"] == {"server": "https://elsewhere"}


def test_foreign_secret_without_the_cluster_label_is_a_conflict_too(sandbox, fn, admin):
    sandbox.add_membership("us-central1", "m0")
    planted = plant(admin, name("m0"), data={"token": "x"})
    status, report = fn.resync(membership="us-central1/m0")
    assert (status, report["conflicts"]) == (200, [name("m0")])
    assert sandbox.secrets()[name("m0")]["metadata"]["resourceVersion"] == (
        planted.metadata.resource_version
    )


def test_foreign_cluster_secrets_are_never_deleted(sandbox, fn, admin):
    plant(admin, "hand-made", {"argocd.argoproj.io/secret-type": "cluster"})
    plant(admin, name("gone"), {"argocd.argoproj.io/secret-type": "cluster"})
    status, report = fn.resync()
    assert status == 200 and report["deleted"] == []
    assert {"hand-made", name("gone")} <= set(sandbox.secrets())


def test_fleet_argocd_plugin_secrets_are_adopted_in_place(sandbox, fn, admin):
    sandbox.add_membership("us-central1", "m0")
    plugin = plant(
        admin,
        name("m0"),
        {"argocd.argoproj.io/secret-type": "cluster"},
        {"fleet.gke.io/managed-by-fleet-plugin": "true"},
        {"name": name("m0"), "server": "https://x", "config": "{}"},
    )
    stale = plant(
        admin,
        name("removed"),
        {"argocd.argoproj.io/secret-type": "cluster"},
        {"fleet.gke.io/managed-by-fleet-plugin": "true"},
    )
    status, report = fn.resync()
    assert status == 200
    assert report["updated"] == [name("m0")] and report["deleted"] == [name("removed")]
    adopted = sandbox.secrets()[name("m0")]
    assert adopted["metadata"]["uid"] == plugin.metadata.uid  # same object: no gap
    assert adopted["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "fleet-argocd-sync"
    assert "fleet.gke.io/managed-by-fleet-plugin" not in adopted["metadata"]["annotations"]
    assert stale.metadata.name not in sandbox.secrets()


def test_unreachable_location_deletes_nothing_and_answers_503(sandbox, fn):
    sandbox.add_membership("us-central1", "m0")
    sandbox.add_membership("europe-west1", "m1")
    fn.resync()
    sandbox.delete_membership("europe-west1", "m1", emit=False)
    sandbox.add_membership("asia-east1", "m2", emit=False)
    sandbox.fault(match="/memberships", unreachable=["us-central1"], count=2)
    status, report = fn.resync(force="true")  # even forced, a partial view deletes nothing
    assert status == 503
    assert report["unreachable"] == [f"projects/{NUMBER}/locations/us-central1"]
    assert report["deleted"] == []
    assert set(report["deletes_withheld"]) == {name("m0"), name("m1", "europe-west1")}
    assert report["created"] == [name("m2", "asia-east1")]
    assert {name("m0"), name("m1", "europe-west1")} <= set(sandbox.secrets())
    status, report = fn.resync()
    assert (status, report["deleted"]) == (200, [name("m1", "europe-west1")])


def test_mass_delete_guard(sandbox, fn):
    for i in range(4):
        sandbox.add_membership("us-central1", f"m{i}", emit=False)
    fn.resync()
    for i in range(3):
        sandbox.delete_membership("us-central1", f"m{i}", emit=False)
    status, report = fn.resync()
    assert status == 409
    assert "would delete 3 of 5" in report["refused"]
    assert len(sandbox.secrets()) == 5
    status, report = fn.resync(dry_run="true", force="true")
    assert (status, len(report["deleted"])) == (200, 3)
    assert len(sandbox.secrets()) == 5
    status, report = fn.resync(force="true")
    assert (status, len(report["deleted"])) == (200, 3)
    assert set(sandbox.secrets()) == {HUB, name("m3")}


@pytest.mark.parametrize(
    "fault",
    [
        {"match": "/memberships", "status": 503, "count": 5},
        {"match": "/secrets", "status": 500, "count": 5},
        {"match": "/gkeMemberships/", "status": 404, "count": 20},  # the Lease calls meet it too
    ],
)
def test_persistent_downstream_failure_answers_503(sandbox, fn, fault):
    sandbox.add_membership("us-central1", "m0")
    sandbox.fault(**fault)
    status, body = fn.resync()
    assert status == 503 and body["retry"] is True
    sandbox.ok("DELETE", "/sandbox/faults")
    status, report = fn.resync()
    assert status == 200 and name("m0") in report["created"]


def test_transient_failures_are_retried_in_place(sandbox, fn):
    sandbox.add_membership("us-central1", "m0")
    sandbox.fault(match="/memberships", status=503, count=1)
    sandbox.fault(match="/secrets", status=429, count=1)
    status, report = fn.resync()
    assert status == 200 and name("m0") in report["created"]


def test_labels_that_kubernetes_refuses_are_skipped_with_a_warning(sandbox, fn):
    sandbox.add_membership(
        "us-central1",
        "m0",
        {"env": "prod", "Bad Key": "x", "ok": "-bad-", "app.kubernetes.io/managed-by": "someone"},
    )
    status, report = fn.resync(membership="us-central1/m0")
    assert status == 200 and report["created"] == [name("m0")]
    labels = sandbox.secrets()[name("m0")]["metadata"]["labels"]
    assert labels["env"] == "prod" and "Bad Key" not in labels and "ok" not in labels
    assert labels["app.kubernetes.io/managed-by"] == "fleet-argocd-sync"
    assert len(report["warnings"]) == 3


@pytest.mark.parametrize("state", [7, "CODE_UNSPECIFIED"])
def test_a_state_the_client_does_not_know_holds_that_secret_and_syncs_the_rest(sandbox, fn, state):
    sandbox.add_membership("us-central1", "odd", {"v": "1"})
    sandbox.add_membership("us-central1", "plain", {"v": "1"})
    assert fn.resync()[0] == 200
    sandbox.update_membership("us-central1", "odd", state=state, labels={"v": "2"})
    sandbox.update_membership("us-central1", "plain", labels={"v": "2"})
    status, report = fn.resync()
    assert status == 200 and report["held"] == [name("odd")]
    assert report["updated"] == [name("plain")]
    shown = "CODE_7" if state == 7 else state
    assert any("us-central1/odd" in w and shown in w for w in report["warnings"])
    assert sandbox.secrets()[name("odd")]["metadata"]["labels"]["v"] == "1"
    status, report = fn.resync(membership="us-central1/odd")
    assert status == 200 and report["held"] == [name("odd")]


def test_a_resync_stops_at_its_deadline_answers_503_and_the_next_run_carries_on(
    sandbox, running_sandbox, tmp_path
):
    """Writes 100 ms each, one at a time, against a 1.5 s deadline: no run writes all 40, each
    answers 503 with what it left, and the runs together write each Secret once."""
    from tests.integration.functions import Fn, start_for

    process = start_for(
        running_sandbox, tmp_path, RESYNC_DEADLINE_SECONDS="1.5", SYNC_CONCURRENCY="1"
    )
    try:
        members = [{"location": "us-central1", "id": f"m{i}"} for i in range(40)]
        sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": members})
        sandbox.ok("POST", "/sandbox/gateway", {"latency_ms": 100})
        statuses, created, left = [], [], []
        for _ in range(12):
            status, report = Fn(process.url).resync()
            statuses.append(status)
            created += report["created"]
            left.append(len(report["left"]))
            if status == 200:
                break
        sandbox.ok("POST", "/sandbox/gateway", {"latency_ms": 0})
        assert statuses[0] == 503 and statuses[-1] == 200, (statuses, left)
        assert all(s == 503 for s in statuses[:-1]) and left[-1] == 0
        assert left == sorted(left, reverse=True) and len(set(left)) == len(left)  # progress
        assert sorted(created) == sorted({*created}) and len(created) == 41  # each once
        assert set(sandbox.secrets()) == {HUB, *(name(f"m{i}") for i in range(40))}
    finally:
        process.stop()


def test_a_resync_holds_the_targets_lease_and_gives_it_back(sandbox, fn):
    sandbox.add_membership("us-central1", "m0")
    sandbox.clear_requests()
    status, _ = fn.resync()
    assert status == 200
    calls = [(r["method"], r["status"]) for r in sandbox.requests() if LEASES in r["path"]]
    assert calls == [("GET", 404), ("POST", 201), ("DELETE", 200)]


def test_a_resync_while_another_instance_holds_the_lease_is_refused_for_a_retry(
    sandbox, running_sandbox, fn
):
    from datetime import UTC, datetime

    import requests

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "fleet-argocd-sync-resync"},
        "spec": {"holderIdentity": "another-instance", "leaseDurationSeconds": 600,
                 "acquireTime": now, "renewTime": now},
    }  # fmt: skip
    url = running_sandbox.base_url + ARGOCD_GATEWAY + LEASES
    admin = {"Authorization": "Bearer admin-token"}
    assert requests.post(url, json=lease, headers=admin, timeout=10).status_code == 201
    sandbox.add_membership("us-central1", "m0")
    status, report = fn.resync()
    assert status == 503  # Scheduler retries; a manual caller is told why
    assert any("running elsewhere" in e and "another-instance" in e for e in report["errors"])
    assert name("m0") not in sandbox.secrets()
    requests.delete(url + "/fleet-argocd-sync-resync", headers=admin, timeout=10)
    assert fn.resync()[0] == 200
