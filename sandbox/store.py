"""The sandbox's state: the fleet (memberships, bindings, scopes), each member cluster, the
access tokens the gateway accepts, injected faults and the log of API requests served."""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sandbox.gatewayquota import GatewayQuota
from sandbox.googleapi import jwt_claims
from sandbox.kube import WILDCARD, Cluster, Rule
from sandbox.kubelists import ListPolicy

FUNCTION_IDENTITY = "fleet-argocd-sync@{project}.iam.gserviceaccount.com"
ADMIN_IDENTITY = "admin@{project}.example.com"
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


def valid_state(state: object) -> bool:
    if isinstance(state, int) and not isinstance(state, bool):
        return state >= FIRST_UNPUBLISHED_STATE
    return state in MEMBERSHIP_STATES


# Member platforms and what their nodes report as providerID (KubernetesMetadata).
PLATFORMS = {"gke": "", "eks": "aws", "aks": "azure", "on-prem": "vsphere"}
SECRET_VERBS = frozenset({"get", "list", "create", "update", "patch", "delete"})


def now() -> str:
    return (
        datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


@dataclass
class Fault:
    match: str = ""
    method: str = ""
    status: int = 0
    delay_s: float = 0.0
    unreachable: list[str] = field(default_factory=list)
    count: int = 1
    # A held request waits until `POST /sandbox/faults/release`: tests use it to put another
    # worker's actions exactly between two reads, with no timing involved.
    hold: bool = False
    held: int = 0  # requests waiting now
    released: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_json(self) -> dict[str, Any]:
        fields = ("match", "method", "status", "delay_s", "unreachable", "count", "hold", "held")
        return {name: getattr(self, name) for name in fields}

    def wait_for_release(self, timeout_s: float = 120.0) -> None:
        self.held += 1
        try:
            self.released.wait(timeout_s)
        finally:
            self.held -= 1


@dataclass
class Behaviour:
    """How realistic the emulated services are; set at start, changed by the control API.

    `POST /sandbox/reset` goes back to the values the sandbox was started with.
    """

    operation_delay_s: float = 0.0
    continue_ttl_s: float = 300.0
    gateway_latency_ms: float = 0.0
    gateway_quota_rpm: int = 0
    hub_allow_anonymous: bool = False


@dataclass
class Token:
    identity: str
    expires_at: float | None = None


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


class Store:
    def __init__(
        self,
        project_id: str,
        project_number: str,
        argocd_membership: str,
        argocd_namespace: str = "argocd",
        behaviour: Behaviour | None = None,
    ) -> None:
        self.project_id, self.project_number = project_id, project_number
        self.initial_behaviour = behaviour or Behaviour()
        # Every timed behaviour reads this clock, so a test can move time instead of sleeping.
        self.clock: Callable[[], float] = time.monotonic
        self.argocd_membership, self.argocd_namespace = argocd_membership, argocd_namespace
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.memberships: dict[tuple[str, str], MembershipRecord] = {}
            self.bindings: dict[tuple[str, str, str], BindingRecord] = {}
            self.scopes: dict[str, str] = {}
            self.clusters: dict[tuple[str, str], Cluster] = {}
            self.tokens = {
                "sandbox-token": Token(FUNCTION_IDENTITY.format(project=self.project_id)),
                "admin-token": Token(ADMIN_IDENTITY.format(project=self.project_id)),
            }
            self.faults: list[Fault] = []
            self.access_token_ttl_s = 3600.0
            self.tokens_issued = 0
            self.revoked_identities: set[str] = set()
            self.requests: list[dict[str, Any]] = []
            self.behaviour = replace(self.initial_behaviour)
            self.operations_to_fail = 0
            self.gateway_quota = GatewayQuota()
            self.list_policy = ListPolicy(self.behaviour.continue_ttl_s, clock=self.now_s)
            location, _, ident = self.argocd_membership.partition("/")
            self.add_membership(location, ident, {}, "READY", "", [self.argocd_namespace])

    def now_s(self) -> float:
        """The sandbox's monotonic time: `clock` is read late, so a test may replace it."""
        return self.clock()

    # --- identities -------------------------------------------------------------------

    def identity_for(self, authorization: str) -> str | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        record = self.tokens.get(token)
        if record is None:
            issuer, expiry = jwt_claims(token)
            if issuer is None or issuer in self.revoked_identities:
                return None
            record = Token(issuer, expiry or None)
        if record.expires_at is not None and record.expires_at <= time.time():
            return None
        return record.identity

    def is_project(self, project: str) -> bool:
        return project in (self.project_id, self.project_number)

    # --- fleet ------------------------------------------------------------------------

    def _rules(self, is_argocd: bool) -> list[Rule]:
        rules = [
            Rule(ADMIN_IDENTITY.format(project=self.project_id), frozenset({WILDCARD}), WILDCARD)
        ]
        if is_argocd:
            rules.append(
                Rule(
                    FUNCTION_IDENTITY.format(project=self.project_id),
                    SECRET_VERBS,
                    "secrets",
                    self.argocd_namespace,
                )
            )
        return rules

    def add_membership(
        self,
        location: str,
        membership: str,
        labels: dict[str, str],
        state: str | int,
        cluster: str,
        namespaces: list[str] | None = None,
        platform: str = "gke",
        at_creation: bool = False,
    ) -> MembershipRecord:
        with self.lock:
            key = (location, membership)
            link = cluster or self.cluster_link(location, membership)
            record = MembershipRecord(
                location,
                membership,
                dict(labels),
                state,
                link if platform == "gke" else "",
                platform=platform,
                at_creation=at_creation,
            )
            self.memberships[key] = record
            is_argocd = f"{location}/{membership}" == self.argocd_membership
            self.clusters[key] = Cluster(
                f"{location}/{membership}",
                namespaces or [],
                self._rules(is_argocd),
                self.list_policy,
            )
            return record

    def remove_membership(self, location: str, membership: str) -> MembershipRecord | None:
        with self.lock:
            self.clusters.pop((location, membership), None)
            for key in [k for k in self.bindings if k[:2] == (location, membership)]:
                del self.bindings[key]
            return self.memberships.pop((location, membership), None)

    def cluster_link(self, location: str, name: str) -> str:
        project = self.project_id
        return f"//container.googleapis.com/projects/{project}/locations/{location}/clusters/{name}"

    def lose_cluster(self, record: MembershipRecord) -> None:
        """The GKE cluster behind a hand-registered membership is gone; the membership stays."""
        with self.lock:
            record.cluster_missing = True
            record.update_time = now()
            self.clusters.pop((record.location, record.membership), None)

    def cluster_for(self, location: str, membership: str) -> Cluster | None:
        with self.lock:
            return self.clusters.get((location, membership))

    def membership_json(self, project: str, record: MembershipRecord) -> dict[str, Any]:
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

    def binding_json(self, project: str, record: BindingRecord) -> dict[str, Any]:
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

    def scope_json(self, project: str, scope: str) -> dict[str, Any]:
        return {
            "name": f"projects/{project}/locations/global/scopes/{scope}",
            "uid": self.scopes[scope],
            "state": {"code": "READY"},
        }

    # --- faults and the request log ---------------------------------------------------

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.count > 0 and fault.match in path and fault.method in ("", method):
                    fault.count -= 1
                    return fault
            return None

    def log_request(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.requests.append({"method": method, "path": path, "status": status})


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
