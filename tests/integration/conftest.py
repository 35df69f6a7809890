"""The function under functions-framework, wired to the session's sandbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess
from sandbox.server import RunningSandbox
from tests.faketime import FakeTime
from tests.integration.fleets import start_multi, start_two_fleets
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


@pytest.fixture
def hub(running_sandbox: RunningSandbox) -> Any:
    """The real GKE Hub client (REST) on the sandbox, as the function's service account."""
    from google.cloud import gkehub_v1
    from google.oauth2.credentials import Credentials

    return gkehub_v1.GkeHubClient(
        transport="rest",
        credentials=Credentials("sandbox-token"),
        client_options={"api_endpoint": running_sandbox.base_url},
    )


@pytest.fixture
def clock(running_sandbox: RunningSandbox) -> Iterator[FakeTime]:
    """The sandbox's clock, moved by the test instead of waited for."""
    fake = FakeTime()
    running_sandbox.store.clock = fake.clock
    yield fake
    running_sandbox.store.clock = time.monotonic


@pytest.fixture(scope="module")
def two_fleets() -> Iterator[RunningSandbox]:
    """A sandbox of two fleets (tests/integration/fleets.py), for one test module."""
    running = start_two_fleets()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def multi(
    two_fleets: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionProcess]:
    """The function in the multi form on that sandbox."""
    process = start_multi(two_fleets, tmp_path_factory.mktemp("multi"))
    yield process
    process.stop()
