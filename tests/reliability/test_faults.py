"""Fault matrix: under each injected failure the function answers 5xx when a retry can help,
deletes nothing it should not, and converges once the fault is gone."""

from __future__ import annotations

import contextlib
import signal
import threading
import time

import pytest
import requests

from sandbox.client import SandboxClient
from sandbox.harness import start_function
from tests.cloudevents import audit_event
from tests.reliability.fleet import (
    NUMBER,
    adc_env,
    assert_converged,
    plant_foreign,
    resync,
)

HUB_LIST = f"/v1/projects/{NUMBER}/locations/-/memberships"
GATEWAY = "/gkeMemberships/argocd-hub/"

FAULTS = [
    # (name, fault, expected status while it lasts)
    ("hub 429", {"match": HUB_LIST, "status": 429}, 503),
    ("hub 503", {"match": HUB_LIST, "status": 503}, 503),
    ("hub 500 on bindings", {"match": "/memberships/-/bindings", "status": 500}, 503),
    ("hub timeout", {"match": HUB_LIST, "delay_s": 1.5}, 503),
    ("hub unreachable", {"match": "/memberships", "unreachable": ["us-central1"]}, 503),
    ("gateway 401", {"match": GATEWAY, "status": 401}, 503),
    ("gateway 404", {"match": GATEWAY, "status": 404}, 503),
    ("gateway 500", {"match": GATEWAY, "status": 500}, 503),
    ("gateway 503 on writes", {"match": GATEWAY, "method": "POST", "status": 503}, 503),
    ("gateway timeout", {"match": GATEWAY, "delay_s": 1.5}, 503),
    # 403 is a grant or RBAC rule not yet propagated: retried, never acknowledged.
    ("gateway 403", {"match": GATEWAY, "status": 403}, 503),
]


def fleet_with_history(sandbox: SandboxClient) -> None:
    """A fleet already in sync, then changes the events never reported: one new cluster,
    one relabelled, one removed. The resync under test must settle all three."""
    for i in range(4):
        sandbox.add_membership(
            "us-central1" if i % 2 else "europe-west1", f"m{i}", {"env": "prod"}, emit=False
        )


@pytest.mark.parametrize(("name", "fault", "status"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_matrix(calm, running_sandbox, instances, admin, name, fault, status):
    foreign = plant_foreign(admin)
    fleet_with_history(calm)
    assert resync(instances[0])[0] == 200
    calm.add_membership("us-central1", "new-1", {"env": "prod"}, emit=False)
    calm.update_membership("us-central1", "m1", labels={"env": "canary"}, emit=False)
    calm.delete_membership("europe-west1", "m0", emit=False)
    before = versions(calm)
    calm.fault(count=50, **fault)
    # Forced, so the mass-delete guard cannot hide a delete the fault should have prevented.
    answered, body = resync(instances[0], force="true")
    assert answered == status, body
    after = versions(calm)
    if "method" in fault:
        # Only creates fail: the update and the delete of a gone membership went through.
        assert f"new-1.us-central1.{NUMBER}" not in after
        assert f"m0.europe-west1.{NUMBER}" not in after
        assert after[f"m1.us-central1.{NUMBER}"] != before[f"m1.us-central1.{NUMBER}"]
    else:
        # The listing failed or was partial: not one Secret was written or deleted.
        assert after == before
    calm.ok("DELETE", "/sandbox/faults")
    answered, body = resync(instances[0])
    assert answered == 200, body
    assert_converged(running_sandbox, foreign)


def test_unreachable_location_deletes_nothing_even_forced(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    fleet_with_history(calm)
    resync(instances[0])
    for i in range(4):
        calm.delete_membership("us-central1" if i % 2 else "europe-west1", f"m{i}", emit=False)
    calm.fault(match="/memberships", unreachable=["asia-east1"], count=50)
    answered, body = resync(instances[0], force="true")
    assert answered == 503 and body["deleted"] == []
    assert len(body["deletes_withheld"]) == 4
    calm.ok("DELETE", "/sandbox/faults")
    assert resync(instances[0], force="true")[0] == 200
    assert_converged(running_sandbox, foreign)


def test_conflict_on_update_is_read_again_not_overwritten(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    calm.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    resync(instances[0])
    calm.update_membership("us-central1", "m1", labels={"env": "canary"}, emit=False)
    # Our patch is held back while an operator edits the Secret: it then carries a stale
    # resourceVersion, the API server answers 409, and the function reads again.
    calm.fault(match="secrets/m1.", method="PATCH", delay_s=0.5, count=1)
    racing = threading.Thread(target=lambda: resync(instances[0]))
    racing.start()
    _wait_for(lambda: any(f["count"] == 0 for f in calm.ok("GET", "/sandbox/faults")))
    admin().patch_namespaced_secret(
        f"m1.us-central1.{NUMBER}",
        "argocd",
        {"metadata": {"labels": {"operator": "was-here"}}},
        _content_type="application/merge-patch+json",
    )
    racing.join()
    secret = calm.secrets()[f"m1.us-central1.{NUMBER}"]
    assert secret["metadata"]["labels"]["operator"] == "was-here"
    assert secret["metadata"]["labels"]["env"] == "canary"
    assert 409 in [r["status"] for r in calm.requests()]
    assert_converged(running_sandbox, foreign)


@pytest.mark.parametrize("takeover", [False, True], ids=["edited", "taken-over"])
def test_conflict_on_delete(calm, running_sandbox, instances, admin, takeover):
    calm.add_membership("us-central1", "m1", emit=False)
    resync(instances[0])
    calm.delete_membership("us-central1", "m1", emit=False)
    calm.fault(match="secrets/m1.", method="DELETE", delay_s=0.5, count=1)
    racing = threading.Thread(target=lambda: resync(instances[0]))
    racing.start()
    _wait_for(lambda: any(f["count"] == 0 for f in calm.ok("GET", "/sandbox/faults")))
    labels = {"app.kubernetes.io/managed-by": None} if takeover else {"note": "edited"}
    admin().patch_namespaced_secret(
        f"m1.us-central1.{NUMBER}",
        "argocd",
        {"metadata": {"labels": labels}},
        _content_type="application/merge-patch+json",
    )
    racing.join()
    # Someone who took the Secret over keeps it; a mere edit does not save it from deletion.
    assert (f"m1.us-central1.{NUMBER}" in calm.secrets()) is takeover
    assert 409 in [r["status"] for r in calm.requests()]


def test_token_expires_in_the_middle_of_a_resync(calm, running_sandbox, instances, admin):
    foreign = plant_foreign(admin)
    for i in range(40):
        calm.add_membership("us-central1", f"t{i:02d}", emit=False)
    issued = calm.ok("GET", "/sandbox/oauth")["issued"]
    # Tokens now die after 0.2 s while claiming an hour, and every write takes 0.15 s: the
    # 41 writes, 8 at a time, outlive several tokens.
    calm.ok("POST", "/sandbox/oauth", {"token_ttl_s": 0.2})
    calm.fault(match="/secrets", method="POST", delay_s=0.15, count=41)
    answered, body = resync(instances[0])
    calm.ok("POST", "/sandbox/oauth", {"token_ttl_s": 3600})
    if answered != 200:  # every refresh lost its race with expiry: Eventarc or Scheduler retries
        assert answered == 503
        answered, body = resync(instances[0])
    assert answered == 200, body
    assert calm.ok("GET", "/sandbox/oauth")["issued"] > issued + 1
    assert 401 in [r["status"] for r in calm.requests()]
    assert_converged(running_sandbox, foreign)


def test_resync_killed_halfway_then_run_again(calm, running_sandbox, admin, tmp_path):
    foreign = plant_foreign(admin)
    for i in range(40):
        calm.add_membership("us-central1", f"k{i:02d}", emit=False)
    victim = start_function(adc_env(running_sandbox, tmp_path), tmp_path / "victim.log")
    try:
        calm.fault(match="/secrets", method="POST", delay_s=0.05, count=41)
        threading.Thread(target=lambda: _quietly_post(victim.url + "/resync"), daemon=True).start()
        _wait_for(lambda: len(calm.secrets()) >= 5)
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(timeout=10)
    finally:
        victim.stop()
    partial = len(calm.secrets())
    assert 5 <= partial < 41 + len(foreign)
    calm.ok("DELETE", "/sandbox/faults")
    survivor = start_function(adc_env(running_sandbox, tmp_path), tmp_path / "survivor.log")
    try:
        answered, body = resync(survivor)
    finally:
        survivor.stop()
    assert answered == 200 and body["errors"] == []
    assert_converged(running_sandbox, foreign)


def versions(sandbox: SandboxClient) -> dict[str, str]:
    return {name: s["metadata"]["resourceVersion"] for name, s in sandbox.secrets().items()}


def _quietly_post(url: str) -> None:
    with contextlib.suppress(requests.RequestException):  # the process is killed on purpose
        requests.post(url, timeout=60)


def _wait_for(condition, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.01)


def test_no_token_reaches_the_logs(calm, running_sandbox, instances):
    calm.add_membership("us-central1", "logged", {"env": "prod"}, emit=False)
    calm.ok("POST", "/sandbox/oauth", {"token_ttl_s": 0})  # force 401s and refreshes
    resync(instances[1])
    calm.ok("POST", "/sandbox/oauth", {"token_ttl_s": 3600})
    assert resync(instances[1])[0] == 200
    assert deliver_update(instances[1], "logged") == 200
    trace = "0123456789abcdef0123456789abcdef"
    requests.post(
        instances[1].url + "/resync",
        timeout=60,
        headers={"X-Cloud-Trace-Context": f"{trace}/1;o=1"},
    )
    logs = instances[1].logs()
    assert '"action": "create"' in logs
    assert f"projects/acme-fleet/traces/{trace}" in logs  # lines of one request group together
    for secret in ("ya29.", "Bearer", "Authorization", "private_key", "BEGIN PRIVATE"):
        assert secret not in logs


def deliver_update(instance, ident: str) -> int:
    headers, body = audit_event(
        "google.cloud.gkehub.v1.GkeHub.UpdateMembership",
        f"projects/{NUMBER}/locations/us-central1/memberships/{ident}",
    )
    return requests.post(instance.url + "/", headers=headers, data=body, timeout=60).status_code
