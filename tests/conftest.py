"""Shared fixtures: one in-process sandbox for the session, reset before every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox.client import SandboxClient
from sandbox.server import RunningSandbox, start

PROJECT_ID = "acme-fleet"
PROJECT_NUMBER = "123456789012"
ARGOCD = "global/argocd-hub"
ARGOCD_GATEWAY = f"/v1/projects/{PROJECT_NUMBER}/locations/global/gkeMemberships/argocd-hub"


@pytest.fixture(scope="session")
def running_sandbox() -> Iterator[RunningSandbox]:
    running = start(
        project_id=PROJECT_ID,
        project_number=PROJECT_NUMBER,
        argocd_membership=ARGOCD,
        eventarc_time_scale=0.005,  # first retry 50 ms after a failure
    )
    yield running
    running.stop()


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox) -> SandboxClient:
    """The sandbox control API, on a fresh fleet with no sinks."""
    client = SandboxClient(running_sandbox.base_url)
    client.reset()
    client.set_sinks()
    client.ok("DELETE", "/sandbox/logsinks")
    return client


@pytest.fixture
def admin(running_sandbox: RunningSandbox) -> Callable[..., Any]:
    """A CoreV1Api on the Argo CD cluster as a cluster admin (to plant foreign Secrets)."""
    import kubernetes.client as k

    config = k.Configuration(host=running_sandbox.base_url + ARGOCD_GATEWAY)
    config.api_key = {"authorization": "admin-token"}
    config.api_key_prefix = {"authorization": "Bearer"}
    api = k.CoreV1Api(k.ApiClient(config))
    return lambda: api
