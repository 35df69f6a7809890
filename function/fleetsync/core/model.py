"""Frozen data the sync passes around, and every label, annotation and name format it writes.

Nothing here talks to a network; adapters build these objects and `planning` compares them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
SECRET_TYPE_CLUSTER = "cluster"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "fleet-argocd-sync"
# fleet-argocd-plugin marks its Secrets with this annotation; we adopt them in place.
PLUGIN_ANNOTATION = "fleet.gke.io/managed-by-fleet-plugin"
# Argo CD's ClusterProfile controller marks the Secrets it makes from ClusterProfiles with this
# label (argo-cd `controllers/clusterprofile`), and copies the ClusterProfile's labels onto them.
CLUSTER_PROFILE_ORIGIN_LABEL = "argocd.argoproj.io/cluster-profile-origin"

LABEL_PREFIX = "fleet-argocd-sync.io/"
LOCATION_LABEL = LABEL_PREFIX + "location"
PLATFORM_LABEL = LABEL_PREFIX + "platform"
MEMBERSHIP_LABEL = LABEL_PREFIX + "membership"
# Which target (Argo CD instance) of the multi form wrote a Secret or AppProject; the single
# form writes none, and a named target adopts what the single form wrote in its namespace.
TARGET_LABEL = LABEL_PREFIX + "target"
# The fleet scope an AppProject of ours stands for, and each fleet the scope is in (so the
# mass-delete guard can count per fleet): `fleet.fleet-argocd-sync.io/{number}: "true"`.
SCOPE_LABEL = LABEL_PREFIX + "scope"
FLEET_LABEL_PREFIX = "fleet.fleet-argocd-sync.io/"
SCOPE_LABEL_PREFIX = "scope.fleet-argocd-sync.io/"
MEMBERSHIP_ANNOTATION = LABEL_PREFIX + "membership-name"
UNIQUE_ID_ANNOTATION = LABEL_PREFIX + "membership-uid"
CLUSTER_ANNOTATION = LABEL_PREFIX + "cluster"
# Cluster metadata for ApplicationSet templates (`{{metadata.annotations...}}`); annotations,
# so they never collide with the membership's own labels.
LOCATION_ANNOTATION = LABEL_PREFIX + "location"
PLATFORM_ANNOTATION = LABEL_PREFIX + "platform"
KUBERNETES_VERSION_ANNOTATION = LABEL_PREFIX + "kubernetes-version"
# Which labels and data keys we wrote last time, so a label removed from the membership is
# removed from the Secret while keys that others added are kept.
OWNED_LABELS_ANNOTATION = LABEL_PREFIX + "owned-labels"
OWNED_DATA_ANNOTATION = LABEL_PREFIX + "owned-data"

SECRET_NAME_FORMAT = "{membership}.{location}.{project_number}"
MEMBERSHIP_NAME_FORMAT = "projects/{project}/locations/{location}/memberships/{membership}"
GATEWAY_HOST_GLOBAL = "https://connectgateway.googleapis.com"
GATEWAY_HOST_REGIONAL = "https://{location}-connectgateway.googleapis.com"
# Connect Gateway reaches a GKE cluster through `gkeMemberships/` and every other member
# (attached, on-prem) through `memberships/`, as gcloud's get-credentials chooses.
GATEWAY_PATH_FORMAT = "/v1/projects/{project_number}/locations/{location}/{collection}/{membership}"
GKE_COLLECTION, MEMBER_COLLECTION = "gkeMemberships", "memberships"
# What a membership is, from its endpoint: GKE when it has `gkeCluster`; otherwise read from
# the scheme of the node provider ID Hub reports in `kubernetesMetadata`.
GKE, OTHER = "gke", "other"
PLATFORMS_BY_PROVIDER = {"aws": "eks", "azure": "aks", "vsphere": "on-prem", "baremetal": "on-prem"}

# The Secret's `config`: Argo CD runs `argocd-k8s-auth gcp` for a Google token, as in
# fleet-argocd-plugin; Connect Gateway's certificate is publicly trusted, so caData is empty.
ARGOCD_CONFIG = json.dumps(
    {
        "execProviderConfig": {
            "command": "argocd-k8s-auth",
            "args": ["gcp"],
            "apiVersion": "client.authentication.k8s.io/v1beta1",
        },
        "tlsClientConfig": {"insecure": False, "caData": ""},
    },
    sort_keys=True,
)

READY = "READY"
DELETING = "DELETING"
# While a membership changes state its Secret is left as it is; a later event settles it.
TRANSITIONAL_STATES = frozenset({"CREATING", "UPDATING", "SERVICE_UPDATING"})


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


def _key_list(text: str) -> set[str]:
    return {key for key in text.split(",") if key}


@dataclass(frozen=True)
class MembershipRef:
    """A membership's address inside the fleet: `{location}/{membership}`."""

    location: str
    membership: str

    def __str__(self) -> str:
        return f"{self.location}/{self.membership}"


@dataclass(frozen=True)
class ClusterId:
    """A GKE cluster: its project (an ID or a number, as the name that carried it had it),
    location and name. Same-named clusters of two projects are two clusters."""

    project: str
    ref: MembershipRef  # `{location}/{cluster name}`

    def may_be(self, other: ClusterId | None) -> bool:
        """Whether both name the same cluster. A project ID and a project number cannot be
        told apart without Resource Manager, so a pair of them (or a project not known)
        counts as a match: the careful side (one more membership converged, one more wait
        for clusterMissing)."""
        if other is None or other.ref != self.ref:
            return False
        numbers = self.project.isdigit(), other.project.isdigit()
        unknown = not (self.project and other.project)
        return unknown or self.project == other.project or numbers[0] != numbers[1]

    def __str__(self) -> str:
        return (
            f"projects/{self.project}/locations/{self.ref.location}/clusters/{self.ref.membership}"
        )


@dataclass(frozen=True)
class Membership:
    """What the sync needs to know of one fleet membership."""

    ref: MembershipRef
    state: str  # the enum's name, or `CODE_<n>` for a value this client does not know
    labels: Mapping[str, str] = field(default_factory=_frozen)
    # None when the bindings could not all be read: then nothing derived from them changes.
    scopes: tuple[str, ...] | None = ()
    unique_id: str = ""
    cluster: str = ""
    cluster_missing: bool = False  # endpoint.gkeCluster.clusterMissing: the cluster is gone
    platform: str = GKE  # gke, eks, aks, on-prem or other
    kubernetes_version: str = ""  # kubernetesMetadata.kubernetesApiServerVersion, if reported


@dataclass(frozen=True)
class FleetListing:
    """Every membership GKE Hub returned, and what it could not return."""

    memberships: tuple[Membership, ...] = ()
    unreachable: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unreachable and not self.unreadable


@dataclass(frozen=True)
class ScopeView:
    """One fleet scope as GKE Hub lists it: its fleet namespaces and the memberships bound to
    it (scopes.listMemberships), and whether every location answered."""

    namespaces: tuple[str, ...]
    members: tuple[Membership, ...]
    complete: bool = True


@dataclass(frozen=True)
class ClusterSecret:
    """An Argo CD cluster Secret, reduced to what we compare. `data` holds decoded strings."""

    name: str
    labels: Mapping[str, str] = field(default_factory=_frozen)
    annotations: Mapping[str, str] = field(default_factory=_frozen)
    data: Mapping[str, str] = field(default_factory=_frozen)
    resource_version: str = ""

    @property
    def managed(self) -> bool:
        """We wrote it: our managed-by label, on no Secret Argo CD's ClusterProfile controller
        made (it copies a ClusterProfile's labels, so ours can reach its Secrets)."""
        return (
            self.labels.get(MANAGED_BY_LABEL) == MANAGED_BY_VALUE
            and CLUSTER_PROFILE_ORIGIN_LABEL not in self.labels
        )

    @property
    def from_plugin(self) -> bool:
        return self.annotations.get(PLUGIN_ANNOTATION) == "true"

    @property
    def owned_labels(self) -> set[str]:
        """The label keys we wrote, as our annotation lists them."""
        return _key_list(self.annotations.get(OWNED_LABELS_ANNOTATION, ""))

    @property
    def owned_data(self) -> set[str]:
        """The data keys we wrote, as our annotation lists them."""
        return _key_list(self.annotations.get(OWNED_DATA_ANNOTATION, ""))
