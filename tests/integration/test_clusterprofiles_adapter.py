"""The ClusterProfiles adapter against the sandbox's API server with the Cluster Inventory
CRD: a create writes the object, then its status through `/status`; an update is conditional
on the resourceVersion read; a condition keeps its time while its status stays; a stale
write or delete is a conflict; another manager's ClusterProfile reads as theirs."""

from __future__ import annotations

import kubernetes.client as k
import pytest

from fleetsync.adapters.clusterprofiles import ClusterProfiles
from fleetsync.core.errors import ConflictError
from fleetsync.core.model import Membership, MembershipRef
from fleetsync.core.profiles import ProfileTarget, render_profile
from tests.conftest import PROJECT_NUMBER
from tests.integration.kube import GATEWAY, gateway

NAMESPACE = "fleet-cluster-inventory"
TIMES = iter(f"2026-12-04T10:00:{s:02d}Z" for s in range(60))


@pytest.fixture
def profiles(sandbox, running_sandbox) -> ClusterProfiles:
    return ClusterProfiles(gateway(running_sandbox.base_url), NAMESPACE, now=lambda: next(TIMES))


def wanted(state: str = "READY", **labels: str):
    membership = Membership(MembershipRef("us-central1", "prod-1"), state, labels or {"env": "a"})
    return render_profile(membership, ProfileTarget(PROJECT_NUMBER))[0]


def test_a_create_writes_the_object_then_its_status(profiles, sandbox):
    created = profiles.create(wanted())
    stored = sandbox.clusterprofiles(namespace=NAMESPACE)[created.name]
    assert stored["spec"]["clusterManager"] == {"name": "fleet-argocd-sync"}
    assert stored["status"]["accessProviders"][0]["name"] == "argo-cd-builtin-gcp"
    health = stored["status"]["conditions"][0]
    assert (health["type"], health["status"]) == ("ControlPlaneHealthy", "True")
    assert created.resource_version == stored["metadata"]["resourceVersion"]
    assert profiles.list_profiles()[created.name].cluster_manager == "fleet-argocd-sync"
    with pytest.raises(ConflictError):
        profiles.create(wanted())


def test_an_update_is_conditional_and_keeps_an_unchanged_conditions_time(profiles, sandbox):
    created = profiles.create(wanted(env="a", old="1"))
    joined_at = created.status["conditions"][1]["lastTransitionTime"]
    updated = profiles.update(created, wanted("CREATING", env="b"), stale_labels=("old",))
    stored = sandbox.clusterprofiles(namespace=NAMESPACE)[created.name]
    assert stored["metadata"]["labels"]["env"] == "b"
    assert "old" not in stored["metadata"]["labels"]
    health, joined = stored["status"]["conditions"]
    assert health["status"] == "Unknown" and health["lastTransitionTime"] != joined_at
    assert joined["lastTransitionTime"] == joined_at
    with pytest.raises(ConflictError):
        profiles.update(created, wanted(env="c"))  # read before the update above
    with pytest.raises(ConflictError):
        profiles.delete(created)
    profiles.delete(updated)
    assert created.name not in sandbox.clusterprofiles(namespace=NAMESPACE)
    profiles.delete(updated)  # already gone: fine


def test_another_managers_cluster_profile_reads_as_theirs(profiles, running_sandbox):
    config = k.Configuration(host=running_sandbox.base_url + GATEWAY)
    config.api_key = {"authorization": "admin-token"}
    config.api_key_prefix = {"authorization": "Bearer"}
    admin = k.CustomObjectsApi(k.ApiClient(config))
    theirs = {
        "apiVersion": "multicluster.x-k8s.io/v1alpha1",
        "kind": "ClusterProfile",
        "metadata": {
            "name": "prod-1-us-central1",
            "labels": {"x-k8s.io/cluster-manager": "gke-fleet"},
        },
        "spec": {"clusterManager": {"name": "gke-fleet"}},
    }
    admin.create_namespaced_custom_object(
        "multicluster.x-k8s.io", "v1alpha1", NAMESPACE, "clusterprofiles", theirs
    )
    listed = profiles.list_profiles()
    assert listed["prod-1-us-central1"].cluster_manager == "gke-fleet"
