"""One fleet: a fleet host project's memberships, bindings, scopes, fleet namespaces and the
member clusters behind them.

The sandbox holds one or more fleets (`store`); each is reached under its project ID or number,
and every resource name it answers with uses the number. How fleets change is the control API's
concern (`control.changes`); records are in `records` and `scoperecords`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.google.conventions import now
from sandbox.kubernetes.cluster import Cluster
from sandbox.kubernetes.lists import ListPolicy
from sandbox.state.identities import INVENTORY_NAMESPACE, cluster_rules
from sandbox.state.records import BindingRecord, MembershipRecord
from sandbox.state.scoperecords import NamespaceRecord, ScopeRecord


@dataclass(frozen=True)
class FleetId:
    """A fleet host project, as `--fleet PROJECT_ID:PROJECT_NUMBER` names it."""

    project_id: str
    project_number: str


class Fleet:
    """The records of one fleet; callers hold the store's lock."""

    def __init__(self, ident: FleetId, identity_project: str, list_policy: ListPolicy) -> None:
        self.project_id, self.project_number = ident.project_id, ident.project_number
        # Every cluster honours the same function and admin identities, whatever its fleet.
        self.identity_project = identity_project
        self.list_policy = list_policy
        self.memberships: dict[tuple[str, str], MembershipRecord] = {}
        self.bindings: dict[tuple[str, str, str], BindingRecord] = {}
        self.scopes: dict[str, ScopeRecord] = {}
        self.namespaces: dict[tuple[str, str], NamespaceRecord] = {}
        self.clusters: dict[tuple[str, str], Cluster] = {}
        # When this project's Connect Gateway calls came: its quota's window (`gateway.quota`).
        self.gateway_calls: deque[float] = deque()

    def answers_to(self, project: str) -> bool:
        return project in (self.project_id, self.project_number)

    def to_json(self) -> dict[str, str]:
        return {"project_id": self.project_id, "project_number": self.project_number}

    # --- memberships and their clusters ----------------------------------------------

    def add_membership(
        self,
        location: str,
        membership: str,
        labels: dict[str, str],
        state: str | int,
        cluster: str,
        argocd_namespaces: Iterable[str] = (),
        platform: str = "gke",
        at_creation: bool = False,
    ) -> MembershipRecord:
        """Register a member and create its cluster; an Argo CD cluster has its namespaces and
        `fleet-cluster-inventory`, with the function's RBAC in each."""
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
        namespaces = list(argocd_namespaces)
        # An Argo CD cluster also holds the fleet's ClusterProfiles (issue 25).
        inventory = [INVENTORY_NAMESPACE] if namespaces else []
        rules = cluster_rules(self.identity_project, namespaces, inventory)
        self.clusters[key] = Cluster(
            f"{location}/{membership}", namespaces + inventory, rules, self.list_policy
        )
        return record

    def remove_membership(self, location: str, membership: str) -> MembershipRecord | None:
        self.clusters.pop((location, membership), None)
        for key in [k for k in self.bindings if k[:2] == (location, membership)]:
            del self.bindings[key]
        return self.memberships.pop((location, membership), None)

    def cluster_link(self, location: str, name: str) -> str:
        project = self.project_id
        return f"//container.googleapis.com/projects/{project}/locations/{location}/clusters/{name}"

    def lose_cluster(self, record: MembershipRecord) -> None:
        """The GKE cluster behind a hand-registered membership is gone; the membership stays."""
        record.cluster_missing = True
        record.update_time = now()
        self.clusters.pop((record.location, record.membership), None)

    def cluster_for(self, location: str, membership: str) -> Cluster | None:
        return self.clusters.get((location, membership))

    # --- bindings, scopes and fleet namespaces ---------------------------------------

    def add_binding(
        self, location: str, membership: str, binding: str, scope: str
    ) -> BindingRecord:
        """Bind a membership to a scope, creating the scope when first named."""
        self.scopes.setdefault(scope, ScopeRecord(scope))
        record = BindingRecord(location, membership, binding, scope)
        self.bindings[(location, membership, binding)] = record
        return record

    def remove_scope(self, scope: str) -> ScopeRecord | None:
        """Delete a scope with its bindings and fleet namespaces (see the README's DeleteScope)."""
        for binding in [k for k, b in self.bindings.items() if b.scope == scope]:
            del self.bindings[binding]
        for namespace in [k for k in self.namespaces if k[0] == scope]:
            del self.namespaces[namespace]
        return self.scopes.pop(scope, None)
