"""Several instances, one gateway: two function processes of one deployment, each keeping
its share of the write budget (GATEWAY_MAX_WRITES_PER_MINUTE, as pacing.tf sets it), one
running a resync and the other taking registration entries at the same time, both writing
through one fleet project's gateway. The busiest minute is counted from the sandbox's log of
when each write arrived, on the real clock: this is the one bench section that waits out
the budget's minute."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import requests

from bench.fleets import A
from bench.series import busiest_minute
from bench.twotargets import two_targets
from sandbox.client import SandboxClient
from sandbox.events.auditlog import audit_cloudevent
from sandbox.harness import start_function
from sandbox.server import start

INSTANCES = 2
SHARE = 30  # each instance's GATEWAY_MAX_WRITES_PER_MINUTE: a budget of 60 over 2 instances
CREATED = "google.cloud.gkehub.v1.GkeHub.CreateMembership"


def several_instances(workdir: Path, memberships: int = 30) -> dict[str, Any]:
    running = start()
    try:
        sandbox = SandboxClient(running.base_url)
        env = two_targets(running.base_url, memberships, GATEWAY_MAX_WRITES_PER_MINUTE=str(SHARE))
        functions = [start_function(env, workdir / f"instance-{i}.log") for i in range(INSTANCES)]
        try:
            sandbox.clear_requests()
            answers: list[int] = []
            resync = threading.Thread(
                target=lambda: answers.append(
                    requests.post(functions[0].url + "/resync", timeout=600).status_code
                )
            )
            resync.start()
            for i in range(memberships):  # meanwhile, registrations reach the other instance
                sandbox.add_membership("us-central1", f"n{i}", emit=False)
                resource = f"projects/{A}/locations/us-central1/memberships/n{i}"
                headers, body = audit_cloudevent("acme-fleet", CREATED, resource, insert_id=f"n{i}")
                answer = requests.post(
                    functions[1].url + "/", headers=headers, data=body, timeout=600
                )
                answers.append(answer.status_code)
            resync.join()
            served = sandbox.requests()
        finally:
            for function in functions:
                function.stop()
    finally:
        running.stop()
    writes = sorted(
        r["at"] for r in served if r["method"] != "GET" and "/gkeMemberships/" in r["path"]
    )
    busiest = busiest_minute(writes)
    return {
        "instances": INSTANCES,
        "share_per_minute": SHARE,
        "budget_per_minute": SHARE * INSTANCES,
        "writes": len(writes),
        "seconds": round(writes[-1] - writes[0], 1),
        "busiest_minute": busiest,
        "answers": sorted(set(answers)),
    }
