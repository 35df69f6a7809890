"""Members that are not GKE clusters, and GKE clusters deleted under their membership.

Sources: google/cloud/gkehub/v1/membership.proto (MembershipEndpoint, GkeCluster
.cluster_missing, KubernetesMetadata) and gcloud's Connect Gateway credentials command, which
builds `gkeMemberships/` URLs for GKE members and `memberships/` URLs for the others.
"""

import kubernetes.client as k
import pytest
import requests
from google.cloud import gkehub_v1

from tests.conftest import PROJECT_NUMBER
from tests.integration.kube import core

PARENT = f"projects/{PROJECT_NUMBER}/locations/us-central1"


def member(hub, ident):
    return hub.get_membership(name=f"{PARENT}/memberships/{ident}")


def gateway(base_url, collection, ident):
    path = f"/v1/{PARENT}/{collection}/{ident}"
    return core(base_url, "admin-token", path=path)


@pytest.mark.parametrize(
    ("platform", "provider"), [("eks", "aws"), ("aks", "azure"), ("on-prem", "vsphere")]
)
def test_members_that_are_not_gke_have_no_gke_cluster(sandbox, hub, platform, provider):
    sandbox.add_membership("us-central1", "other", platform=platform)
    found = member(hub, "other")
    endpoint = gkehub_v1.MembershipEndpoint.pb(found.endpoint)
    assert not endpoint.HasField("gke_cluster")
    # A node's spec.providerID: "<ProviderName>://<ProviderSpecificNodeID>" (Kubernetes NodeSpec).
    scheme, _, node = found.endpoint.kubernetes_metadata.node_provider_id.partition("://")
    assert (scheme, bool(node)) == (provider, True)


def test_gke_members_keep_their_resource_link(sandbox, hub):
    sandbox.add_membership("us-central1", "gke")
    found = member(hub, "gke")
    assert found.endpoint.gke_cluster.resource_link.endswith("/locations/us-central1/clusters/gke")
    assert not found.endpoint.gke_cluster.cluster_missing
    assert found.endpoint.kubernetes_metadata.kubernetes_api_server_version


def test_gateway_paths_per_kind(sandbox, running_sandbox):
    sandbox.add_membership("us-central1", "eks-1", platform="eks")
    sandbox.add_membership("us-central1", "gke-1")
    base = running_sandbox.base_url
    for collection, ident in (
        ("memberships", "eks-1"),
        ("memberships", "gke-1"),
        ("gkeMemberships", "gke-1"),
    ):
        assert gateway(base, collection, ident).list_namespaced_secret("default").items == []
    answer = requests.get(
        f"{base}/v1/{PARENT}/gkeMemberships/eks-1/api/v1/namespaces/default/secrets",
        headers={"Authorization": "Bearer admin-token"},
        timeout=5,
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["status"] == "NOT_FOUND"


def test_unknown_platform_is_refused(sandbox):
    status, _ = sandbox.call(
        "POST", "/sandbox/memberships", {"location": "us-central1", "id": "x", "platform": "gdc"}
    )
    assert status == 400
    status, _ = sandbox.call(
        "POST",
        "/sandbox/memberships",
        {"location": "us-central1", "id": "x", "platform": "eks", "cluster": "//x"},
    )
    assert status == 400


def test_deleting_a_hand_registered_cluster_leaves_cluster_missing(sandbox, hub, running_sandbox):
    sandbox.add_membership("us-central1", "hand")
    sandbox.ok("DELETE", "/sandbox/clusters/us-central1/hand")
    found = member(hub, "hand")
    assert found.endpoint.gke_cluster.cluster_missing
    assert found.state.code == gkehub_v1.MembershipState.Code.READY
    with pytest.raises(k.ApiException) as raised:
        gateway(running_sandbox.base_url, "gkeMemberships", "hand").list_namespaced_secret(
            "default"
        )
    assert raised.value.status == 404
    status, _ = sandbox.call("DELETE", "/sandbox/clusters/us-central1/hand")
    assert status == 404  # the cluster is already gone


def test_deleting_a_cluster_registered_at_creation_removes_its_membership(sandbox, hub):
    sandbox.ok("POST", "/sandbox/clusters", {"location": "us-central1", "name": "made"})
    sandbox.ok("DELETE", "/sandbox/clusters/us-central1/made")
    names = [m.name for m in hub.list_memberships(parent=PARENT)]
    assert names == []
