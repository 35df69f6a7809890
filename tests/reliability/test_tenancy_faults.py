"""Tenancy through the real adapters (GKE Hub REST client, Kubernetes CustomObjectsApi over
Connect Gateway) against the session sandbox, wired in-process by `fleetsync.app.wiring.connect`
exactly as the function wires itself. Faults are counted, not timed: no sleeps."""

from __future__ import annotations

import json

import kubernetes.client as k
import pytest

from fleetsync.app.sync import Sync
from fleetsync.app.wiring import connect
from fleetsync.config.settings import Settings
from sandbox.harness import sandbox_env
from tests.conftest import ARGOCD_GATEWAY, PROJECT_NUMBER

GROUP, VERSION, PLURAL = "argoproj.io", "v1alpha1", "appprojects"
TARGET = {
    "name": "teams",
    "argocd_membership": f"projects/{PROJECT_NUMBER}/locations/global/memberships/argocd-hub",
    "tenancy": {"enabled": True, "prefix": "team-"},
}
ROLES = [
    {
        "name": "deployers",
        "policies": ["p, proj:team-pay:deployers, applications, get, team-pay/*, allow"],
    }
]


def multi(base_url: str, *targets: dict[str, object]) -> Sync:
    env = {
        k: v
        for k, v in sandbox_env(base_url).items()
        if k not in ("FLEET_PROJECT_NUMBER", "ARGOCD_MEMBERSHIP")
    }
    env["FLEET_SYNC_CONFIG"] = json.dumps({"fleets": [PROJECT_NUMBER], "targets": list(targets)})
    return connect(Settings.from_env(env))


@pytest.fixture
def projects_api(running_sandbox):
    config = k.Configuration(host=running_sandbox.base_url + ARGOCD_GATEWAY)
    config.api_key = {"authorization": "admin-token"}
    config.api_key_prefix = {"authorization": "Bearer"}
    return k.CustomObjectsApi(k.ApiClient(config))


def test_a_namespaces_list_answering_404_never_deletes_a_live_teams_appproject(
    sandbox, running_sandbox, projects_api
):
    """One 404 on `scopes/pay/namespaces` (the scope is live: listed, and bound) never
    deletes team-pay: it makes the view incomplete, and a delete is confirmed by reading
    every fleet's scopes again. The roles added by hand survive."""
    sandbox.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    sandbox.add_scope("pay")
    sandbox.add_namespace("pay", "web")
    sandbox.bind("us-central1/m1", "pay")
    sync = multi(running_sandbox.base_url, TARGET)
    first = sync.resync()
    assert not first.errors, first.to_json()
    assert "team-pay" in sandbox.appprojects()
    projects_api.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        "argocd",
        PLURAL,
        "team-pay",
        {"spec": {"roles": ROLES}},
        _content_type="application/merge-patch+json",
    )
    uid = sandbox.appprojects()["team-pay"]["metadata"]["uid"]
    sandbox.fault(match="/scopes/pay/namespaces", method="GET", status=404, count=1)
    sync.resync()
    sandbox.ok("DELETE", "/sandbox/faults")
    after = sandbox.appprojects()["team-pay"]
    assert after["metadata"]["uid"] == uid, "team-pay was deleted and created again"
    assert after["spec"].get("roles") == ROLES


@pytest.mark.parametrize(
    ("match", "count"),
    [
        ("/locations/global/scopes", 1),  # the scopes list: control for the test above
        # A listed scope whose namespaces keep answering 404 is an incomplete view, not a
        # scope gone: even the confirming read before a delete sees the same 404.
        ("/scopes/pay/namespaces", 1000),
    ],
)
def test_a_404_on_scopes_or_namespaces_writes_nothing(sandbox, running_sandbox, match, count):
    sandbox.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    sandbox.add_scope("pay")
    sandbox.add_namespace("pay", "web")
    sync = multi(running_sandbox.base_url, TARGET)
    sync.resync()
    uid = sandbox.appprojects()["team-pay"]["metadata"]["uid"]
    sandbox.fault(match=match, method="GET", status=404, count=count)
    report = sync.resync()
    sandbox.ok("DELETE", "/sandbox/faults")
    assert report.retryable
    assert sandbox.appprojects()["team-pay"]["metadata"]["uid"] == uid
