"""Audit-log events delivered by the sandbox's Eventarc to the function (functions-framework)."""

import pytest
import requests

from tests.cloudevents import audit_event

NUMBER = "123456789012"
PROD = f"prod-1.us-central1.{NUMBER}"


def managed(sandbox):
    return {
        n: s
        for n, s in sandbox.secrets().items()
        if s["metadata"].get("labels", {}).get("app.kubernetes.io/managed-by")
    }


def test_create_update_delete_membership(synced):
    synced.add_membership("us-central1", "prod-1", {"env": "prod", "tier": "web"})
    synced.wait_idle()
    secret = managed(synced)[PROD]
    labels = secret["metadata"]["labels"]
    assert labels["env"] == "prod" and labels["tier"] == "web"
    assert labels["argocd.argoproj.io/secret-type"] == "cluster"
    assert secret["data"]["server"].endswith(
        f"/v1/projects/{NUMBER}/locations/us-central1/gkeMemberships/prod-1"
    )

    synced.update_membership("us-central1", "prod-1", labels={"env": "staging"})
    synced.wait_idle()
    labels = managed(synced)[PROD]["metadata"]["labels"]
    assert labels["env"] == "staging" and "tier" not in labels

    synced.delete_membership("us-central1", "prod-1")
    synced.wait_idle()
    assert PROD not in synced.secrets()


@pytest.mark.parametrize("version", ["v1beta1", "v1alpha", "v1beta"])
def test_every_api_version(synced, version):
    synced.add_membership("us-central1", "prod-1", api_version=version)
    synced.wait_idle()
    assert PROD in managed(synced)
    synced.delete_membership("us-central1", "prod-1", api_version=version)
    synced.wait_idle()
    assert PROD not in synced.secrets()


def test_bindings_become_scope_labels(synced):
    synced.add_membership("us-central1", "prod-1")
    synced.bind("us-central1/prod-1", "team-a")
    synced.wait_idle()
    labels = managed(synced)[PROD]["metadata"]["labels"]
    assert labels["scope.fleet-argocd-sync.io/team-a"] == "true"
    synced.ok("DELETE", "/sandbox/bindings/us-central1/prod-1/team-a")
    synced.wait_idle()
    assert "scope.fleet-argocd-sync.io/team-a" not in managed(synced)[PROD]["metadata"]["labels"]


def test_resource_names_with_the_project_number(synced):
    synced.add_membership("us-central1", "prod-1", audit_project="number")
    synced.wait_idle()
    assert PROD in managed(synced)


def test_cluster_created_and_deleted_with_fleet_registration(synced):
    synced.ok(
        "POST",
        "/sandbox/clusters",
        {"location": "europe-west1", "name": "c1", "labels": {"env": "dev"}},
    )
    synced.wait_idle()
    name = f"c1.europe-west1.{NUMBER}"
    assert managed(synced)[name]["metadata"]["labels"]["env"] == "dev"
    synced.ok("DELETE", "/sandbox/clusters/europe-west1/c1")
    synced.wait_idle()
    assert name not in synced.secrets()


def test_events_are_acknowledged_once_each(synced):
    synced.add_membership("us-central1", "prod-1")
    events = synced.wait_idle()["events"]
    assert [d["attempts"] for e in events for d in e["deliveries"]] == [1, 1]
    assert all(d["status"] == 200 for e in events for d in e["deliveries"])


def test_a_transitional_state_leaves_the_secret_alone(synced):
    synced.add_membership("us-central1", "prod-1", {"env": "prod"})
    synced.wait_idle()
    version = managed(synced)[PROD]["metadata"]["resourceVersion"]
    synced.update_membership("us-central1", "prod-1", state="UPDATING", labels={"env": "x"})
    synced.wait_idle()
    secret = managed(synced)[PROD]
    assert secret["metadata"]["resourceVersion"] == version
    synced.update_membership("us-central1", "prod-1", state="DELETING")
    synced.wait_idle()
    assert PROD not in synced.secrets()


def test_one_event_costs_six_calls_with_a_write_and_three_without(synced):
    synced.add_membership("us-central1", "prod-1", emit=False)
    synced.clear_requests()
    headers, body = audit_event(
        "google.cloud.gkehub.v1.GkeHub.CreateMembership",
        "projects/acme-fleet/locations/us-central1/memberships/prod-1",
    )
    function_url = synced.ok("GET", "/sandbox/sinks")[0]
    assert requests.post(function_url, headers=headers, data=body, timeout=30).status_code == 200
    calls = synced.requests()
    # Secret, membership, bindings; the create; membership and bindings again (step 4).
    assert [c["method"] for c in calls] == ["GET", "GET", "GET", "POST", "GET", "GET"]
    assert "/secrets/" in calls[0]["path"] and "memberships/prod-1" in calls[1]["path"]
    synced.clear_requests()
    assert requests.post(function_url, headers=headers, data=body, timeout=30).status_code == 200
    assert [c["method"] for c in synced.requests()] == ["GET", "GET", "GET"]


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_an_existing_cluster_registered_through_update_cluster(sandbox, function, version):
    """`gcloud container clusters update --fleet-project` logs GKE's UpdateCluster; whether
    GKE Hub also logs a CreateMembership is not published, so UpdateCluster is handled."""
    link = "//container.googleapis.com/projects/acme-fleet/locations/europe-west1/clusters/c9"
    sandbox.add_membership("europe-west1", "c9", {"env": "dev"}, cluster=link, emit=False)
    headers, body = audit_event(
        f"google.container.{version}.ClusterManager.UpdateCluster",
        "projects/acme-fleet/locations/europe-west1/clusters/c9",
    )
    answer = requests.post(function.url, headers=headers, data=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert f"c9.europe-west1.{NUMBER}" in managed(sandbox)
