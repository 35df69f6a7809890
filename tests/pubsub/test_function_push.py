"""End to end through the real emulator: a fleet change, the sandbox's log sink, the emulator's
push subscription, the function, the Secret. What is asserted is state reached (a Secret there
or gone, a log line written), polled for with a bound, never a time."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest
import requests

from sandbox.client import SandboxClient
from sandbox.emulator import PubSubEmulator
from sandbox.harness import FunctionProcess, sandbox_env, start_function
from sandbox.server import RunningSandbox
from tests.pubsub.conftest import BETA
from tests.pubsub.pipeline import Pipeline, connect

NUMBER = "123456789012"


@pytest.fixture(scope="module")
def function(
    sink_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionProcess]:
    process = start_function(
        sandbox_env(sink_sandbox.base_url), tmp_path_factory.mktemp("push") / "function.log"
    )
    yield process
    process.stop()


@pytest.fixture
def pipeline(
    fleets: SandboxClient, pubsub: PubSubEmulator, function: FunctionProcess
) -> Iterator[Pipeline]:
    wired = connect(fleets, pubsub, function.url)
    yield wired
    pubsub.delete_subscription(wired.subscription)


def test_an_attached_cluster_reaches_argo_cd_through_pubsub(
    fleets: SandboxClient, pipeline: Pipeline
) -> None:
    fleets.register("attached", "us-west1", "edge-1", distribution="eks")
    assert pipeline.wait_for(fleets, f"edge-1.global.{NUMBER}", timeout_s=8)
    fleets.unregister("attached", "us-west1", "edge-1")
    assert pipeline.wait_for(fleets, f"edge-1.global.{NUMBER}", present=False, timeout_s=8)


def logged(function: FunctionProcess, text: str, timeout_s: float = 20.0) -> list[str]:
    """The function's log lines containing `text`, once there is at least one."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        lines = [line for line in function.logs().splitlines() if text in line]
        if lines:
            return lines
        time.sleep(0.05)
    return []


def test_a_registration_reaches_argo_cd_through_pubsub(
    fleets: SandboxClient, pipeline: Pipeline
) -> None:
    fleets.add_membership("us-central1", "prod-1", {"env": "prod"})
    assert pipeline.wait_for(fleets, f"prod-1.us-central1.{NUMBER}")
    fleets.delete_membership("us-central1", "prod-1")
    assert pipeline.wait_for(fleets, f"prod-1.us-central1.{NUMBER}", present=False)


def test_a_503_is_redelivered_by_the_emulator_until_it_converges(
    fleets: SandboxClient, pipeline: Pipeline, function: FunctionProcess
) -> None:
    before = len(function.logs())
    # The Argo CD cluster answers 503 to the first writes: the function answers 503 and the
    # emulator, not the test, brings the message back.
    fleets.fault(match="/gkeMemberships/argocd-hub/", method="POST", status=503, count=6)
    fleets.add_membership("us-central1", "flaky-1")
    assert pipeline.wait_for(fleets, f"flaky-1.us-central1.{NUMBER}")
    retried = [line for line in function.logs()[before:].splitlines() if "will be retried" in line]
    assert retried, "the function never answered 503, so nothing was redelivered"
    served = [r for r in fleets.requests() if r["method"] == "POST" and "secrets" in r["path"]]
    statuses = [r["status"] for r in served]
    assert 503 in statuses and 201 in statuses[statuses.index(503) :]


def test_a_poison_message_is_acknowledged_once_and_logged(
    fleets: SandboxClient, pipeline: Pipeline, pubsub: PubSubEmulator, function: FunctionProcess
) -> None:
    poison = base64.b64encode(b"this is no LogEntry").decode()
    pubsub.call("POST", pipeline.topic + ":publish", {"messages": [{"data": poison}]})
    # A good message published after it: once its Secret is there, the poison has had a push
    # and a redelivery's worth of backoff (0.1 s) many times over.
    fleets.add_membership("us-central1", "after-poison")
    assert pipeline.wait_for(fleets, f"after-poison.us-central1.{NUMBER}")
    lines = logged(function, "not a JSON LogEntry")
    assert len(lines) == 1 and '"severity": "ERROR"' in lines[0]


def test_a_change_the_events_never_saw_is_settled_by_resync(
    fleets: SandboxClient, pipeline: Pipeline, function: FunctionProcess
) -> None:
    fleets.add_membership("us-central1", "unseen", emit=False)  # no audit entry at all
    fleets.add_membership("us-central1", "seen")
    assert pipeline.wait_for(fleets, f"seen.us-central1.{NUMBER}")
    assert f"unseen.us-central1.{NUMBER}" not in fleets.secrets()
    assert requests.post(function.url + "/resync", timeout=60).status_code == 200
    assert f"unseen.us-central1.{NUMBER}" in fleets.secrets()


@pytest.fixture(scope="module")
def multi(
    sink_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionProcess]:
    """The function over both fleets of the sandbox (FLEET_SYNC_CONFIG), one Argo CD target."""
    env = sandbox_env(sink_sandbox.base_url)
    del env["FLEET_PROJECT_NUMBER"], env["ARGOCD_MEMBERSHIP"]
    hub = f"projects/{NUMBER}/locations/global/memberships/argocd-hub"
    config = {
        "fleets": [NUMBER, BETA.project_number],
        "targets": [{"name": "hub", "argocd_membership": hub}],
    }
    env["FLEET_SYNC_CONFIG"] = json.dumps(config)
    process = start_function(env, tmp_path_factory.mktemp("multi") / "function.log")
    yield process
    process.stop()


def test_two_fleet_projects_feed_one_topic(
    fleets: SandboxClient, pubsub: PubSubEmulator, multi: FunctionProcess
) -> None:
    wired = connect(fleets, pubsub, multi.url)
    try:
        fleets.add_membership("us-central1", "alpha-1")
        fleets.add_membership("us-central1", "beta-1", project_number=BETA.project_number)
        assert wired.wait_for(fleets, f"alpha-1.us-central1.{NUMBER}")
        assert wired.wait_for(fleets, f"beta-1.us-central1.{BETA.project_number}")
    finally:
        pubsub.delete_subscription(wired.subscription)
