"""The fleet's records (memberships, bindings) and their GKE Hub v1 REST shapes.

Shapes follow google/cloud/gkehub/v1/membership.proto and fleet.proto: `Membership`,
`MembershipEndpoint`, `MembershipBinding`; scopes and fleet namespaces are in `scoperecords`.
Where records are kept is `fleet`'s concern; how they change is `changes`'.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sandbox.google.conventions import now

MEMBERSHIP_STATES = (
    "CODE_UNSPECIFIED",
    "CREATING",
    "READY",
    "DELETING",
    "UPDATING",
    "SERVICE_UPDATING",
)
# MembershipState.Code values 0-5 are published; a number above stands for a value a future
# API version adds, which an older client library can only hold as a number.
FIRST_UNPUBLISHED_STATE = 6

# Member platforms and what their nodes report as providerID (KubernetesMetadata).
PLATFORMS = {"gke": "", "eks": "aws", "aks": "azure", "on-prem": "vsphere"}


def valid_state(state: object) -> bool:
    if isinstance(state, int) and not isinstance(state, bool):
        return state >= FIRST_UNPUBLISHED_STATE
    return state in MEMBERSHIP_STATES


@dataclass
class MembershipRecord:
    location: str
    membership: str
    labels: dict[str, str]
    state: str | int
    cluster: str
    description: str = ""
    platform: str = "gke"
    # A GKE cluster created with its fleet membership: deleting the cluster deletes both.
    # Registered by hand, the membership outlives the cluster, with clusterMissing set.
    at_creation: bool = False
    cluster_missing: bool = False
    unique_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    create_time: str = field(default_factory=now)
    update_time: str = field(default_factory=now)


@dataclass
class BindingRecord:
    location: str
    membership: str
    binding: str
    scope: str
    uid: str = field(default_factory=lambda: str(uuid.uuid4()))
    create_time: str = field(default_factory=now)


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
        metadata.update(
            nodeProviderId=PLATFORMS[record.platform], nodeCount=3, vcpuCount=12, memoryMb=49152
        )
    endpoint: dict[str, Any] = {"kubernetesMetadata": metadata}
    if record.platform == "gke":
        gke: dict[str, Any] = {"resourceLink": record.cluster}
        if record.cluster_missing:
            gke["clusterMissing"] = True
        endpoint["gkeCluster"] = gke
    return endpoint
