"""One real Pub/Sub emulator for the test session, and a sandbox of two fleets that publishes to it.

Where the Cloud SDK's emulator is absent these tests skip, saying so; where it is present they
run: a failure to start it is an error, never a skip (the only skip is the `binary is None`
branch, and `test_emulator.py` checks that CI finds the binary).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.emulator import PubSubEmulator, emulator_binary, start_emulator
from sandbox.server import RunningSandbox, start
from sandbox.state.fleet import FleetId

PROJECT_ID, PROJECT_NUMBER = "acme-fleet", "123456789012"
BETA = FleetId("beta-fleet", "210987654321")
PUBSUB_PROJECT = "acme-logs"  # where the sink's topic lives, beside the fleets
ABSENT = "the Pub/Sub emulator is not installed (gcloud components install pubsub-emulator)"


@pytest.fixture(scope="session")
def emulator_path() -> Path | None:
    return emulator_binary()


@pytest.fixture(scope="session")
def pubsub(
    emulator_path: Path | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PubSubEmulator]:
    """The Cloud SDK's Pub/Sub emulator, started once and stopped by its process."""
    if emulator_path is None:
        pytest.skip(ABSENT)
    emulator = start_emulator(emulator_path, tmp_path_factory.mktemp("pubsub") / "emulator.log")
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def sink_sandbox(pubsub: PubSubEmulator) -> Iterator[RunningSandbox]:
    """A sandbox of two fleets whose log sinks publish to the session's emulator."""
    running = start(
        project_id=PROJECT_ID,
        project_number=PROJECT_NUMBER,
        fleets=[BETA],
        pubsub_emulator=pubsub.host_port,
        eventarc_time_scale=0.005,
    )
    yield running
    running.stop()


@pytest.fixture
def fleets(sink_sandbox: RunningSandbox) -> SandboxClient:
    """The two-fleet sandbox, reset, with no log sinks and no Eventarc sinks."""
    client = SandboxClient(sink_sandbox.base_url)
    client.reset()
    client.set_sinks()
    client.ok("DELETE", "/sandbox/logsinks")
    return client


def fresh(kind: str, project: str = PUBSUB_PROJECT) -> str:
    """A new topic or subscription name: every test has its own."""
    return f"projects/{project}/{kind}/t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def topic(pubsub: PubSubEmulator) -> str:
    name = fresh("topics")
    pubsub.create_topic(name)
    return name


@pytest.fixture
def reader(pubsub: PubSubEmulator, topic: str) -> str:
    """A pull subscription on `topic`, to read what was published."""
    name = fresh("subscriptions")
    pubsub.create_pull_subscription(name, topic)
    return name
