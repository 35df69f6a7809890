"""The sandbox's state: the fleets (`fleet`: memberships, bindings, scopes, fleet namespaces
and member clusters), the credentials honoured, injected faults, the log of API requests
served, and how realistic the services are (`Behaviour`). Records are in `records` and
`scoperecords`, credentials in `identities`, faults in `faults`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from sandbox.kubernetes.cluster import Cluster
from sandbox.kubernetes.lists import ListPolicy
from sandbox.state.faults import Fault
from sandbox.state.fleet import Fleet, FleetId
from sandbox.state.identities import Credentials
from sandbox.state.records import BindingRecord, MembershipRecord, OperationRecord


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
        more_fleets: Iterable[FleetId] = (),
    ) -> None:
        self.project_id, self.project_number = project_id, project_number
        self.fleet_ids = [FleetId(project_id, project_number), *more_fleets]
        self.initial_behaviour = behaviour or Behaviour()
        # Every timed behaviour reads this clock, so a test can move time instead of sleeping.
        self.clock: Callable[[], float] = time.monotonic
        self.argocd_membership, self.argocd_namespace = argocd_membership, argocd_namespace
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.credentials = Credentials(self.project_id)
            self.faults: list[Fault] = []
            self.requests: list[dict[str, Any]] = []
            self.behaviour = replace(self.initial_behaviour)
            self.operations_to_fail = 0
            self.operations: dict[str, OperationRecord] = {}  # by id, for Hub operations.get
            self.list_policy = ListPolicy(self.behaviour.continue_ttl_s, clock=self.now_s)
            self.fleets = {
                ident.project_number: Fleet(ident, self.project_id, self.list_policy)
                for ident in self.fleet_ids
            }
            location, _, ident = self.argocd_membership.partition("/")
            self.first_fleet.add_membership(
                location, ident, {}, "READY", "", [self.argocd_namespace]
            )

    def now_s(self) -> float:
        """The sandbox's monotonic time: `clock` is read late, so a test may replace it."""
        return self.clock()

    def identity_for(self, authorization: str) -> str | None:
        return self.credentials.identity_for(authorization)

    # --- fleets -----------------------------------------------------------------------

    @property
    def first_fleet(self) -> Fleet:
        """The fleet of `--project-id`/`--project-number`, which holds the Argo CD cluster."""
        return self.fleets[self.project_number]

    def fleet_for(self, project: str) -> Fleet | None:
        """The fleet whose project ID or number is `project`."""
        return next((f for f in self.fleets.values() if f.answers_to(project)), None)

    def is_project(self, project: str) -> bool:
        return self.fleet_for(project) is not None

    # The first fleet's records, under the names they had when there was only one fleet.
    @property
    def memberships(self) -> dict[tuple[str, str], MembershipRecord]:
        return self.first_fleet.memberships

    @property
    def bindings(self) -> dict[tuple[str, str, str], BindingRecord]:
        return self.first_fleet.bindings

    @property
    def clusters(self) -> dict[tuple[str, str], Cluster]:
        return self.first_fleet.clusters

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
            entry = {"method": method, "path": path, "status": status, "at": self.now_s()}
            self.requests.append(entry)
