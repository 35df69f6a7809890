"""Run the real function next to the sandbox: functions-framework serving `fleet_sync` in a
child process, configured through the same environment variables as on Cloud Run.

Used by the demo, the integration tests and the benchmarks.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FUNCTION_DIR = Path(__file__).resolve().parent.parent / "function"
STARTUP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sandbox_env(
    sandbox_url: str,
    project_number: str = "123456789012",
    argocd_membership: str = "global/argocd-hub",
    **extra: str,
) -> dict[str, str]:
    """The function's configuration pointing at a sandbox."""
    return {
        "FLEET_PROJECT_NUMBER": project_number,
        "ARGOCD_MEMBERSHIP": argocd_membership,
        "GKEHUB_ENDPOINT": sandbox_url,
        "CONNECT_GATEWAY_ENDPOINT": sandbox_url,
        "FLEET_SYNC_STATIC_TOKEN": "sandbox-token",
        **extra,
    }


def config_env(sandbox_url: str, document: dict[str, Any], **extra: str) -> dict[str, str]:
    """The function's configuration in the multi form: `document` as FLEET_SYNC_CONFIG in
    place of the single form's fleet and Argo CD membership, the sandbox's endpoints kept."""
    env = sandbox_env(sandbox_url, **extra)
    del env["FLEET_PROJECT_NUMBER"], env["ARGOCD_MEMBERSHIP"]
    return {**env, "FLEET_SYNC_CONFIG": json.dumps(document)}


@dataclass
class FunctionProcess:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_function(env: dict[str, str], log_path: Path, port: int = 0) -> FunctionProcess:
    """Start functions-framework and wait until /healthz answers."""
    port = port or free_port()
    command = [
        str(Path(sys.executable).parent / "functions-framework"),
        "--target",
        "fleet_sync",
        "--source",
        str(FUNCTION_DIR / "main.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    child_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("FLEET_", "ARGOCD_", "GKEHUB_", "CONNECT_GATEWAY_", "MEMBERSHIP_SELECTOR")
        )
    }
    child_env.update(env)
    child_env["PYTHONPATH"] = str(FUNCTION_DIR)
    log = log_path.open("wb")
    process = subprocess.Popen(
        command, env=child_env, stdout=log, stderr=subprocess.STDOUT, cwd=FUNCTION_DIR
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"functions-framework exited:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return FunctionProcess(url, process, log_path)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"functions-framework did not answer within {STARTUP_TIMEOUT_S}s")
