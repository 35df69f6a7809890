"""The fleet's records: memberships and bindings.

Fields follow google/cloud/gkehub/v1/membership.proto and fleet.proto (`Membership`,
`MembershipBinding`); scopes and fleet namespaces are in `scoperecords`. Hub answers with
them in the shapes of `hub.resources`; where they are kept is `fleet`'s concern, and how they
change the control API's (`control.changes`).
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

# Member platforms and the scheme of their nodes' providerID (KubernetesMetadata.nodeProviderId,
# which is a node's `spec.providerID`, "<ProviderName>://<ProviderSpecificNodeID>" in the
# Kubernetes NodeSpec; the ids themselves are `hub.resources`'). GKE on AWS and Azure run on
# those clouds' providers; "generic" (an attached cluster of another distribution) reports
# none; "baremetal" is the sandbox's reading of GKE on bare metal nodes.
PLATFORMS = {
    "gke": "",
    "eks": "aws",
    "aks": "azure",
    "on-prem": "vsphere",
    "gke-aws": "aws",
    "gke-azure": "azure",
    "baremetal": "baremetal",
    "generic": "",
}


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
    # `{platform}/{location}/{name}` of the cluster another service registered it for, and
    # that cluster's resource link (`MultiCloudCluster` / `OnPremCluster.resource_link`).
    registered_by: str = ""
    platform_link: str = ""
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


@dataclass
class OperationRecord:
    """A GKE Hub long-running operation (`google.longrunning.Operation`), for operations.get.

    `name` is `projects/{project}/locations/{location}/operations/{id}`; `version` the API
    version of the method that started it; `response` (with its `@type`) or `error` (a
    google.rpc.Status) once `done`.
    """

    name: str
    version: str
    verb: str  # OperationMetadata.verb: create, update, delete
    target: str
    create_time: str = field(default_factory=now)
    end_time: str = ""
    done: bool = False
    response: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] = field(default_factory=dict)
