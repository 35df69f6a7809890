"""The sandbox's state: the fleet (memberships, bindings, scopes) and each member cluster,
the credentials honoured, injected faults, the log of API requests served, and how realistic
the services are (`Behaviour`). Record shapes are in `records`, credentials in `identities`,
faults in `faults`."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sandbox.faults import Fault
from sandbox.gatewayquota import GatewayQuota
from sandbox.identities import Credentials, cluster_rules
from sandbox.kube import Cluster
from sandbox.kubelists import ListPolicy
from sandbox.records import BindingRecord, MembershipRecord, now


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
            self.credentials = Credentials(self.project_id)
            self.faults: list[Fault] = []
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

    def identity_for(self, authorization: str) -> str | None:
        return self.credentials.identity_for(authorization)

    def is_project(self, project: str) -> bool:
        return project in (self.project_id, self.project_number)

    # --- fleet ------------------------------------------------------------------------

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
            rules = cluster_rules(self.project_id, self.argocd_namespace, is_argocd)
            self.clusters[key] = Cluster(
                f"{location}/{membership}", namespaces or [], rules, self.list_policy
            )
            return record

    def remove_membership(self, location: str, membership: str) -> MembershipRecord | None:
        with self.lock:
            self.clusters.pop((location, membership), None)
            for key in [k for k in self.bindings if k[:2] == (location, membership)]:
                del self.bindings[key]
            return self.memberships.pop((location, membership), None)

    def add_binding(
        self, location: str, membership: str, binding: str, scope: str
    ) -> BindingRecord:
        """Bind a membership to a scope, creating the scope when first named."""
        with self.lock:
            self.scopes.setdefault(scope, str(uuid.uuid4()))
            record = BindingRecord(location, membership, binding, scope)
            self.bindings[(location, membership, binding)] = record
            return record

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
