"""Helpers for the reliability suite: functions on application default credentials, several
instances at once, and the checks every scenario ends with."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess
from sandbox.server import RunningSandbox
from tests.reliability.fleet import HOLDING_TIMEOUT_S, two_instances


@pytest.fixture(scope="module")
def instances(
    running_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[FunctionProcess]]:
    """Two instances of the function, as Cloud Run runs several at once."""
    started = two_instances(running_sandbox, tmp_path_factory.mktemp("instances"))
    yield started
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def holding_instances(
    running_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[FunctionProcess]]:
    """Two instances whose requests outwait a held one: for tests that hold a request."""
    workdir = tmp_path_factory.mktemp("holding")
    started = two_instances(running_sandbox, workdir, request_timeout_s=HOLDING_TIMEOUT_S)
    yield started
    for process in started:
        process.stop()


@pytest.fixture
def calm(sandbox: SandboxClient) -> SandboxClient:
    sandbox.ok("POST", "/sandbox/oauth", {"token_ttl_s": 3600})
    return sandbox
