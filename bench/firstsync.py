"""A first sync of 2 targets x 5,000 clusters at the module's defaults, run on the sandbox's
clock: each run keeps one instance's share of the budget and stops at the resync deadline
(both from `terraform console`, `resync_capacity`), and the next run carries on, as Cloud
Scheduler's retries make it do. The function and the sandbox share the clock in-process, so
28 minutes of paced writing take seconds."""

from __future__ import annotations

from typing import Any

from bench.twotargets import Clock, secret_creates, two_targets
from sandbox.client import SandboxClient
from sandbox.server import start

CLUSTERS = 5_000


def deadline_runs(capacity: dict[str, Any], *, clusters: int = CLUSTERS) -> dict[str, Any]:
    from fleetsync.app.deadline import Deadline
    from fleetsync.app.wiring import connect
    from fleetsync.config.settings import Settings

    if "skipped" in capacity:
        return {"skipped": capacity["skipped"]}
    running, time_ = start(), Clock()
    running.store.clock = time_.clock
    try:
        sandbox = SandboxClient(running.base_url)
        env = two_targets(
            running.base_url, clusters, SYNC_CONCURRENCY="1",
            GATEWAY_MAX_WRITES_PER_MINUTE=str(capacity["writes_per_minute_per_instance"]),
            RESYNC_DEADLINE_SECONDS=str(capacity["resync_deadline_seconds"]),
        )  # fmt: skip
        settings = Settings.from_env(env)
        runs = []
        for _ in range(capacity["first_sync_runs"] + 1):  # one more than the module expects
            sync = connect(settings, clock=time_.clock, sleep=time_.sleep)  # a fresh instance
            started = time_.now
            sandbox.clear_requests()
            report = sync.resync(deadline=Deadline.after(settings.resync_deadline_s, time_.clock))
            writes = len(secret_creates(sandbox.requests()))
            runs.append({
                "writes": writes,
                "complete": report.complete,
                "minutes": round((time_.now - started) / 60, 1),
            })  # fmt: skip
            if report.complete:
                break
        return {"secrets": 2 * clusters, "runs": runs, **{k: capacity[k] for k in (
            "writes_per_minute_per_instance", "resync_deadline_seconds")}}  # fmt: skip
    finally:
        running.stop()
