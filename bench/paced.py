"""A first sync paced by the gateway write budget: the write rate achieved against the budget.

Connect Gateway answers with a round trip of latency (100 ms here) and enforces a per-fleet
quota (here the documented 2,400 requests a minute); the function keeps its writes to
GATEWAY_MAX_WRITES_PER_MINUTE (default 600). Writes are counted by polling the sandbox's
request log, so the peak of any 60 seconds is measured, not derived from the setting.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import requests

from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env, start_function
from sandbox.server import RunningSandbox

DOCUMENTED_QUOTA_RPM = 2400
POLL_S = 0.25


def measure_paced_sync(
    running: RunningSandbox, n: int, workdir: Path, latency_ms: int = 100, budget: int = 600
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
        samples: list[tuple[float, int]] = []
        done = threading.Event()
        poller = threading.Thread(target=_poll_writes, args=(sandbox, samples, done))
        started = time.monotonic()
        poller.start()
        answer = requests.post(function.url + "/resync", timeout=3600)
        elapsed = time.monotonic() - started
        done.set()
        poller.join()
        report = answer.json()
    finally:
        sandbox.ok("POST", "/sandbox/gateway", {"latency_ms": 0, "quota_rpm": 0})
        function.stop()
    served = sandbox.requests()
    writes = [r for r in served if r["method"] in ("POST", "PATCH", "DELETE")]
    peak = _peak_per_minute([(t - started, count) for t, count in samples])
    return {
        "n": n,
        "latency_ms": latency_ms,
        "budget_per_minute": budget,
        "wall_s": round(elapsed, 1),
        "writes": len(writes),
        "status": answer.status_code,
        "too_many_requests": len([r for r in served if r["status"] == 429]),
        "peak_writes_in_60s": peak,
        "peak_share_of_budget": round(peak / budget, 3) if budget else None,
        "paced_seconds": report.get("paced_seconds"),
    }


def _poll_writes(sandbox: SandboxClient, samples: list[tuple[float, int]], done: Any) -> None:
    while not done.is_set():
        served = sandbox.requests()
        samples.append((time.monotonic(), sum(r["method"] != "GET" for r in served)))
        done.wait(POLL_S)


def _peak_per_minute(samples: list[tuple[float, int]]) -> int:
    """Most writes between two samples at most 60 s apart (the poll interval is the error)."""
    peak = 0
    for i, (start, before) in enumerate(samples):
        within = [count for at, count in samples[i:] if at - start <= 60.0]
        peak = max(peak, within[-1] - before)
    return peak
