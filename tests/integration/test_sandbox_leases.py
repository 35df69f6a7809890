"""The sandbox's coordination.k8s.io/v1 Leases: validated as the API server does, written
conditionally like every object, and allowed to the function by its RBAC manifest's rules."""

from __future__ import annotations

import requests

from tests.conftest import ARGOCD_GATEWAY

LEASES = "/apis/coordination.k8s.io/v1/namespaces/argocd/leases"
ADMIN = {"Authorization": "Bearer admin-token"}


def lease(**spec: object) -> dict[str, object]:
    body = {"holderIdentity": "me", "leaseDurationSeconds": 60, **spec}
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "fleet-argocd-sync-resync"}, "spec": body}  # fmt: skip


def test_a_lease_is_validated_and_written_conditionally(sandbox, running_sandbox):
    url = running_sandbox.base_url + ARGOCD_GATEWAY + LEASES
    for bad in ({"leaseDurationSeconds": 0}, {"renewTime": "yesterday"}, {"leaseTransitions": -1}):
        answer = requests.post(url, json=lease(**bad), headers=ADMIN, timeout=10)
        assert answer.status_code == 422, (bad, answer.text)
    good = lease(renewTime="2026-12-03T12:00:00.000000Z", unknownField=1)
    created = requests.post(url, json=good, headers=ADMIN, timeout=10)
    assert created.status_code == 201 and "unknownField" not in created.json()["spec"]
    again = requests.post(url, json=good, headers=ADMIN, timeout=10)
    assert again.status_code == 409
    stale = {**good, "metadata": {"name": "fleet-argocd-sync-resync", "resourceVersion": "1"}}
    named = url + "/fleet-argocd-sync-resync"
    assert requests.put(named, json=stale, headers=ADMIN, timeout=10).status_code == 409


def test_the_function_may_use_leases_in_the_argo_cd_namespace_only(sandbox, running_sandbox):
    function = {"Authorization": "Bearer sandbox-token"}
    base = running_sandbox.base_url + ARGOCD_GATEWAY
    own = requests.post(base + LEASES, json=lease(), headers=function, timeout=10)
    assert own.status_code == 201
    other = base + LEASES.replace("/argocd/", "/default/")
    assert requests.post(other, json=lease(), headers=function, timeout=10).status_code == 403
