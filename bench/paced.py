"""A first sync paced by the gateway write budget: the write rate achieved against the budget.

Connect Gateway answers with a round trip of latency (100 ms here) and enforces a per-fleet
quota (here the documented 2,400 requests a minute); the function keeps its writes to
GATEWAY_MAX_WRITES_PER_MINUTE (default 600). Writes are counted from the sandbox's request
log as they arrived, so the busiest 60 seconds are measured, not derived from the setting.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

from bench.series import busiest_minute, median_run, timeline
from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env, start_function
from sandbox.server import RunningSandbox

DOCUMENTED_QUOTA_RPM = 2400


def measure_paced_sync(
    running: RunningSandbox,
    n: int,
    workdir: Path,
    latency_ms: int = 100,
    budget: int = 600,
    repeats: int = 1,
) -> dict[str, Any]:
    """`repeats` paced first syncs of n memberships: the median run by wall time, with
    every run's time, busiest minute and 429s (the report judges them all)."""
    runs = [_paced_once(running, n, workdir, latency_ms, budget) for _ in range(repeats)]
    return {
        **median_run(runs),
        "repeats": repeats,
        "peak_writes_in_60s_runs": [r["peak_writes_in_60s"] for r in runs],
        "too_many_requests_runs": [r["too_many_requests"] for r in runs],
    }


def _paced_once(
    running: RunningSandbox, n: int, workdir: Path, latency_ms: int, budget: int
) -> dict[str, Any]:
    sandbox = SandboxClient(running.base_url)
    sandbox.reset()
    sandbox.set_sinks()
    members = [{"location": "us-central1", "id": f"p{i:05d}"} for i in range(n)]
    sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": members})
    env = sandbox_env(running.base_url, GATEWAY_MAX_WRITES_PER_MINUTE=str(budget))
    function = start_function(env, workdir / f"paced-{n}.log")
    try:
        requests.post(function.url + "/resync", params={"dry_run": "true"}, timeout=120)
        sandbox.ok(
            "POST",
            "/sandbox/gateway",
            {"latency_ms": latency_ms, "quota_rpm": DOCUMENTED_QUOTA_RPM},
        )
        sandbox.clear_requests()
        started = time.monotonic()
        answer = requests.post(function.url + "/resync", timeout=3600)
        elapsed = time.monotonic() - started
        report = answer.json()
    finally:
        sandbox.ok("POST", "/sandbox/gateway", {"latency_ms": 0, "quota_rpm": 0})
        function.stop()
    served = sandbox.requests()
    writes = [r for r in served if r["method"] in ("POST", "PATCH", "DELETE")]
    start = min((r["at"] for r in served), default=0.0)
    end = max((r["at"] for r in served), default=start)
    refused = [r["at"] for r in served if r["status"] == 429]
    peak = busiest_minute([r["at"] for r in writes])
    return {
        "n": n,
        "latency_ms": latency_ms,
        "budget_per_minute": budget,
        "wall_s": round(elapsed, 1),
        "writes": len(writes),
        "status": answer.status_code,
        "too_many_requests": len(refused),
        "peak_writes_in_60s": peak,
        "paced_seconds": report.get("paced_seconds"),
        "timeline": timeline([r["at"] for r in writes], refused, start, end),
    }
