"""End to end through the real emulator: a fleet change, the sink, the push, the function, the
Secret. The function accepts Pub/Sub push bodies once issue 22's function side is merged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.client import SandboxClient
from sandbox.emulator import PubSubEmulator
from sandbox.harness import FunctionProcess, sandbox_env, start_function
from sandbox.server import RunningSandbox
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


@pytest.mark.xfail(
    strict=False, reason="the function accepts Pub/Sub push bodies from issue 22's function side"
)
def test_an_attached_cluster_reaches_argo_cd_through_pubsub(
    fleets: SandboxClient, pipeline: Pipeline
) -> None:
    fleets.register("attached", "us-west1", "edge-1", distribution="eks")
    assert pipeline.wait_for(fleets, f"edge-1.global.{NUMBER}", timeout_s=8)
    fleets.unregister("attached", "us-west1", "edge-1")
    assert pipeline.wait_for(fleets, f"edge-1.global.{NUMBER}", present=False, timeout_s=8)
