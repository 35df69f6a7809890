"""Events through Pub/Sub, as issue 22 routes them: the sandbox's Cloud Logging sink publishes to
a topic on the Cloud SDK's Pub/Sub emulator, and a push subscription delivers to the function.

Measured: the time from a fleet change to its Secret (p50/p95 over `changes`), and a burst of
`burst` attached-cluster registrations with the gateway write budget on (every Secret written,
API calls per event, nothing lost). Skipped, with the reason, where the emulator is absent or
the function refuses a Pub/Sub push body.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from bench.calls import classify, percentile
from sandbox.client import SandboxClient
from sandbox.emulator import PubSubEmulator, emulator_binary, start_emulator
from sandbox.harness import sandbox_env, start_function
from sandbox.server import start

NUMBER = "123456789012"
AUDIT_METHODS = Path(__file__).resolve().parent.parent / "function/fleetsync/audit_methods.json"
UNRELATED = {
    "logName": "projects/acme-fleet/logs/cloudaudit.googleapis.com%2Factivity",
    "timestamp": "2024-01-01T00:00:00Z",
    "protoPayload": {"serviceName": "gkehub.googleapis.com", "methodName": "x.SetIamPolicy"},
}


def sink_filter() -> str:
    methods = [m["methodName"] for m in json.loads(AUDIT_METHODS.read_text())["methods"]]
    listed = " OR ".join(f'"{m}"' for m in methods)
    return f'logName:"cloudaudit.googleapis.com%2Factivity" AND protoPayload.methodName=({listed})'


def refuses_push(function_url: str) -> str:
    """Why the function will not take a push body ('' when it does): one unrelated entry."""
    message = {"data": base64.b64encode(json.dumps(UNRELATED).encode()).decode()}
    body = {"message": {**message, "messageId": "1", "publishTime": UNRELATED["timestamp"]}}
    answer = requests.post(function_url + "/", json={**body, "subscription": "x"}, timeout=30)
    if 200 <= answer.status_code < 300:
        return ""
    return f"the function refuses Pub/Sub push bodies ({answer.status_code}: {answer.text[:120]})"


def wait_secrets(sandbox: SandboxClient, names: set[str], timeout_s: float) -> set[str]:
    """The `names` present by `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        present = names & set(sandbox.secrets())
        if present == names or time.monotonic() > deadline:
            return present
        time.sleep(0.02)


def measure_pubsub(workdir: Path, changes: int = 100, burst: int = 200) -> dict[str, Any]:
    binary = emulator_binary()
    if binary is None:
        return {"skipped": "the Pub/Sub emulator is not installed"}
    emulator = start_emulator(binary, workdir / "pubsub-emulator.log")
    running = start(retry_initial_s=0.05, pubsub_emulator=emulator.host_port)
    try:
        sandbox = SandboxClient(running.base_url)
        env = sandbox_env(running.base_url, GATEWAY_MAX_WRITES_PER_MINUTE="600")
        function = start_function(env, workdir / "pubsub-function.log")
        try:
            if reason := refuses_push(function.url):
                return {"skipped": reason}
            _connect(sandbox, emulator, function.url)
            return {
                "latency": _latency(sandbox, changes),
                "burst": _burst(sandbox, burst),
            }
        finally:
            function.stop()
    finally:
        running.stop()
        emulator.stop()


def _connect(sandbox: SandboxClient, emulator: PubSubEmulator, url: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    topic, push = (
        f"projects/acme-logs/topics/fleet-{suffix}",
        f"projects/acme-logs/subscriptions/fn-{suffix}",
    )
    emulator.create_topic(topic)
    emulator.create_push_subscription(push, topic, url + "/", min_backoff_s=0.1, max_backoff_s=1.0)
    sandbox.add_logsink(topic, sink_filter())


def _latency(sandbox: SandboxClient, changes: int) -> dict[str, Any]:
    """Time from each membership's creation to its Secret, one change at a time."""
    seconds, missing = [], 0
    for i in range(changes):
        name = f"lat-{i:04d}"
        started = time.monotonic()
        sandbox.add_membership("us-central1", name)
        if wait_secrets(sandbox, {f"{name}.us-central1.{NUMBER}"}, 30):
            seconds.append(time.monotonic() - started)
        else:
            missing += 1
    ms = [s * 1000 for s in seconds] or [0.0]
    return {
        "changes": changes,
        "missing": missing,
        "latency_ms_p50": round(percentile(ms, 0.5), 1),
        "latency_ms_p95": round(percentile(ms, 0.95), 1),
        "samples_ms": [round(s * 1000, 1) for s in seconds],
    }


def _burst(sandbox: SandboxClient, burst: int) -> dict[str, Any]:
    """`burst` attached clusters registered at once; every Secret, and the calls it took."""
    sandbox.ok("DELETE", "/sandbox/requests")
    names = {f"burst-{i:04d}.global.{NUMBER}" for i in range(burst)}
    started = time.monotonic()
    for i in range(burst):
        sandbox.register("attached", "us-west1", f"burst-{i:04d}", distribution="eks")
    present = wait_secrets(sandbox, names, 600)
    wall = time.monotonic() - started
    sandbox.wait_published()
    calls = classify(sandbox.ok("GET", "/sandbox/requests"))
    published = sum(sink["published"] for sink in sandbox.logsinks())
    return {
        "registrations": burst,
        "secrets_written": len(present),
        "lost": burst - len(present),
        "entries_published": published,
        "wall_s": round(wall, 2),
        "calls": calls,
        "calls_per_event": round(calls["total"] / max(published, 1), 2),
        "budget_per_minute": 600,
    }
