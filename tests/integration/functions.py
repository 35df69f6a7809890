"""The function under functions-framework, started against the test session's sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from sandbox.harness import FunctionProcess, sandbox_env, start_function
from sandbox.server import RunningSandbox


def start_for(running: RunningSandbox, tmp: Path, **env: str) -> FunctionProcess:
    return start_function(sandbox_env(running.base_url, **env), tmp / "function.log")


class Fn:
    """Calls to the running function."""

    def __init__(self, url: str) -> None:
        self.url = url

    def resync(self, **params: str) -> tuple[int, dict[str, Any]]:
        answer = requests.post(self.url + "/resync", params=params, timeout=60)
        return answer.status_code, answer.json()
