"""The function under functions-framework, wired to the session's sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess
from sandbox.server import RunningSandbox
from tests.integration.functions import Fn, start_for


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


@pytest.fixture
def fn(function: FunctionProcess) -> Fn:
    return Fn(function.url)
