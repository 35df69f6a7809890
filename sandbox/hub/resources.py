"""GKE Hub v1 REST shapes of the fleet's records: memberships, bindings, scopes and fleet
namespaces, as Hub answers with them and as the control API echoes them.

Shapes follow google/cloud/gkehub/v1/membership.proto (`Membership`, `MembershipEndpoint`)
and fleet.proto (`MembershipBinding`, `Scope`, `Namespace`); the namespace name is the one
the REST paths give it (`{name=projects/*/locations/*/scopes/*/namespaces/*}` in
google/cloud/gkehub/v1/service.proto), not the `projects/{p}/locations/{l}/namespaces/{n}`
the proto's comment shows. The records themselves are `state.records` and
`state.scoperecords`.
"""

from __future__ import annotations

from typing import Any

from sandbox.state.records import PLATFORMS, BindingRecord, MembershipRecord
from sandbox.state.scoperecords import NamespaceRecord, ScopeRecord


def membership_json(project: str, record: MembershipRecord) -> dict[str, Any]:
    """A membership as the GKE Hub v1 REST API returns it."""
    location, ident = record.location, record.membership
    return {
        "name": f"projects/{project}/locations/{location}/memberships/{ident}",
        "labels": dict(record.labels),
        "description": record.description,
        "endpoint": _endpoint(record),
        "state": {"code": record.state},
        "createTime": record.create_time,
        "updateTime": record.update_time,
        "uniqueId": record.unique_id,
    }


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
    """`MembershipEndpoint` as google/cloud/gkehub/v1/membership.proto defines it.

    v1 has no field for attached or on-prem clusters (v1beta1's `multiCloudCluster` and
    `onPremCluster`), so those members carry only `kubernetesMetadata`.
    """
    metadata: dict[str, Any] = {
        "kubernetesApiServerVersion": "v1.31.4",
        "updateTime": record.update_time,
    }
    if record.platform != "gke":
        # proto3 JSON omits zero values: GKE reports no nodes here, others do.
        metadata.update(nodeCount=3, vcpuCount=12, memoryMb=49152)
        if PLATFORMS[record.platform]:
            metadata["nodeProviderId"] = PLATFORMS[record.platform]
    endpoint: dict[str, Any] = {"kubernetesMetadata": metadata}
    if record.platform == "gke":
        gke: dict[str, Any] = {"resourceLink": record.cluster}
        if record.cluster_missing:
            gke["clusterMissing"] = True
        endpoint["gkeCluster"] = gke
    return endpoint


def scope_name(project: str, scope: str) -> str:
    return f"projects/{project}/locations/global/scopes/{scope}"


def scope_json(project: str, record: ScopeRecord) -> dict[str, Any]:
    """A scope as GKE Hub v1 REST returns it (`Scope`, fleet.proto)."""
    return {
        "name": scope_name(project, record.scope),
        "uid": record.uid,
        "createTime": record.create_time,
        "updateTime": record.update_time,
        "state": {"code": "READY"},
        "namespaceLabels": dict(record.namespace_labels),
        "labels": dict(record.labels),
    }


def namespace_json(project: str, record: NamespaceRecord) -> dict[str, Any]:
    """A fleet namespace as GKE Hub v1 REST returns it (`Namespace`, fleet.proto)."""
    scope = scope_name(project, record.scope)
    return {
        "name": f"{scope}/namespaces/{record.namespace}",
        "uid": record.uid,
        "createTime": record.create_time,
        "updateTime": record.update_time,
        "state": {"code": "READY"},
        "scope": scope,
        "namespaceLabels": dict(record.namespace_labels),
        "labels": dict(record.labels),
    }
