"""Writes through Connect Gateway keep to the budget, and a 429's Retry-After is honoured:
the real adapter over real HTTP against the sandbox's quota, on one shared fake clock."""

from __future__ import annotations

import json
import time

import pytest

from bench.series import busiest_minute
from fleetsync.adapters.argocd import ArgoCD
from fleetsync.app.wiring import connect
from fleetsync.config.settings import Settings
from fleetsync.core.model import ClusterSecret
from sandbox.harness import sandbox_env
from tests.conftest import PROJECT_NUMBER
from tests.faketime import FakeTime
from tests.integration.kube import gateway

SINGLE = ("FLEET_PROJECT_NUMBER", "ARGOCD_MEMBERSHIP")


@pytest.fixture
def shared_time(running_sandbox):
    """The sandbox's clock and the adapter's clock and sleep: sleeping moves time."""
    shared = FakeTime(5000.0)
    running_sandbox.store.clock = shared.clock
    yield shared
    running_sandbox.store.clock = time.monotonic


def adapter(running_sandbox, shared: FakeTime, budget: int) -> ArgoCD:
    return ArgoCD(
        gateway(
            running_sandbox.base_url,
            gateway_max_writes_per_minute=budget,
            clock=shared.clock,
            sleep=shared.sleep,
        )
    )


def secret(i: int) -> ClusterSecret:
    return ClusterSecret(f"c{i}", {"argocd.argoproj.io/secret-type": "cluster"})


def test_writes_keep_to_the_budget_and_never_meet_a_429(sandbox, running_sandbox, shared_time):
    sandbox.ok("POST", "/sandbox/gateway", {"quota_rpm": 12})  # the fleet's quota
    argocd = adapter(running_sandbox, shared_time, budget=10)  # our share of it
    for i in range(25):
        argocd.create(secret(i))
    served = sandbox.requests()
    assert [r for r in served if r["status"] == 429] == []
    assert len([r for r in served if r["method"] == "POST" and r["status"] == 201]) == 25
    assert shared_time.now - 5000.0 == pytest.approx(120.0)  # 10, 10 a minute later, then 5
    assert argocd.paced_seconds() == pytest.approx(sum(shared_time.slept))


def test_a_429_is_retried_after_its_retry_after(sandbox, running_sandbox, shared_time):
    sandbox.ok("POST", "/sandbox/gateway", {"quota_rpm": 3})  # Argo CD took the rest
    argocd = adapter(running_sandbox, shared_time, budget=0)
    for i in range(3):
        argocd.create(secret(i))
    shared_time.now += 15
    argocd.create(secret(3))  # 429, Retry-After 45, then created
    statuses = [r["status"] for r in sandbox.requests() if r["method"] == "POST"]
    assert statuses == [201, 201, 201, 429, 201]
    assert shared_time.slept == [45.0]
    assert "c3" in sandbox.secrets()


def test_two_targets_through_one_fleet_projects_gateway_share_one_budget(
    sandbox, running_sandbox, shared_time
):
    """The quota is the fleet project's, so the budget is: two Argo CD clusters of one fleet
    project, written through its gateway, together keep to it (each with a budget of its
    own, they wrote twice as much in a minute)."""
    hub = f"projects/{PROJECT_NUMBER}/locations/global/memberships/"
    sandbox.add_membership("global", "argocd-two", emit=False, argocd_namespace="argocd")
    document = {
        "fleets": [PROJECT_NUMBER],
        "targets": [
            {"name": "prod", "argocd_membership": hub + "argocd-hub"},
            {"name": "all", "argocd_membership": hub + "argocd-two"},
        ],
    }
    env = {k: v for k, v in sandbox_env(running_sandbox.base_url).items() if k not in SINGLE}
    # One write at a time: a sleeping thread moves the shared clock under the others' feet.
    env |= {"FLEET_SYNC_CONFIG": json.dumps(document), "SYNC_CONCURRENCY": "1"}
    env["GATEWAY_MAX_WRITES_PER_MINUTE"] = "5"
    for i in range(6):
        sandbox.add_membership("us-central1", f"m{i}", emit=False)
    sync = connect(Settings.from_env(env), clock=shared_time.clock, sleep=shared_time.sleep)
    report = sync.resync()
    assert not report.errors and len(report.changes) >= 12
    served = sandbox.requests()
    created = [r for r in served if r["method"] == "POST" and "/secrets" in r["path"]]
    assert len(created) == len(report.changes)
    # Every gateway write counts: the Secrets' and the resync Leases'.
    writes = [r["at"] for r in served if r["method"] != "GET" and "/api" in r["path"]]
    assert busiest_minute(writes) == 5
