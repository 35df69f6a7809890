"""A fleet membership as the ClusterProfile it should have, in SIG-Multicluster's Cluster
Inventory API (`multicluster.x-k8s.io/v1alpha1`, kubernetes-sigs/cluster-inventory-api
v0.1.2). Pure.

It says what the membership's cluster Secret says, in the CRD's terms; `render_secret` is the
one source of the name, labels, annotations and Connect Gateway URL:
- the name is the Secret's, `{membership}.{location}.{project_number}`: unique across fleets,
  and never a name GKE's managed ClusterProfile sync writes into the same namespace
  (`<membership>-<location>` holds no dot);
- the labels are the Secret's, less Argo CD's secret-type label, plus the CRD's convention
  `x-k8s.io/cluster-manager: fleet-argocd-sync`;
- `spec.clusterManager.name` (immutable in the CRD) and `spec.displayName`;
- `status`, which an API server takes only through `/status`: `accessProviders` (the target's
  provider and the gateway URL), `version.kubernetes`, `properties` and two conditions,
  `ControlPlaneHealthy` from the membership's state and `Joined`. A condition's
  `lastTransitionTime` is the writer's to keep while its status stays (`conditions_at`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fleetsync.core.model import (
    DELETING,
    LABEL_PREFIX,
    OWNED_DATA_ANNOTATION,
    READY,
    SECRET_TYPE_LABEL,
    TRANSITIONAL_STATES,
    Membership,
)
from fleetsync.core.rendering import SecretTarget, render_secret

GROUP, VERSION, KIND = "multicluster.x-k8s.io", "v1alpha1", "ClusterProfile"
CLUSTER_MANAGER = "fleet-argocd-sync"
CLUSTER_MANAGER_LABEL = "x-k8s.io/cluster-manager"  # the CRD's convention for the manager
# The CRD caps a property's value at 1024 characters (and refuses an empty one).
PROPERTY_VALUE_MAX_LENGTH = 1024
Condition = Mapping[str, str]


@dataclass(frozen=True)
class ProfileTarget:
    """Where a target's ClusterProfiles point and whose they are."""

    project_number: str
    access_provider: str = "argo-cd-builtin-gcp"
    gateway_endpoint: str = ""
    name: str = ""  # the target's name; "" writes no target label (the single form)


@dataclass(frozen=True)
class ClusterProfile:
    name: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    display_name: str
    status: Mapping[str, Any]  # as wanted, without condition times; as read, with them
    cluster_manager: str = CLUSTER_MANAGER
    resource_version: str = ""


def render_profile(
    membership: Membership, target: ProfileTarget
) -> tuple[ClusterProfile, list[str]]:
    """The desired ClusterProfile of a membership, and warnings for labels not copied."""
    secret, warnings = render_secret(
        membership, SecretTarget(target.project_number, "", target.gateway_endpoint, target.name)
    )
    labels = {k: v for k, v in secret.labels.items() if k != SECRET_TYPE_LABEL}
    labels[CLUSTER_MANAGER_LABEL] = CLUSTER_MANAGER
    annotations = {k: v for k, v in secret.annotations.items() if k != OWNED_DATA_ANNOTATION}
    status: dict[str, Any] = {
        "accessProviders": [
            {"name": target.access_provider, "cluster": {"server": secret.data["server"]}}
        ],
        "properties": _properties(membership, target.project_number),
        "conditions": [_health(membership), _joined(target.project_number)],
    }
    if membership.kubernetes_version:
        status["version"] = {"kubernetes": membership.kubernetes_version}
    display = f"{membership.ref.membership} ({membership.ref.location}, {target.project_number})"
    return ClusterProfile(secret.name, labels, annotations, display, status), warnings


def _properties(membership: Membership, project_number: str) -> list[dict[str, str]]:
    found = {
        "location": membership.ref.location,
        "platform": membership.platform,
        "fleet-project-number": project_number,
        "scopes": _listed(sorted(membership.scopes or ())),
    }
    return [{"name": LABEL_PREFIX + k, "value": v} for k, v in found.items() if v]


def _listed(items: list[str]) -> str:
    """Comma-separated; past the CRD's cap, the first that fit and how many more: "a,... 3 more"."""
    text = ""
    for shown in range(len(items), -1, -1):
        rest = len(items) - shown
        text = ",".join([*items[:shown], *([f"... {rest} more"] if rest else [])])
        if len(text) <= PROPERTY_VALUE_MAX_LENGTH:
            break
    return text


def _health(membership: Membership) -> dict[str, str]:
    """`ControlPlaneHealthy` as GKE Hub reports the membership."""
    state, ref = membership.state, membership.ref
    if membership.cluster_missing:
        status, reason, message = "False", "ClusterMissing", f"the cluster of {ref} is gone"
    elif state == READY:
        status, reason, message = "True", "MembershipReady", f"GKE Hub reports {ref} READY"
    elif state == DELETING:
        status, reason, message = "False", "MembershipDeleting", f"{ref} is being deleted"
    elif state in TRANSITIONAL_STATES:
        reason = "Membership" + state.title().replace("_", "")
        status, message = "Unknown", f"GKE Hub reports {ref} {state}"
    else:
        status, reason, message = "Unknown", "MembershipStateUnknown", f"{ref} is {state}"
    return {"type": "ControlPlaneHealthy", "status": status, "reason": reason, "message": message}


def _joined(project_number: str) -> dict[str, str]:
    message = f"a member of the fleet of project {project_number}"
    return {"type": "Joined", "status": "True", "reason": "FleetMember", "message": message}


def conditions_at(
    wanted: Sequence[Condition], current: Sequence[Condition], now: str
) -> list[dict[str, str]]:
    """`wanted` with their `lastTransitionTime`: the current one while a condition's status
    stays the same, `now` when it changes or is new (metav1.Condition's convention)."""
    times = {c.get("type"): (c.get("status"), c.get("lastTransitionTime")) for c in current}
    timed = []
    for condition in wanted:
        status, since = times.get(condition["type"], (None, None))
        kept = since if status == condition["status"] and since else now
        timed.append({**condition, "lastTransitionTime": kept})
    return timed


def profile_manifest(profile: ClusterProfile, namespace: str) -> dict[str, Any]:
    """The object a create sends (the API server drops `status` there)."""
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": KIND,
        "metadata": {
            "name": profile.name,
            "namespace": namespace,
            "labels": dict(profile.labels),
            "annotations": dict(profile.annotations),
        },
        "spec": {
            "clusterManager": {"name": profile.cluster_manager},
            "displayName": profile.display_name,
        },
    }


def status_manifest(
    profile: ClusterProfile, current: Mapping[str, Any], now: str
) -> dict[str, Any]:
    """The `status` a `/status` write sends, condition times kept from `current`."""
    status = copy.deepcopy(dict(profile.status))
    status["conditions"] = conditions_at(status["conditions"], current.get("conditions", ()), now)
    return status


def profile_of(item: Mapping[str, Any]) -> ClusterProfile:
    """A ClusterProfile as read: its manager (another's is never ours to write), its status
    as stored, conditions and their times included."""
    metadata = item.get("metadata") or {}
    spec = item.get("spec") or {}
    return ClusterProfile(
        name=str(metadata.get("name", "")),
        labels=dict(metadata.get("labels") or {}),
        annotations=dict(metadata.get("annotations") or {}),
        display_name=str(spec.get("displayName", "")),
        status=dict(item.get("status") or {}),
        cluster_manager=str((spec.get("clusterManager") or {}).get("name", "")),
        resource_version=str(metadata.get("resourceVersion", "")),
    )
