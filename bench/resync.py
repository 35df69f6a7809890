"""First sync, steady state and 10% churn for n memberships in one fleet or spread over
several; peak memory. Each size runs `repeats` times from an empty Argo CD namespace: the
report keeps the median run's figures, every run's time, and the largest peak memory."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from bench.calls import classify, warm_up
from bench.series import RUNS, median_run
from sandbox.client import SandboxClient
from sandbox.harness import config_env, sandbox_env, start_function
from sandbox.server import RunningSandbox
from sandbox.state.fleet import FleetId

# The sandbox's fleets beyond its first, for sizes laid out as several fleet projects: an
# organisation with 10,000 clusters runs several fleets (by team, environment or region).
MORE_FLEETS = [FleetId(f"acme-fleet-{k}", f"10000000000{k}") for k in range(1, 4)]


def peak_rss_mib(pid: int) -> float:
    """Largest peak resident set (VmHWM) in the process tree of `pid`: the serving worker."""
    peaks = []
    for candidate in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks), 1) if peaks else 0.0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in map(int, children):
            found += [child, *_children(child)]
    return found


def _timed_resync(sandbox: SandboxClient, url: str) -> dict[str, Any]:
    sandbox.clear_requests()
    started = time.perf_counter()
    answer = requests.post(url + "/resync", params={"force": "true"}, timeout=900)
    elapsed = time.perf_counter() - started
    report = answer.json()
    if answer.status_code != 200:
        raise RuntimeError(f"resync answered {answer.status_code}: {str(report)[:500]}")
    return {
        "wall_s": round(elapsed, 3),
        "calls": classify(sandbox.requests()),
        "created": len(report["created"]),
        "updated": len(report["updated"]),
        "deleted": len(report["deleted"]),
        "unchanged": report["unchanged"],
    }


def measure_resync(
    running: RunningSandbox, n: int, workdir: Path, fleets: int = 1, repeats: int = 1
) -> dict[str, Any]:
    """`repeats` runs of n memberships spread over `fleets` of the sandbox's fleets."""
    runs = [_measure_once(running, n, workdir, fleets) for _ in range(repeats)]
    summary: dict[str, Any] = {"n": n, "fleets": fleets, "repeats": repeats}
    for run in RUNS:
        summary[run] = {
            **median_run([r[run] for r in runs]),
            "writes_runs": [r[run]["calls"]["writes"] for r in runs],
        }
    summary["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    summary["peak_rss_mib_runs"] = [r["peak_rss_mib"] for r in runs]
    return summary


def _measure_once(running: RunningSandbox, n: int, workdir: Path, fleets: int) -> dict[str, Any]:
    sandbox = SandboxClient(running.base_url)
    sandbox.reset()
    sandbox.set_sinks()
    numbers = [f.project_number for f in running.fleets][:fleets]
    if len(numbers) < fleets:
        raise ValueError(f"{fleets} fleets asked for, the sandbox serves {len(numbers)}")
    memberships = [
        {
            "location": ("us-central1", "europe-west1", "asia-east1")[i % 3],
            "id": f"m{i:05d}",
            "labels": {"env": "prod" if i % 2 else "dev", "n": str(i)},
            "project_number": numbers[i % fleets],
        }
        for i in range(n)
    ]
    sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": memberships})
    # Unpaced: this measures the sync itself; measure_paced_sync measures the budget.
    env = _environment(running.base_url, numbers, GATEWAY_MAX_WRITES_PER_MINUTE="0")
    function = start_function(env, workdir / f"resync-{n}.log")
    try:
        warm_up(function.url)
        first = _timed_resync(sandbox, function.url)
        steady = _timed_resync(sandbox, function.url)
        churned = max(1, n // 10)
        for item in memberships[: churned // 2]:
            sandbox.update_membership(
                item["location"],
                item["id"],
                labels={"env": "canary"},
                emit=False,
                project_number=item["project_number"],
            )
        for item in memberships[churned // 2 : churned]:
            sandbox.delete_membership(
                item["location"], item["id"], emit=False, project_number=item["project_number"]
            )
        extra = [
            {"location": "us-east1", "id": f"new{i:05d}", "project_number": numbers[i % fleets]}
            for i in range(churned - churned // 2)
        ]
        sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": extra})
        churn = _timed_resync(sandbox, function.url)
        rss = peak_rss_mib(function.process.pid)
    finally:
        function.stop()
    return {"first_sync": first, "steady_state": steady, "churn_10pct": churn, "peak_rss_mib": rss}


def _environment(base_url: str, numbers: Sequence[str], **extra: str) -> dict[str, str]:
    """The single form for one fleet; for several, one target listing them all."""
    if len(numbers) == 1:
        return sandbox_env(base_url, **extra)
    hub = f"projects/{numbers[0]}/locations/global/memberships/argocd-hub"
    document = {"fleets": list(numbers), "targets": [{"name": "argocd", "argocd_membership": hub}]}
    return config_env(base_url, document, **extra)
