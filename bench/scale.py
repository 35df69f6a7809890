"""Figures at organisation scale: the write budget shared by two Argo CD clusters of one fleet
project (busiest minute of gateway writes; across instances in `bench.instances`), Hub
calls per relabel with 2 and 50 scopes per fleet, the size of an AppProject of 10,000
destinations, and what the module's defaults let a resync of 2 targets x 5,000 clusters do
before its deadline (terraform console; run on the sandbox's clock in `bench.firstsync`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.calls import classify
from bench.firstsync import deadline_runs
from bench.fleets import CONFIG, A, B
from bench.instances import several_instances
from bench.series import busiest_minute
from bench.twotargets import Clock, secret_creates, two_targets
from sandbox.client import SandboxClient
from sandbox.events.auditlog import audit_cloudevent
from sandbox.harness import config_env, start_function
from sandbox.server import start
from sandbox.state.fleet import FleetId

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 600  # GATEWAY_MAX_WRITES_PER_MINUTE: the function's default


def shared_budget(memberships: int) -> dict[str, Any]:
    """Two targets in one fleet project, one instance, one write at a time on a shared clock."""
    from fleetsync.app.wiring import connect
    from fleetsync.config.settings import Settings

    running, time_ = start(), Clock()
    running.store.clock = time_.clock
    try:
        sandbox = SandboxClient(running.base_url)
        env = two_targets(
            running.base_url, memberships,
            SYNC_CONCURRENCY="1", GATEWAY_MAX_WRITES_PER_MINUTE=str(BUDGET),
        )  # fmt: skip
        sync = connect(Settings.from_env(env), clock=time_.clock, sleep=time_.sleep)
        started = time_.now
        report = sync.resync()
        writes = secret_creates(sandbox.requests())
        busiest = busiest_minute(writes)
        return {
            "targets": 2,
            "writes": len(writes),
            "errors": len(report.errors),
            "budget_per_minute": BUDGET,
            "busiest_minute": busiest,
            "minutes": round((time_.now - started) / 60, 1),
        }
    finally:
        running.stop()


def relabel_hub_calls(scope_counts: tuple[int, ...], workdir: Path) -> dict[str, Any]:
    """Hub calls for one relabel entry, with this many scopes in each of two fleets."""
    running = start(fleets=[FleetId("acme-nonprod", B)], retry_initial_s=0.05)
    results: dict[str, Any] = {}
    try:
        sandbox = SandboxClient(running.base_url)
        sandbox.add_membership(
            "global", "argocd-teams", project_number=B, argocd_namespace="argocd"
        )
        function = start_function(config_env(running.base_url, CONFIG), workdir / "scale.log")
        try:
            sandbox.add_membership("us-central1", "m0", {"env": "prod"}, emit=False)
            have = 0
            for count in scope_counts:
                for number in (A, B):
                    for i in range(have, count):
                        sandbox.add_scope(f"s{i}", project_number=number, emit=False)
                        sandbox.add_namespace(f"s{i}", "web", project_number=number, emit=False)
                if not have:
                    sandbox.bind("us-central1/m0", "s0", emit=False)
                have = count
                assert requests.post(function.url + "/resync", timeout=600).status_code == 200
                sandbox.update_membership(
                    "us-central1", "m0", labels={"env": "prod", "n": str(count)}, emit=False
                )
                sandbox.clear_requests()
                method = "google.cloud.gkehub.v1.GkeHub.UpdateMembership"
                resource = f"projects/{A}/locations/us-central1/memberships/m0"
                headers, body = audit_cloudevent(
                    "acme-fleet", method, resource, insert_id=f"s{count}"
                )
                answer = requests.post(function.url + "/", headers=headers, data=body, timeout=60)
                if answer.status_code != 200:
                    raise RuntimeError(f"relabel answered {answer.status_code}: {answer.text}")
                served = sandbox.requests()
                scoped = [r for r in served if "/scopes/" in r["path"]]
                results[str(count)] = {
                    "hub_reads": classify(served)["hub_reads"],
                    "scope_reads": len(scoped),
                }
        finally:
            function.stop()
    finally:
        running.stop()
    return results


def appproject_size(destinations: int) -> dict[str, Any]:
    from fleetsync.core.limits import MAX_APPPROJECT_BYTES, appproject_bytes, too_big
    from fleetsync.core.tenancy import AppProject

    server = "https://connectgateway.googleapis.com/v1/projects/123456789012/locations/us-central1"
    spec = {
        "destinations": [
            {"server": f"{server}/gkeMemberships/cluster-{i:05d}", "namespace": "payments-web"}
            for i in range(destinations)
        ],
        "sourceRepos": ["*"],
    }
    project = AppProject("team-payments", {"fleet-argocd-sync.io/scope": "payments"}, spec)
    return {
        "destinations": destinations,
        "bytes": appproject_bytes(project),
        "limit_bytes": MAX_APPPROJECT_BYTES,
        "written": not too_big(project),
    }


def capacity(expected: int) -> dict[str, Any]:
    """pacing.tf's resync_capacity at the module's defaults, by real `terraform console`."""
    terraform = shutil.which("terraform")
    if terraform is None:
        return {"skipped": "no terraform binary"}
    with tempfile.TemporaryDirectory() as directory:
        for name in ("variables.tf", "fleets.tf", "pacing.tf"):
            shutil.copy(ROOT / "terraform" / name, Path(directory) / name)
        dir_tf = f'locals {{\n  function_dir = "{ROOT / "function"}"\n}}\n'
        (Path(directory) / "dir.tf").write_text(dir_tf)
        values = {
            "project_id": "acme-fleet",
            "fleet_project_number": A,
            "argocd_membership": "global/argocd-hub",
            "expected_cluster_secrets": expected,
        }
        (Path(directory) / "values.auto.tfvars.json").write_text(json.dumps(values))
        keys = ("writes_per_minute_per_instance", "timeout_seconds", "resync_deadline_seconds",
                "writes_per_resync", "first_sync_seconds", "first_sync_runs")  # fmt: skip
        expression = "jsonencode({" + ", ".join(f"{k} = local.{k}" for k in keys) + "})\n"
        answer = subprocess.run(
            [terraform, "console", "-no-color"], input=expression, cwd=directory,
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if answer.returncode != 0 or "Error" in answer.stderr:
            return {"skipped": answer.stderr.strip().splitlines()[-1:]}
        return {"expected_cluster_secrets": expected, **json.loads(json.loads(answer.stdout))}


def measure_scale(workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    results = {
        "shared_budget": shared_budget(700),
        "several_instances": several_instances(workdir),
        "relabel_hub_calls": relabel_hub_calls((2, 50), workdir),
        "appproject_10000": appproject_size(10_000),
        "capacity_2x5000": capacity(10_000),
    }
    results["deadline_runs"] = deadline_runs(results["capacity_2x5000"])
    results["wall_s"] = round(time.perf_counter() - started, 1)
    return results
