"""The function under functions-framework, wired to the session's sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess, sandbox_env, start_function
from sandbox.server import RunningSandbox


def start_for(running: RunningSandbox, tmp: Path, **env: str) -> FunctionProcess:
    return start_function(sandbox_env(running.base_url, **env), tmp / "function.log")


@pytest.fixture(scope="module")
def function(
    running_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionProcess]:
    """The function with the default configuration (no selector, namespace argocd)."""
    process = start_for(running_sandbox, tmp_path_factory.mktemp("function"))
    yield process
    process.stop()


@pytest.fixture
def synced(sandbox: SandboxClient, function: FunctionProcess) -> SandboxClient:
    """The sandbox delivering its audit-log events to the function."""
    sandbox.set_sinks(function.url + "/")
    return sandbox


class Fn:
    """Calls to the running function."""

    def __init__(self, url: str) -> None:
        self.url = url

    def resync(self, **params: str) -> tuple[int, dict[str, Any]]:
        answer = requests.post(self.url + "/resync", params=params, timeout=60)
        return answer.status_code, answer.json()


@pytest.fixture
def fn(function: FunctionProcess) -> Fn:
    return Fn(function.url)


def audit_event(
    method: str,
    resource: str,
    *,
    phase: str = "last",
    status: dict[str, Any] | None = None,
    event_id: str = "evt-1",
) -> tuple[dict[str, str], bytes]:
    """A binary-mode audit-log CloudEvent as Eventarc sends it."""
    service = "container.googleapis.com" if ".container." in method else "gkehub.googleapis.com"
    entry = {
        "protoPayload": {
            "serviceName": service,
            "methodName": method,
            "resourceName": resource,
            "status": status or {},
        },
        "operation": {"id": "op-1", "producer": service, phase: True},
        "insertId": event_id,
        "logName": "projects/acme-fleet/logs/cloudaudit.googleapis.com%2Factivity",
    }
    headers = {
        "Content-Type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": event_id,
        "ce-type": "google.cloud.audit.log.v1.written",
        "ce-source": "//cloudaudit.googleapis.com/projects/acme-fleet/logs/activity",
        "ce-time": "2026-11-28T00:00:00Z",
        "ce-methodname": method,
        "ce-servicename": service,
        "ce-resourcename": resource,
    }
    return headers, json.dumps(entry).encode()
