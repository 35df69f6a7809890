"""What every fleet change shares: its errors, its checks, and how it is logged.

A change is made in the store and logged as Cloud Audit Logs entries for Eventarc through
`hub.operations`, the way a `gcloud container fleet ...` call would be, in the fleet the change
names (`project_number`, the first fleet by default). The changes themselves are in `changes`
(memberships), `bindings`, `clusters` and `scopes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.events.logrouter import LogRouter
from sandbox.google.names import membership_problem
from sandbox.hub.operations import Finish, Operations
from sandbox.state.fleet import Fleet
from sandbox.state.store import Store

Answer = tuple[Any, int]
HUB_SERVICES = {
    "v1": "google.cloud.gkehub.v1.GkeHub",
    "v1beta": "google.cloud.gkehub.v1beta.GkeHub",
    "v1alpha": "google.cloud.gkehub.v1alpha.GkeHub",
    "v1beta1": "google.cloud.gkehub.v1beta1.GkeHubMembershipService",
}


class ControlError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class ChangeLog:
    def __init__(self, store: Store, log: LogRouter) -> None:
        self.store, self.log = store, log
        self.operations = Operations(store, log)

    def fleet_of(self, body: dict[str, Any]) -> Fleet:
        """The fleet a change is for: `project_number` in the body (or the query), else the
        first fleet; an unknown number is a 404."""
        number = body.get("project_number")
        if number is None:
            return self.store.first_fleet
        fleet = self.store.fleets.get(str(number))
        if fleet is None or isinstance(number, bool):
            known = sorted(self.store.fleets)
            message = f"fleet with project number {number!r} not found; fleets: {known}"
            raise ControlError(404, message)
        return fleet

    def _emit_hub(
        self,
        fleet: Fleet,
        body: dict[str, Any],
        verb: str,
        resource: str,
        request: dict[str, Any],
        finish: Finish,
        *,
        by_number: bool = False,
        can_fail: bool = True,
    ) -> None:
        """Run a GKE Hub operation, logged in the API version the body asks for (v1 default)."""
        method = f"{HUB_SERVICES[body.get('api_version', 'v1')]}.{verb}"
        self.operations.run(
            fleet,
            body,
            "gkehub.googleapis.com",
            method,
            resource,
            request,
            finish,
            can_fail,
            by_number=by_number,
        )

    def _emit(
        self,
        fleet: Fleet,
        body: dict[str, Any],
        service: str,
        method: str,
        resource: str,
        request: Any,
    ) -> None:
        """Log a change that is done at once (GKE cluster create and delete)."""
        self.operations.run(fleet, body, service, method, resource, request, lambda _: {}, False)

    def membership_name(self, location: str, ident: str) -> str:
        return f"projects/{{project}}/locations/{location}/memberships/{ident}"


@dataclass(frozen=True)
class Ref:
    location: str
    membership: str

    def __str__(self) -> str:
        return f"{self.location}/{self.membership}"


def member_ref(location: str, ident: str) -> Ref:
    problem = membership_problem(location, ident)
    if problem:
        raise ControlError(400, problem)
    return Ref(location, ident)


def label_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ControlError(400, "labels must be an object of strings")
    return dict(value)
