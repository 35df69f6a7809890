"""Fleet changes through the control API: memberships, bindings and registered clusters.

Each change is made in the store and logged as Cloud Audit Logs entries for Eventarc, the way
a `gcloud container fleet memberships ...` call would be.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sandbox.eventarc import Eventarc
from sandbox.googlenames import membership_problem
from sandbox.operations import Finish, Operations
from sandbox.records import (
    MEMBERSHIP_STATES,
    PLATFORMS,
    BindingRecord,
    binding_json,
    membership_json,
    now,
    valid_state,
)
from sandbox.store import Store

STATE_ERROR = f"state must be one of {list(MEMBERSHIP_STATES)}, or a number >= 6"

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


class FleetChanges:
    def __init__(self, store: Store, eventarc: Eventarc) -> None:
        self.store, self.eventarc = store, eventarc
        self.operations = Operations(store, eventarc)

    def apply(self, endpoint: str, body: dict[str, Any], args: dict[str, str]) -> Answer:
        """Run one change; the body is checked before anything in the fleet moves."""
        if body.get("api_version", "v1") not in HUB_SERVICES:
            raise ControlError(400, f"api_version must be one of {sorted(HUB_SERVICES)}")
        return getattr(self, endpoint)(body, **args)  # type: ignore[no-any-return]

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

    def _membership_name(self, location: str, ident: str) -> str:
        return f"projects/{{project}}/locations/{location}/memberships/{ident}"

    # --- memberships ------------------------------------------------------------------

    def create_membership(self, body: dict[str, Any]) -> Answer:
        record = self._add_membership(body)
        final = record.state
        if "state" not in body:
            record.state = "CREATING"
        name = self._membership_name(record.location, record.membership)

        def finish(failed: bool) -> dict[str, Any]:
            if failed:
                self.store.remove_membership(record.location, record.membership)
                return {}
            record.state, record.update_time = final, now()
            membership = membership_json(self.store.project_id, record)
            return {**membership, "@type": "type.googleapis.com/google.cloud.gkehub.v1.Membership"}

        self._emit_hub(
            body,
            "CreateMembership",
            name,
            {"parent": name.rsplit("/", 2)[0], "membershipId": record.membership},
            finish,
        )
        with self.store.lock:
            return membership_json(self.store.project_id, record), 201

    def create_memberships(self, body: dict[str, Any]) -> Answer:
        items = body.get("memberships")
        if not isinstance(items, list):
            raise ControlError(400, "memberships must be a list")
        for item in items:
            self._add_membership(item if isinstance(item, dict) else {})
        return {"created": len(items)}, 201

    def _add_membership(self, body: dict[str, Any]) -> Any:
        ref = _ref(str(body.get("location", "")), str(body.get("id", "")))
        labels = _labels(body.get("labels", {}))
        state = body.get("state", "READY")
        if not valid_state(state):
            raise ControlError(400, STATE_ERROR)
        platform = body.get("platform", "gke")
        if platform not in PLATFORMS:
            raise ControlError(400, f"platform must be one of {list(PLATFORMS)}")
        if platform != "gke" and body.get("cluster"):
            raise ControlError(400, "only a gke member has a cluster resource link")
        with self.store.lock:
            if (ref.location, ref.membership) in self.store.memberships:
                raise ControlError(409, f"membership {ref} already exists")
            return self.store.add_membership(
                ref.location,
                ref.membership,
                labels,
                state,
                str(body.get("cluster", "")),
                platform=platform,
            )

    def update_membership(self, body: dict[str, Any], location: str, ident: str) -> Answer:
        with self.store.lock:
            record = self.store.memberships.get((location, ident))
            if record is None:
                raise ControlError(404, f"membership {location}/{ident} not found")
            labels = _labels(body["labels"]) if "labels" in body else record.labels
            if not valid_state(body.get("state", "READY")):
                raise ControlError(400, STATE_ERROR)
            before, final = record.state, body.get("state", record.state)
            record.state = "UPDATING" if "state" not in body else final

        def finish(failed: bool) -> dict[str, Any]:
            if failed:
                record.state = before
                return {}
            record.labels, record.state, record.update_time = labels, final, now()
            return membership_json(self.store.project_id, record)

        name = self._membership_name(location, ident)
        self._emit_hub(
            body,
            "UpdateMembership",
            name,
            {"name": name, "updateMask": ",".join(k for k in body if k in ("labels", "state"))},
            finish,
        )
        with self.store.lock:
            return membership_json(self.store.project_id, record), 200

    def delete_membership(self, body: dict[str, Any], location: str, ident: str) -> Answer:
        with self.store.lock:
            record = self.store.memberships.get((location, ident))
            if record is None:
                raise ControlError(404, f"membership {location}/{ident} not found")
            before, record.state = record.state, "DELETING"

        def finish(failed: bool) -> dict[str, Any]:
            if failed:
                record.state = before
            else:
                self.store.remove_membership(location, ident)
            return {}

        name = self._membership_name(location, ident)
        self._emit_hub(body, "DeleteMembership", name, {"name": name}, finish)
        return {}, 200

    # --- bindings ---------------------------------------------------------------------

    def create_binding(self, body: dict[str, Any]) -> Answer:
        location, _, ident = str(body.get("membership", "")).partition("/")
        scope = str(body.get("scope", ""))
        _ref("global", scope)
        binding = str(body.get("id") or scope)
        _ref(location, binding)
        with self.store.lock:
            if (location, ident) not in self.store.memberships:
                raise ControlError(404, f"membership {location}/{ident} not found")
            key = (location, ident, binding)
            if key in self.store.bindings:
                raise ControlError(409, f"binding {binding} already exists")
            self.store.scopes.setdefault(scope, str(uuid.uuid4()))
            record = self.store.bindings[key] = BindingRecord(location, ident, binding, scope)
            result = binding_json(self.store.project_id, record)
        name = self._membership_name(location, ident) + f"/bindings/{binding}"
        self._emit_hub(
            body,
            "CreateMembershipBinding",
            name,
            {"parent": name.rsplit("/", 2)[0], "membershipBindingId": binding},
            lambda _: result,
        )
        return result, 201

    def delete_binding(
        self, body: dict[str, Any], location: str, ident: str, binding: str
    ) -> Answer:
        with self.store.lock:
            if self.store.bindings.pop((location, ident, binding), None) is None:
                raise ControlError(404, f"binding {location}/{ident}/{binding} not found")
        name = self._membership_name(location, ident) + f"/bindings/{binding}"
        self._emit_hub(
            body,
            "DeleteMembershipBinding",
            name,
            {"name": name},
            lambda _: {},
        )
        return {}, 200

    # --- clusters registered at creation ----------------------------------------------

    def create_cluster(self, body: dict[str, Any]) -> Answer:
        ref = _ref(str(body.get("location", "")), str(body.get("name", "")))
        with self.store.lock:
            if (ref.location, ref.membership) in self.store.memberships:
                raise ControlError(409, f"cluster {ref} already exists")
            record = self.store.add_membership(
                ref.location,
                ref.membership,
                _labels(body.get("labels", {})),
                "READY",
                "",
                at_creation=True,
            )
        name = f"projects/{{project}}/locations/{ref.location}/clusters/{ref.membership}"
        version = "v1beta1" if body.get("api_version") == "v1beta1" else "v1"
        self._emit(
            body,
            "container.googleapis.com",
            f"google.container.{version}.ClusterManager.CreateCluster",
            name,
            {
                "parent": name.rsplit("/", 2)[0],
                "cluster": {"name": ref.membership, "fleet": {"project": self.store.project_id}},
            },
        )
        return membership_json(self.store.project_id, record), 201

    def delete_cluster(self, body: dict[str, Any], location: str, name: str) -> Answer:
        link = self.store.cluster_link(location, name)
        with self.store.lock:
            linked = [
                r
                for r in self.store.memberships.values()
                if r.cluster == link and not r.cluster_missing
            ]
            if not linked:
                raise ControlError(404, f"cluster {location}/{name} not found")
            for record in linked:
                if record.at_creation:
                    self.store.remove_membership(record.location, record.membership)
                else:
                    self.store.lose_cluster(record)
        resource = f"projects/{{project}}/locations/{location}/clusters/{name}"
        self._emit(
            body,
            "container.googleapis.com",
            "google.container.v1.ClusterManager.DeleteCluster",
            resource,
            {"name": resource},
        )
        return {}, 200


@dataclass(frozen=True)
class _Ref:
    location: str
    membership: str

    def __str__(self) -> str:
        return f"{self.location}/{self.membership}"


def _ref(location: str, ident: str) -> _Ref:
    problem = membership_problem(location, ident)
    if problem:
        raise ControlError(400, problem)
    return _Ref(location, ident)


def _labels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ControlError(400, "labels must be an object of strings")
    return dict(value)
