"""API calls and handler latency per audit-log event, counted from the sandbox's request log."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import requests

from sandbox.client import SandboxClient
from sandbox.events.auditlog import audit_cloudevent
from sandbox.harness import config_env

NUMBER = "123456789012"

EVENT_KINDS = ("create", "update", "delete", "unchanged", "unrelated")

METHODS = {
    "create": "google.cloud.gkehub.v1.GkeHub.CreateMembership",
    "update": "google.cloud.gkehub.v1.GkeHub.UpdateMembership",
    "delete": "google.cloud.gkehub.v1.GkeHub.DeleteMembership",
    "unchanged": "google.cloud.gkehub.v1.GkeHub.UpdateMembership",
    "unrelated": "google.cloud.gkehub.v1.GkeHub.SetIamPolicy",
}


def classify(requests_served: list[dict[str, Any]]) -> dict[str, int]:
    """API calls by kind: GKE Hub reads, and the Kubernetes API through the gateway, reads
    and writes (its paths go on with /api/ or /apis/); a resync's Lease calls on their own."""
    kinds: Counter[str] = Counter()
    for request in requests_served:
        if "/apis/coordination.k8s.io/" in request["path"]:
            kinds["lease_calls"] += 1
        elif "/api/" not in request["path"] and "/apis/" not in request["path"]:
            kinds["hub_reads"] += 1
        elif request["method"] == "GET":
            kinds["gateway_reads"] += 1
        else:
            kinds["writes"] += 1
    return {k: kinds[k] for k in ("hub_reads", "gateway_reads", "writes", "lease_calls")} | {
        "total": sum(kinds.values())
    }


def audit_event(method: str, ident: str, n: int) -> tuple[dict[str, str], bytes]:
    resource = f"projects/{NUMBER}/locations/us-central1/memberships/{ident}"
    return audit_cloudevent("acme-fleet", method, resource, insert_id=f"bench-{n}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def warm_up(url: str) -> None:
    """One request that builds the clients, so timings measure work, not imports."""
    requests.post(
        url + "/resync", params={"membership": "us-central1/warm-up", "dry_run": "true"}, timeout=60
    )


# Tenancy on: one target whose Secrets carry their fleet scopes and whose AppProjects follow
# them; every measured membership is bound to SCOPE, which has a fleet namespace.
SCOPE = "payments"


def tenancy_env(base_url: str) -> dict[str, str]:
    """The function's environment for the sandbox's fleet with tenancy and cluster_project."""
    hub = f"projects/{NUMBER}/locations/global/memberships/argocd-hub"  # the sandbox's own
    tenancy = {"enabled": True, "prefix": "team-", "cluster_project": True}
    target = {"name": "teams", "argocd_membership": hub, "tenancy": tenancy}
    return config_env(base_url, {"fleets": [NUMBER], "targets": [target]})


def add_scope(sandbox: SandboxClient) -> None:
    sandbox.add_scope(SCOPE, emit=False)
    sandbox.add_namespace(SCOPE, "web", emit=False)


def measure_events(
    sandbox: SandboxClient, function_url: str, repeats: int, scope: str = ""
) -> dict[str, Any]:
    """Each kind of event `repeats` times: calls by kind (per event) and handler latency;
    with `scope`, each membership is bound to it before its event."""

    def add(ident: str) -> None:
        sandbox.add_membership("us-central1", ident, {"v": "1"}, emit=False)
        if scope:
            sandbox.bind(f"us-central1/{ident}", scope, emit=False)

    results: dict[str, Any] = {}
    session = requests.Session()
    warm_up(function_url)
    for kind in EVENT_KINDS:
        latencies, calls = [], []
        for n in range(repeats):
            ident = f"ev-{kind}-{n}"
            if kind != "create":
                add(ident)
                session.post(
                    function_url + "/resync",
                    params={"membership": f"us-central1/{ident}"},
                    timeout=60,
                )
            if kind == "update":
                sandbox.update_membership("us-central1", ident, labels={"v": "2"}, emit=False)
            elif kind == "delete":
                sandbox.delete_membership("us-central1", ident, emit=False)
            elif kind == "create":
                add(ident)
            sandbox.clear_requests()
            headers, body = audit_event(METHODS[kind], ident, n)
            started = time.perf_counter()
            answer = session.post(function_url + "/", headers=headers, data=body, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise RuntimeError(f"{kind} event answered {answer.status_code}: {answer.text}")
            calls.append(classify(sandbox.requests()))
        results[kind] = {
            "calls": max(calls, key=lambda c: c["total"]),
            "latency_ms_p50": round(percentile(latencies, 0.5), 2),
            "latency_ms_p95": round(percentile(latencies, 0.95), 2),
            "samples": repeats,
        }
    return results
