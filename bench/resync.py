"""First sync, steady state and 10% churn for a fleet of n memberships; peak memory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

from bench.calls import classify, warm_up
from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env, start_function
from sandbox.server import RunningSandbox


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


def measure_resync(running: RunningSandbox, n: int, workdir: Path) -> dict[str, Any]:
    """First sync, steady state and 10% churn for a fleet of n memberships."""
    sandbox = SandboxClient(running.base_url)
    sandbox.reset()
    sandbox.set_sinks()
    memberships = [
        {
            "location": ("us-central1", "europe-west1", "asia-east1")[i % 3],
            "id": f"m{i:05d}",
            "labels": {"env": "prod" if i % 2 else "dev", "n": str(i)},
        }
        for i in range(n)
    ]
    sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": memberships})
    # Unpaced: this measures the sync itself; measure_paced_sync measures the budget.
    env = sandbox_env(running.base_url, GATEWAY_MAX_WRITES_PER_MINUTE="0")
    function = start_function(env, workdir / f"resync-{n}.log")
    try:
        warm_up(function.url)
        first = _timed_resync(sandbox, function.url)
        steady = _timed_resync(sandbox, function.url)
        churned = max(1, n // 10)
        for item in memberships[: churned // 2]:
            sandbox.update_membership(
                item["location"], item["id"], labels={"env": "canary"}, emit=False
            )
        for item in memberships[churned // 2 : churned]:
            sandbox.delete_membership(item["location"], item["id"], emit=False)
        extra = [
            {"location": "us-east1", "id": f"new{i:05d}"} for i in range(churned - churned // 2)
        ]
        sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": extra})
        churn = _timed_resync(sandbox, function.url)
        rss = peak_rss_mib(function.process.pid)
    finally:
        function.stop()
    return {
        "n": n,
        "first_sync": first,
        "steady_state": steady,
        "churn_10pct": churn,
        "peak_rss_mib": rss,
    }
