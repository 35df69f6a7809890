"""Process start to first answer: the function against a bare functions-framework hello world
and against its floor, that hello world importing what the first audit-log event needs."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.calls import METHODS, audit_event
from sandbox.client import SandboxClient
from sandbox.harness import free_port, sandbox_env
from sandbox.server import RunningSandbox

HERE = Path(__file__).resolve().parent
# The floor: hello world plus the clients the first event cannot do without.
FLOOR_SOURCE = '''"""Hello world importing what the first audit-log event needs."""

import cloudevents.http
import google.auth
import google.auth.transport.requests
import google.cloud.gkehub_v1
import google.cloud.logging_v2.handlers
import kubernetes.client


def hello(request: object) -> str:
    return "ok"
'''


def _first_answer_s(
    command: list[str],
    env: dict[str, str],
    cwd: Path,
    url: str,
    method: str = "GET",
    **request: Any,
) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            try:
                answer = requests.request(method, url, timeout=30, **request)
                if answer.status_code < 500:
                    return time.perf_counter() - started
            except requests.ConnectionError:
                time.sleep(0.005)
        raise RuntimeError(f"{command} did not answer")
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure_cold_start(running: RunningSandbox, repeats: int) -> dict[str, Any]:
    """Process start to first answered request: the function vs a bare hello-world."""
    framework = str(Path(sys.executable).parent / "functions-framework")
    env = {**os.environ, **sandbox_env(running.base_url)}
    function_dir = HERE.parent / "function"
    hello, floor, healthz, event = [], [], [], []
    SandboxClient(running.base_url).add_membership("us-central1", "cold-1", emit=False)
    floor_dir = Path(tempfile.mkdtemp(prefix="fleet-floor-"))
    (floor_dir / "main.py").write_text(FLOOR_SOURCE)
    for n in range(repeats):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        base = [framework, "--host", "127.0.0.1", "--port", str(port)]
        hello.append(
            _first_answer_s(
                [*base, "--target", "hello", "--source", "main.py"],
                dict(os.environ),
                HERE / "hello",
                url + "/",
            )
        )
        floor.append(
            _first_answer_s(
                [*base, "--target", "hello", "--source", "main.py"],
                dict(os.environ),
                floor_dir,
                url + "/",
            )
        )
        healthz.append(
            _first_answer_s(
                [*base, "--target", "fleet_sync", "--source", "main.py"],
                env,
                function_dir,
                url + "/healthz",
            )
        )
        headers, body = audit_event(METHODS["create"], "cold-1", n)
        event.append(
            _first_answer_s(
                [*base, "--target", "fleet_sync", "--source", "main.py"],
                env,
                function_dir,
                url + "/",
                "POST",
                headers=headers,
                data=body,
            )
        )
    hello_s, floor_s, healthz_s, event_s = (
        statistics.median(x) for x in (hello, floor, healthz, event)
    )
    return {
        "hello_world_s": round(hello_s, 3),
        "floor_s": round(floor_s, 3),
        "function_first_request_s": round(healthz_s, 3),
        "function_first_event_s": round(event_s, 3),
        "ratio": round(healthz_s / hello_s, 2),
        "ratio_first_event": round(event_s / hello_s, 2),
        "first_event_over_floor": round(event_s / floor_s, 2),
        "samples": repeats,
    }
