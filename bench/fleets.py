"""The multi form's cost: API calls per event and per resync with two fleets and two targets,
one with tenancy, counted from the sandbox's request log."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

from bench.calls import classify
from bench.series import median_run
from sandbox.client import SandboxClient
from sandbox.events.auditlog import audit_cloudevent
from sandbox.harness import config_env, start_function
from sandbox.server import start
from sandbox.state.fleet import FleetId

A, B = "123456789012", "210987654321"
CONFIG = {
    "fleets": [A, B],
    "targets": [
        {
            "name": "prod",
            "argocd_membership": f"projects/{A}/locations/global/memberships/argocd-hub",
            "selector": "env=prod",
        },
        {
            "name": "teams",
            "argocd_membership": f"projects/{B}/locations/global/memberships/argocd-teams",
            "tenancy": {"enabled": True, "prefix": "team-", "cluster_project": True},
        },
    ],
}
SCOPES = ("payments", "search")


def measure_fleets(members_per_fleet: int, workdir: Path, repeats: int = 1) -> dict[str, Any]:
    """`repeats` runs from a new sandbox: the resyncs' median run, the events' calls."""
    runs = [_measure_once(members_per_fleet, workdir) for _ in range(repeats)]
    combined = dict(runs[0])
    for run in ("first_sync", "steady_state"):
        combined[run] = median_run([r[run] for r in runs])
    return combined


def _measure_once(members_per_fleet: int, workdir: Path) -> dict[str, Any]:
    running = start(fleets=[FleetId("acme-nonprod", B)], retry_initial_s=0.05)
    try:
        sandbox = SandboxClient(running.base_url)
        sandbox.add_membership(
            "global", "argocd-teams", project_number=B, argocd_namespace="argocd"
        )
        for number in (A, B):
            for scope in SCOPES:
                sandbox.add_scope(scope, project_number=number, emit=False)
                for ns in ("web", "api"):
                    sandbox.add_namespace(scope, ns, project_number=number, emit=False)
            for i in range(members_per_fleet):
                labels = {"env": "prod" if i % 2 else "dev"}
                sandbox.add_membership(
                    "us-central1", f"m{i}", labels, project_number=number, emit=False
                )
                sandbox.bind(f"us-central1/m{i}", SCOPES[i % 2], project_number=number, emit=False)
        function = start_function(config_env(running.base_url, CONFIG), workdir / "fleets.log")
        try:
            return _measure(sandbox, function.url, members_per_fleet)
        finally:
            function.stop()
    finally:
        running.stop()


def _measure(sandbox: SandboxClient, url: str, members_per_fleet: int) -> dict[str, Any]:
    session = requests.Session()
    results: dict[str, Any] = {"memberships": 2 * members_per_fleet + 2}
    for run in ("first_sync", "steady_state"):
        sandbox.clear_requests()
        started = time.perf_counter()
        answer = session.post(url + "/resync", timeout=600)
        wall = round(time.perf_counter() - started, 2)
        if answer.status_code != 200:
            raise RuntimeError(f"resync answered {answer.status_code}: {answer.text}")
        results[run] = {"wall_s": wall, "calls": classify(sandbox.requests())}
    events = {
        "membership created (project number)": (
            "google.cloud.gkehub.v1.GkeHub.CreateMembership",
            f"projects/{A}/locations/us-central1/memberships/new-1",
            lambda: sandbox.add_membership("us-central1", "new-1", {"env": "prod"}, emit=False),
        ),
        "membership created (project ID: every fleet)": (
            "google.cloud.gkehub.v1.GkeHub.CreateMembership",
            "projects/acme-fleet/locations/us-central1/memberships/new-2",
            lambda: sandbox.add_membership("us-central1", "new-2", {"env": "prod"}, emit=False),
        ),
        "fleet namespace created": (
            "google.cloud.gkehub.v1.GkeHub.CreateScopeNamespace",
            f"projects/{A}/locations/global/scopes/payments/namespaces/jobs",
            lambda: sandbox.add_namespace("payments", "jobs", project_number=A, emit=False),
        ),
        "nothing to change": (
            "google.cloud.gkehub.v1.GkeHub.UpdateMembership",
            f"projects/{A}/locations/us-central1/memberships/m1",
            lambda: None,
        ),
    }
    for n, (name, (method, resource, change)) in enumerate(events.items()):
        change()
        sandbox.clear_requests()
        headers, body = audit_cloudevent("acme-fleet", method, resource, insert_id=f"fleets-{n}")
        answer = session.post(url + "/", headers=headers, data=body, timeout=60)
        if answer.status_code != 200:
            raise RuntimeError(f"{name} answered {answer.status_code}: {answer.text}")
        results[name] = classify(sandbox.requests())
    return results
