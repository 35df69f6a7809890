"""What every fleet change shares: its errors, its checks, and how it is logged.

A change is made in the store and logged as Cloud Audit Logs entries for Eventarc through
`operations`, the way a `gcloud container fleet ...` call would be. The changes themselves are
in `changes` (memberships), `bindingchanges` and `clusterchanges`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.eventarc import Eventarc
from sandbox.googlenames import membership_problem
from sandbox.operations import Finish, Operations
from sandbox.store import Store

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
    def __init__(self, store: Store, eventarc: Eventarc) -> None:
        self.store, self.eventarc = store, eventarc
        self.operations = Operations(store, eventarc)

    def _emit_hub(
        self,
        body: dict[str, Any],
        verb: str,
        resource: str,
        request: dict[str, Any],
        finish: Finish,
    ) -> None:
        """Run a GKE Hub operation, logged in the API version the body asks for (v1 default)."""
        method = f"{HUB_SERVICES[body.get('api_version', 'v1')]}.{verb}"
        self.operations.run(body, "gkehub.googleapis.com", method, resource, request, finish)

    def _emit(
        self, body: dict[str, Any], service: str, method: str, resource: str, request: Any
    ) -> None:
        """Log a change that is done at once (GKE cluster create and delete)."""
        self.operations.run(body, service, method, resource, request, lambda _: {}, False)

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
