"""The safety bugs of the first version, reproduced on the sandbox with two function instances.

Held requests (`"hold": true` faults) put the other instance's work exactly between the two
reads of the instance under test, whichever order it reads in, so no timing is involved.
Each test failed on the first version; see docs/safety.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from sandbox.client import SandboxClient
from tests.reliability.fleet import CREATE, DELETE, NUMBER, UPDATE, deliver, resync

SECRETS = "/api/v1/namespaces/argocd/secrets"
HUB = f"/v1/projects/{NUMBER}/locations/"
UID = "fleet-argocd-sync.io/membership-uid"


def secret(sandbox: SandboxClient, ident: str) -> dict[str, Any] | None:
    return sandbox.secrets().get(f"{ident}.us-central1.{NUMBER}")


def wait_until_held(sandbox: SandboxClient) -> None:
    deadline = time.monotonic() + 60
    while sandbox.held() != 1:
        assert time.monotonic() < deadline, "the request under test never arrived"
        time.sleep(0.01)  # polling for a state, not waiting for luck


def between_two_reads(sandbox: SandboxClient, call: Callable[[], Any], meanwhile) -> Any:
    """Run `call` in a thread, holding its first two matching reads; do `meanwhile` between
    them. Both reads are held, and the first released at once, so the window is the one
    between the reads whatever their order."""
    answer: list[Any] = []
    thread = threading.Thread(target=lambda: answer.append(call()))
    thread.start()
    wait_until_held(sandbox)
    sandbox.release()
    wait_until_held(sandbox)
    meanwhile()
    sandbox.release()
    thread.join(timeout=120)
    sandbox.ok("DELETE", "/sandbox/faults")
    return answer[0]


def hold(sandbox: SandboxClient, *matches: str) -> None:
    for match in matches:
        sandbox.fault(match=match, method="GET", hold=True)


def test_1_resync_keeps_a_secret_created_between_its_reads(calm, holding_instances):
    calm.add_membership("us-central1", "old", {"env": "prod"}, emit=False)
    assert resync(holding_instances[0])[0] == 200
    calm.clear_requests()
    hold(calm, SECRETS, HUB + "-/memberships")

    def register() -> None:
        calm.add_membership("us-central1", "fresh", {"env": "prod"}, emit=False)
        assert deliver(holding_instances[1], CREATE, "fresh") == 200

    status, _ = between_two_reads(
        calm, lambda: resync(holding_instances[0], force="true"), register
    )
    assert status == 200
    served = calm.requests()
    created = [
        r
        for r in served
        if r["method"] == "POST" and r["status"] == 201 and "/secrets" in r["path"]
    ]
    deleted = [r for r in served if r["method"] == "DELETE" and "fresh" in r["path"]]
    assert len(created) == 1 and not deleted, "the resync deleted a live Secret"
    assert secret(calm, "fresh") is not None


def test_2_a_late_delete_never_removes_the_secret_of_a_registration_made_meanwhile(
    calm, holding_instances
):
    first = calm.add_membership("us-central1", "phoenix", {"env": "prod"}, emit=False)
    assert deliver(holding_instances[1], CREATE, "phoenix") == 200
    calm.delete_membership("us-central1", "phoenix", emit=False)
    hold(calm, SECRETS + "/phoenix", HUB + "us-central1/memberships/phoenix")

    def register_again() -> None:
        calm.add_membership("us-central1", "phoenix", {"env": "prod"}, emit=False)
        assert deliver(holding_instances[1], CREATE, "phoenix") == 200

    calm.clear_requests()
    status = between_two_reads(
        calm, lambda: deliver(holding_instances[0], DELETE, "phoenix"), register_again
    )
    assert status == 200
    now = secret(calm, "phoenix")
    assert now is not None, "the new registration's Secret was deleted"
    assert now["metadata"]["annotations"][UID] != first["uniqueId"]
    assert not [r for r in calm.requests() if r["method"] == "DELETE"]


def test_3_scope_labels_stay_when_the_bindings_cannot_all_be_read(calm, instances):
    calm.add_membership("us-central1", "scoped", {"env": "prod"}, emit=False)
    calm.bind("us-central1/scoped", "team-a", emit=False)
    assert deliver(instances[0], CREATE, "scoped") == 200
    calm.update_membership(
        "us-central1", "scoped", labels={"env": "prod", "tier": "web"}, emit=False
    )
    calm.fault(match="/memberships/scoped/bindings", status=404, count=10)
    assert deliver(instances[0], UPDATE, "scoped") == 503  # retried until bindings are read
    labels = secret(calm, "scoped")["metadata"]["labels"]
    assert labels["tier"] == "web" and labels["scope.fleet-argocd-sync.io/team-a"] == "true"
    calm.ok("DELETE", "/sandbox/faults")
    calm.fault(match="/memberships/-/bindings", unreachable=["us-central1"], count=10)
    status, body = resync(instances[1], force="true")
    assert status == 503 and body["scopes_kept"]
    assert "scope.fleet-argocd-sync.io/team-a" in secret(calm, "scoped")["metadata"]["labels"]


def test_5_a_failed_delete_operation_gives_the_secret_back(calm, instances):
    calm.add_membership("us-central1", "stays", {"env": "prod"}, emit=False)
    assert deliver(instances[0], CREATE, "stays") == 200
    calm.update_membership("us-central1", "stays", state="DELETING", emit=False)
    assert deliver(instances[0], DELETE, "stays", phase="first") == 200
    assert secret(calm, "stays") is None
    calm.update_membership("us-central1", "stays", state="READY", emit=False)
    headers, body = failed_last_entry(DELETE, "stays")
    answer = requests.post(instances[1].url + "/", headers=headers, data=body, timeout=60)
    assert answer.status_code == 200
    assert secret(calm, "stays") is not None


def test_6_access_denied_on_the_event_path_is_retried_and_named(calm, instances):
    calm.add_membership("us-central1", "denied", {"env": "prod"}, emit=False)
    calm.fault(match="/gkeMemberships/argocd-hub/", status=403, count=10)
    assert deliver(instances[0], CREATE, "denied") == 503
    calm.ok("DELETE", "/sandbox/faults")
    calm.fault(match=HUB + "us-central1/memberships/denied", status=403, count=10)
    assert deliver(instances[1], CREATE, "denied") == 503
    calm.ok("DELETE", "/sandbox/faults")
    logs = instances[0].logs() + instances[1].logs()
    assert "roles/gkehub.gatewayEditor" in logs and "roles/gkehub.viewer" in logs
    assert deliver(instances[0], CREATE, "denied") == 200  # once granted, the retry succeeds
    assert secret(calm, "denied") is not None


def failed_last_entry(method: str, ident: str) -> tuple[dict[str, str], bytes]:
    from tests.cloudevents import audit_event

    resource = f"projects/{NUMBER}/locations/us-central1/memberships/{ident}"
    return audit_event(method, resource, status={"code": 9, "message": "FAILED_PRECONDITION"})
