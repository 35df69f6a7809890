"""Clusters other Google services register: their membership appears in the fleet, and only the
registering service's audit entries are logged, never a GKE Hub CreateMembership."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sandbox.client import SandboxClient

NUMBER = "123456789012"
MULTICLOUD = "google.cloud.gkemulticloud.v1"
ONPREM = "google.cloud.gkeonprem.v1.GkeOnPrem"


def logged(sandbox: SandboxClient) -> list[tuple[str, str, str]]:
    events = sandbox.wait_idle()["events"]
    return [
        (e["methodName"], e["resourceName"], "first" if e["operation"].get("first") else "last")
        for e in events
    ]


def member(sandbox: SandboxClient, ident: str) -> tuple[int, Any]:
    """The membership as GKE Hub serves it to the function's identity."""
    url = f"{sandbox.base_url}/v1/projects/{NUMBER}/locations/global/memberships/{ident}"
    answer = requests.get(url, headers={"Authorization": "Bearer sandbox-token"}, timeout=10)
    return answer.status_code, answer.json()


@pytest.mark.parametrize(
    ("platform", "fields", "method", "collection", "provider"),
    [
        (
            "attached",
            {"distribution": "eks"},
            f"{MULTICLOUD}.AttachedClusters.CreateAttachedCluster",
            "attachedClusters",
            "aws",
        ),
        (
            "attached",
            {"method": "Import"},
            f"{MULTICLOUD}.AttachedClusters.ImportAttachedCluster",
            "attachedClusters",
            None,
        ),
        ("aws", {}, f"{MULTICLOUD}.AwsClusters.CreateAwsCluster", "awsClusters", "aws"),
        ("azure", {}, f"{MULTICLOUD}.AzureClusters.CreateAzureCluster", "azureClusters", "azure"),
        ("vmware", {}, f"{ONPREM}.CreateVmwareCluster", "vmwareClusters", "vsphere"),
        (
            "vmware",
            {"method": "Enroll"},
            f"{ONPREM}.EnrollVmwareCluster",
            "vmwareClusters",
            "vsphere",
        ),
        (
            "vmware-admin",
            {"method": "Enroll"},
            f"{ONPREM}.EnrollVmwareAdminCluster",
            "vmwareAdminClusters",
            "vsphere",
        ),
        ("baremetal", {}, f"{ONPREM}.CreateBareMetalCluster", "bareMetalClusters", "baremetal"),
        (
            "baremetal-admin",
            {},
            f"{ONPREM}.CreateBareMetalAdminCluster",
            "bareMetalAdminClusters",
            "baremetal",
        ),
    ],
)
def test_a_registration_makes_a_global_membership_and_logs_only_its_service(
    sandbox: SandboxClient,
    platform: str,
    fields: dict[str, Any],
    method: str,
    collection: str,
    provider: str | None,
) -> None:
    answer = sandbox.register(platform, "us-west1", "edge-1", labels={"env": "edge"}, **fields)
    resource = f"projects/acme-fleet/locations/us-west1/{collection}/edge-1"
    assert answer == {
        "name": resource,
        "membership": f"projects/{NUMBER}/locations/global/memberships/edge-1",
    }
    assert logged(sandbox) == [(method, resource, "first"), (method, resource, "last")]
    status, membership = member(sandbox, "edge-1")
    assert status == 200
    assert membership["labels"] == {"env": "edge"}
    endpoint = membership["endpoint"]
    assert "gkeCluster" not in endpoint
    # v1 links the service's cluster (MultiCloudCluster / OnPremCluster.resource_link).
    field = "multiCloudCluster" if "gkemulticloud" in method else "onPremCluster"
    service = method.split(".")[2] + ".googleapis.com"
    link = f"//{service}/projects/{NUMBER}/locations/us-west1/{collection}/edge-1"
    assert endpoint[field]["resourceLink"] == link
    # A node's spec.providerID: "<ProviderName>://<ProviderSpecificNodeID>" (Kubernetes NodeSpec).
    node = endpoint["kubernetesMetadata"].get("nodeProviderId")
    assert (node.partition("://")[0] if node else None) == provider


def test_the_logged_request_and_response_follow_the_service(sandbox: SandboxClient) -> None:
    sandbox.register("aws", "us-east4", "aws-1")
    events = sandbox.wait_idle()["events"]
    assert [e["status"] for e in events] == [{}, {}]
    status, _ = member(sandbox, "aws-1")
    assert status == 200


@pytest.mark.parametrize(
    ("platform", "method", "expected"),
    [
        ("attached", None, f"{MULTICLOUD}.AttachedClusters.DeleteAttachedCluster"),
        ("aws", None, f"{MULTICLOUD}.AwsClusters.DeleteAwsCluster"),
        ("vmware", "Unenroll", f"{ONPREM}.UnenrollVmwareCluster"),
        ("baremetal", None, f"{ONPREM}.DeleteBareMetalCluster"),
        ("vmware-admin", None, f"{ONPREM}.UnenrollVmwareAdminCluster"),
    ],
)
def test_unregistering_removes_the_membership(
    sandbox: SandboxClient, platform: str, method: str | None, expected: str
) -> None:
    sandbox.register(platform, "us-west1", "edge-1")
    sandbox.wait_idle()
    sandbox.ok("DELETE", "/sandbox/events")
    sandbox.unregister(platform, "us-west1", "edge-1", **({"method": method} if method else {}))
    assert [m for m, _, _ in logged(sandbox)] == [expected, expected]
    assert member(sandbox, "edge-1")[0] == 404


def test_a_failed_registration_leaves_no_membership(sandbox: SandboxClient) -> None:
    sandbox.ok("POST", "/sandbox/operations", {"fail_next": 1})
    sandbox.register("azure", "us-west1", "az-1")
    (_, last) = sandbox.wait_idle()["events"]
    assert last["status"]["code"] == 9
    assert member(sandbox, "az-1")[0] == 404


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"platform": "gke", "location": "us-west1", "name": "a"}, 400, "platform must be one of"),
        (
            {"platform": "aws", "location": "us-west1", "name": "a", "method": "Import"},
            400,
            "method must be one of ['Create']",
        ),
        (
            {"platform": "attached", "location": "us-west1", "name": "a", "distribution": "x"},
            400,
            "distribution must be one of",
        ),
        ({"platform": "aws", "location": "nowhere", "name": "a"}, 400, "invalid location"),
        (
            {"platform": "aws", "location": "us-west1", "name": "Bad_Name"},
            400,
            "invalid membership id",
        ),
        (
            {"platform": "aws", "location": "us-west1", "name": "argocd-hub"},
            409,
            "membership global/argocd-hub already exists",
        ),
    ],
)
def test_a_bad_registration_is_refused(
    sandbox: SandboxClient, body: dict[str, Any], status: int, message: str
) -> None:
    got, answer = sandbox.call("POST", "/sandbox/registrations", body)
    assert (got, message in answer["error"]) == (status, True), answer


def test_unregistering_what_no_service_registered_is_404(sandbox: SandboxClient) -> None:
    sandbox.add_membership("global", "by-hand")
    status, answer = sandbox.call("DELETE", "/sandbox/registrations/attached/global/by-hand")
    assert status == 404 and "AttachedCluster global/by-hand not found" in answer["error"]
    sandbox.register("vmware", "us-west1", "v-1")
    status, _ = sandbox.call("DELETE", "/sandbox/registrations/vmware/us-west1/v-1?method=Nope")
    assert status == 400
    status, answer = sandbox.call(
        "POST",
        "/sandbox/registrations",
        {"platform": "vmware", "location": "us-west1", "name": "v-1"},
    )
    assert status == 409 and "VmwareCluster us-west1/v-1 already exists" in answer["error"]
