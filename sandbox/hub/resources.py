"""GKE Hub v1 REST shapes of the fleet's records: memberships, bindings, scopes and fleet
namespaces, as Hub answers with them and as the control API echoes them.

Shapes follow the gkehub v1 discovery document (`Membership`, `MembershipEndpoint`,
`MembershipBinding`, `Scope`, `Namespace`; google/cloud/gkehub/v1/membership.proto and
fleet.proto) in proto3 JSON: fields holding their default are left out; the namespace name
is the one the REST paths give it (`{name=projects/*/locations/*/scopes/*/namespaces/*}` in
google/cloud/gkehub/v1/service.proto), not the `projects/{p}/locations/{l}/namespaces/{n}`
the proto's comment shows. The records themselves are `state.records` and
`state.scoperecords`.
"""

from __future__ import annotations

from typing import Any

from sandbox.google.conventions import omit_defaults, state_json
from sandbox.state.records import PLATFORMS, BindingRecord, MembershipRecord
from sandbox.state.scoperecords import NamespaceRecord, ScopeRecord


def membership_json(project: str, record: MembershipRecord) -> dict[str, Any]:
    """A membership as the GKE Hub v1 REST API returns it (defaults left out, proto3 JSON)."""
    location, ident = record.location, record.membership
    body = omit_defaults(
        {
            "name": f"projects/{project}/locations/{location}/memberships/{ident}",
            "labels": dict(record.labels),
            "description": record.description,
            "createTime": record.create_time,
            "updateTime": record.update_time,
            "uniqueId": record.unique_id,
        }
    )
    return {**body, "endpoint": _endpoint(record), "state": state_json(record.state)}


def binding_json(project: str, record: BindingRecord) -> dict[str, Any]:
    return {
        "name": (
            f"projects/{project}/locations/{record.location}/memberships/"
            f"{record.membership}/bindings/{record.binding}"
        ),
        "scope": f"projects/{project}/locations/global/scopes/{record.scope}",
        "uid": record.uid,
        "createTime": record.create_time,
        "updateTime": record.create_time,
        "state": {"code": "READY"},
    }


def _endpoint(record: MembershipRecord) -> dict[str, Any]:
    """`MembershipEndpoint` as the gkehub v1 discovery document defines it.

    GKE members carry `gkeCluster`; clusters GKE Multi-Cloud or GKE On-Prem registered carry
    `multiCloudCluster` or `onPremCluster` with the link to that service's resource (v1
    revision 20261025 has both; google-cloud-gke-hub 1.26's v1 protos do not yet, and skip
    them as unknown fields); a cluster registered by hand elsewhere only its metadata.
    """
    endpoint: dict[str, Any] = {"kubernetesMetadata": _metadata(record)}
    if record.platform == "gke":
        gke: dict[str, Any] = {"resourceLink": record.cluster}
        if record.cluster_missing:
            gke["clusterMissing"] = True
        endpoint["gkeCluster"] = gke
    elif record.platform_link.startswith("//gkemulticloud."):
        endpoint["multiCloudCluster"] = {"resourceLink": record.platform_link}
    elif record.platform_link.startswith("//gkeonprem."):
        on_prem: dict[str, Any] = {"resourceLink": record.platform_link}
        if "AdminClusters/" in record.platform_link:
            on_prem["adminCluster"] = True
        endpoint["onPremCluster"] = on_prem
    return endpoint


def _metadata(record: MembershipRecord) -> dict[str, Any]:
    """`KubernetesMetadata`: GKE reports no nodes here (so no providerID, as the field's
    description says of zero-node platforms); others report three, and the first node's
    `spec.providerID`."""
    metadata: dict[str, Any] = {
        "kubernetesApiServerVersion": "v1.31.4",
        "updateTime": record.update_time,
    }
    if record.platform != "gke":
        metadata.update(nodeCount=3, vcpuCount=12, memoryMb=49152)
        if scheme := PLATFORMS[record.platform]:
            metadata["nodeProviderId"] = provider_id(scheme, record.unique_id)
    return metadata


def provider_id(scheme: str, seed: str) -> str:
    """A node's `spec.providerID` as each cloud provider writes it ("<ProviderName>://
    <ProviderSpecificNodeID>": aws:///zone/instance, azure:///subscriptions/.../virtualMachines/n,
    vsphere://VM-UUID), its ids drawn from `seed` (a UUID) so a member always reports one."""
    hexes = seed.replace("-", "")
    if scheme == "aws":
        return f"aws:///us-east-1a/i-{hexes[:17]}"
    if scheme == "azure":
        return (
            f"azure:///subscriptions/{seed}/resourceGroups/mc_fleet/providers/"
            "Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-vmss/virtualMachines/0"
        )
    if scheme == "vsphere":
        return f"vsphere://{seed}"
    return f"{scheme}://10.200.0.{int(hexes[:2], 16) % 250 + 2}"


def scope_name(project: str, scope: str) -> str:
    return f"projects/{project}/locations/global/scopes/{scope}"


def scope_json(project: str, record: ScopeRecord) -> dict[str, Any]:
    """A scope as GKE Hub v1 REST returns it (`Scope`, fleet.proto)."""
    body = omit_defaults(
        {
            "name": scope_name(project, record.scope),
            "uid": record.uid,
            "createTime": record.create_time,
            "updateTime": record.update_time,
            "namespaceLabels": dict(record.namespace_labels),
            "labels": dict(record.labels),
        }
    )
    return {**body, "state": {"code": "READY"}}


def namespace_json(project: str, record: NamespaceRecord) -> dict[str, Any]:
    """A fleet namespace as GKE Hub v1 REST returns it (`Namespace`, fleet.proto)."""
    scope = scope_name(project, record.scope)
    body = omit_defaults(
        {
            "name": f"{scope}/namespaces/{record.namespace}",
            "uid": record.uid,
            "createTime": record.create_time,
            "updateTime": record.update_time,
            "scope": scope,
            "namespaceLabels": dict(record.namespace_labels),
            "labels": dict(record.labels),
        }
    )
    return {**body, "state": {"code": "READY"}}
