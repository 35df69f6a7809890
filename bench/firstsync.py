"""A first sync of 2 targets x 5,000 clusters at the module's defaults, run on the sandbox's
clock: each run keeps one instance's share of the budget and stops at the resync deadline
(both from `terraform console`, `resync_capacity`), and the next run carries on, as Cloud
Scheduler's retries make it do. The function and the sandbox share the clock in-process, so
28 minutes of paced writing take seconds."""

from __future__ import annotations

import json
from typing import Any

from bench.fleets import A
from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env
from sandbox.server import start

CLUSTERS = 5_000


def deadline_runs(capacity: dict[str, Any], *, clusters: int = CLUSTERS) -> dict[str, Any]:
    from bench.scale import Clock
    from fleetsync.app.deadline import Deadline
    from fleetsync.app.wiring import connect
    from fleetsync.config.settings import Settings

    if "skipped" in capacity:
        return {"skipped": capacity["skipped"]}
    running, time_ = start(), Clock()
    running.store.clock = time_.clock
    try:
        sandbox = SandboxClient(running.base_url)
        sandbox.add_membership("global", "argocd-two", emit=False, argocd_namespace="argocd")
        members = [{"location": "us-central1", "id": f"m{i}"} for i in range(clusters)]
        sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": members})
        hub = f"projects/{A}/locations/global/memberships/"
        document = {
            "fleets": [A],
            "targets": [
                {"name": "one", "argocd_membership": hub + "argocd-hub"},
                {"name": "two", "argocd_membership": hub + "argocd-two"},
            ],
        }
        env = {k: v for k, v in sandbox_env(running.base_url).items() if "FLEET_PROJECT" not in k}
        env.pop("ARGOCD_MEMBERSHIP")
        env |= {"FLEET_SYNC_CONFIG": json.dumps(document), "SYNC_CONCURRENCY": "1"}
        env["GATEWAY_MAX_WRITES_PER_MINUTE"] = str(capacity["writes_per_minute_per_instance"])
        env["RESYNC_DEADLINE_SECONDS"] = str(capacity["resync_deadline_seconds"])
        settings = Settings.from_env(env)
        runs = []
        for _ in range(capacity["first_sync_runs"] + 1):  # one more than the module expects
            sync = connect(settings, clock=time_.clock, sleep=time_.sleep)  # a fresh instance
            started = time_.now
            sandbox.clear_requests()
            report = sync.resync(deadline=Deadline.after(settings.resync_deadline_s, time_.clock))
            served = sandbox.requests()
            writes = sum(1 for r in served if r["method"] == "POST" and "/secrets" in r["path"])
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
