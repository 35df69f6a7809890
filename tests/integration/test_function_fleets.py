"""The multi form end to end: two fleets into two Argo CD targets, through the real function
(FLEET_SYNC_CONFIG), real clients and the sandbox's two fleets, with events delivered by its
Eventarc. Target "prod" (the Argo CD cluster of fleet A) selects env=prod across both fleets;
target "teams" (an Argo CD cluster registered in fleet B) gets everything and tenancy."""

from __future__ import annotations

from typing import Any

import kubernetes.client as k
import pytest

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess
from sandbox.server import RunningSandbox
from tests.integration.fleets import TEAMS_HUB, A, B, destinations, fresh, projects, secrets
from tests.integration.functions import Fn


@pytest.fixture
def fleets(two_fleets: RunningSandbox, multi: FunctionProcess) -> SandboxClient:
    return fresh(two_fleets, multi)


def test_two_fleets_into_two_targets(fleets, multi):
    fleets.add_membership("us-central1", "prod-a", {"env": "prod"})
    fleets.add_membership("us-central1", "dev-a", {"env": "dev"})
    fleets.add_membership("us-central1", "prod-b", {"env": "prod"}, project_number=B)
    fleets.wait_idle()
    prod, teams = secrets(fleets, "prod"), secrets(fleets, "teams")
    assert sorted(prod) == [f"prod-a.us-central1.{A}", f"prod-b.us-central1.{B}"]
    events = [f"prod-a.us-central1.{A}", f"dev-a.us-central1.{A}", f"prod-b.us-central1.{B}"]
    assert sorted(teams) == sorted(events)
    labels = prod[f"prod-b.us-central1.{B}"]["metadata"]["labels"]
    assert labels["fleet-argocd-sync.io/target"] == "prod"
    server = teams[f"prod-b.us-central1.{B}"]["data"]["server"]
    assert server.endswith(f"/v1/projects/{B}/locations/us-central1/gkeMemberships/prod-b")
    # The two Argo CD clusters were registered with no event here: the resync adds them.
    status, report = Fn(multi.url).resync()
    assert status == 200, report
    hubs = [f"argocd-hub.global.{A}", f"{TEAMS_HUB}.global.{B}"]
    assert sorted(report["targets"]["teams"]["created"]) == hubs
    assert report["targets"]["teams"]["unchanged"] == 3
    assert (report["targets"]["prod"]["created"], report["targets"]["prod"]["unchanged"]) == ([], 2)
    assert report["failed_targets"] == []
    assert sorted(secrets(fleets, "teams")) == sorted(events + hubs)


def test_an_unreachable_fleet_withholds_its_deletes_and_the_other_is_synced(fleets, multi):
    fleets.add_membership("us-central1", "prod-a", {"env": "prod"}, emit=False)
    fleets.add_membership("us-central1", "prod-b", {"env": "prod"}, project_number=B, emit=False)
    assert Fn(multi.url).resync()[0] == 200
    fleets.delete_membership("us-central1", "prod-a", emit=False)
    fleets.ok(
        "DELETE", f"/sandbox/memberships/us-central1/prod-b?project_number={B}", {"emit": False}
    )
    fleets.fault(
        match=f"/projects/{B}/locations/-/memberships", unreachable=["us-central1"], count=100
    )
    status, report = Fn(multi.url).resync()
    fleets.ok("DELETE", "/sandbox/faults")
    assert status == 503, report
    assert f"prod-a.us-central1.{A}" not in secrets(fleets, "prod")  # fleet A: deleted
    assert f"prod-b.us-central1.{B}" in secrets(fleets, "prod")  # fleet B: withheld
    assert f"prod-b.us-central1.{B}" in report["targets"]["prod"]["deletes_withheld"]
    # From both targets, each name saying which.
    deleted = {f"prod/prod-a.us-central1.{A}", f"teams/prod-a.us-central1.{A}"}
    assert deleted <= set(report["deleted"])


def test_one_target_failing_leaves_the_other_synced_and_the_answer_names_it(fleets, multi):
    fleets.fault(
        match=f"/projects/{B}/locations/global/gkeMemberships/{TEAMS_HUB}/", status=503, count=1000
    )
    fleets.add_membership("us-central1", "prod-a", {"env": "prod"}, emit=False)
    status, report = Fn(multi.url).resync()
    fleets.ok("DELETE", "/sandbox/faults")
    assert status == 503
    assert report["failed_targets"] == ["teams"]
    assert any("503" in error for error in report["targets"]["teams"]["errors"])
    assert list(secrets(fleets, "prod")) == [f"prod-a.us-central1.{A}"]
    assert secrets(fleets, "teams") == {}


def test_tenancy_follows_scopes_namespaces_and_bindings(fleets, multi, two_fleets):
    admin = custom_objects(two_fleets)
    foreign = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "team-ops", "labels": {"owner": "platform"}},
        "spec": {"sourceRepos": ["https://example.com/ops"]},
    }
    admin.create_namespaced_custom_object(
        "argoproj.io", "v1alpha1", "argocd", "appprojects", foreign
    )
    fleets.add_membership("us-central1", "prod-a", {"env": "prod"})
    fleets.add_scope("payments")
    fleets.add_namespace("payments", "web")
    fleets.add_scope("ops", project_number=B)
    fleets.bind("us-central1/prod-a", "payments")
    fleets.wait_idle()
    found = projects(fleets)
    assert destinations(found["team-payments"]) == ["prod-a/web"]
    assert found["team-payments"]["spec"]["clusterResourceWhitelist"] == []
    assert found["team-ops"]["spec"] == foreign["spec"]  # not ours: never touched
    # Bound to one scope: that scope's AppProject in this target only.
    assert secrets(fleets, "teams")[f"prod-a.us-central1.{A}"]["data"]["project"] == "team-payments"
    assert "project" not in secrets(fleets, "prod")[f"prod-a.us-central1.{A}"]["data"]

    fleets.add_namespace("payments", "api")
    fleets.wait_idle()
    assert destinations(projects(fleets)["team-payments"]) == ["prod-a/api", "prod-a/web"]

    fleets.ok("DELETE", "/sandbox/bindings/us-central1/prod-a/payments")
    fleets.wait_idle()
    assert destinations(projects(fleets)["team-payments"]) == []
    assert "project" not in secrets(fleets, "teams")[f"prod-a.us-central1.{A}"]["data"]

    fleets.delete_scope("payments")
    fleets.wait_idle()
    assert sorted(projects(fleets)) == ["team-ops"]
    assert projects(fleets)["team-ops"]["spec"] == foreign["spec"]
    status, report = Fn(multi.url).resync()
    assert (status, report["conflicts"]) == (200, ["teams/AppProject team-ops"]), report
    assert projects(fleets)["team-ops"]["spec"] == foreign["spec"]


def test_the_single_form_answers_exactly_as_before(synced, fn):
    """No target label on the Secrets and no per-target keys in the answer."""
    synced.add_membership("us-central1", "prod-1", {"env": "prod"}, emit=False)
    status, report = fn.resync()
    assert status == 200
    assert not {"targets", "failed_targets", "app_projects"} & set(report)
    assert all("target" not in change for change in report["changes"])
    for secret in synced.secrets().values():
        assert "fleet-argocd-sync.io/target" not in secret["metadata"]["labels"]


def custom_objects(running: RunningSandbox) -> Any:
    """CustomObjectsApi on the teams Argo CD cluster as a cluster admin."""
    path = f"/v1/projects/{B}/locations/global/gkeMemberships/{TEAMS_HUB}"
    config = k.Configuration(host=running.base_url + path)
    config.api_key = {"authorization": "admin-token"}
    config.api_key_prefix = {"authorization": "Bearer"}
    return k.CustomObjectsApi(k.ApiClient(config))
