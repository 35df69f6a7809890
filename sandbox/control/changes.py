"""Membership changes through the control API: Create, Update and DeleteMembership, each a
long-running operation (`hub.operations`), and a batch that logs nothing. Bindings and clusters are
in `bindings` and `clusters`, scopes and fleet namespaces in `scopes`;
`FleetChanges` answers for all of them, each in the fleet its `project_number` names.
"""

from __future__ import annotations

from typing import Any

from sandbox.control.bindings import BindingChanges
from sandbox.control.changelog import HUB_SERVICES, Answer, ControlError, label_map, member_ref
from sandbox.control.clusters import ClusterChanges
from sandbox.control.registrations import RegistrationChanges
from sandbox.control.scopes import ScopeChanges
from sandbox.google.conventions import now
from sandbox.hub.resources import membership_json
from sandbox.kubernetes.names import dns_label_ok
from sandbox.state.fleet import Fleet
from sandbox.state.records import MEMBERSHIP_STATES, PLATFORMS, valid_state

STATE_ERROR = f"state must be one of {list(MEMBERSHIP_STATES)}, or a number >= 6"
__all__ = ["ControlError", "FleetChanges"]


class FleetChanges(BindingChanges, ClusterChanges, RegistrationChanges, ScopeChanges):
    def apply(self, endpoint: str, body: dict[str, Any], args: dict[str, str]) -> Answer:
        """Run one change; the body is checked before anything in the fleet moves."""
        if body.get("api_version", "v1") not in HUB_SERVICES:
            raise ControlError(400, f"api_version must be one of {sorted(HUB_SERVICES)}")
        return getattr(self, endpoint)(body, **args)  # type: ignore[no-any-return]

    def create_membership(self, body: dict[str, Any]) -> Answer:
        fleet = self.fleet_of(body)
        record = self._add_membership(fleet, body)
        final = record.state
        if "state" not in body:
            record.state = "CREATING"
        name = self.membership_name(record.location, record.membership)

        def finish(failed: bool) -> dict[str, Any]:
            if failed:
                fleet.remove_membership(record.location, record.membership)
                return {}
            record.state, record.update_time = final, now()
            return membership_json(fleet.project_number, record)  # typed by `hub.operations`

        self._emit_hub(
            fleet,
            body,
            "CreateMembership",
            name,
            {"parent": name.rsplit("/", 2)[0], "membershipId": record.membership},
            finish,
        )
        with self.store.lock:
            return membership_json(fleet.project_number, record), 201

    def create_memberships(self, body: dict[str, Any]) -> Answer:
        items = body.get("memberships")
        if not isinstance(items, list):
            raise ControlError(400, "memberships must be a list")
        # Each item may name its fleet; the batch's `project_number` is the default.
        default = {k: body[k] for k in ("project_number",) if k in body}
        for item in items:
            fields = {**default, **(item if isinstance(item, dict) else {})}
            self._add_membership(self.fleet_of(fields), fields)
        return {"created": len(items)}, 201

    def _add_membership(self, fleet: Fleet, body: dict[str, Any]) -> Any:
        ref = member_ref(str(body.get("location", "")), str(body.get("id", "")))
        labels = label_map(body.get("labels", {}))
        state = body.get("state", "READY")
        if not valid_state(state):
            raise ControlError(400, STATE_ERROR)
        platform = body.get("platform", "gke")
        if platform not in PLATFORMS:
            raise ControlError(400, f"platform must be one of {list(PLATFORMS)}")
        if platform != "gke" and body.get("cluster"):
            raise ControlError(400, "only a gke member has a cluster resource link")
        argocd = body.get("argocd_namespace")
        if argocd is not None and (not isinstance(argocd, str) or not dns_label_ok(argocd)):
            raise ControlError(400, "argocd_namespace must be a namespace name (a DNS label)")
        with self.store.lock:
            if (ref.location, ref.membership) in fleet.memberships:
                raise ControlError(409, f"membership {ref} already exists")
            return fleet.add_membership(
                ref.location,
                ref.membership,
                labels,
                state,
                str(body.get("cluster", "")),
                [argocd] if argocd else [],
                platform=platform,
            )

    def update_membership(self, body: dict[str, Any], location: str, ident: str) -> Answer:
        fleet = self.fleet_of(body)
        with self.store.lock:
            record = fleet.memberships.get((location, ident))
            if record is None:
                raise ControlError(404, f"membership {location}/{ident} not found")
            labels = label_map(body["labels"]) if "labels" in body else record.labels
            if not valid_state(body.get("state", "READY")):
                raise ControlError(400, STATE_ERROR)
            before, final = record.state, body.get("state", record.state)
            record.state = "UPDATING" if "state" not in body else final

        def finish(failed: bool) -> dict[str, Any]:
            if failed:
                record.state = before
                return {}
            record.labels, record.state, record.update_time = labels, final, now()
            return membership_json(fleet.project_number, record)

        name = self.membership_name(location, ident)
        self._emit_hub(
            fleet,
            body,
            "UpdateMembership",
            name,
            {"name": name, "updateMask": ",".join(k for k in body if k in ("labels", "state"))},
            finish,
        )
        with self.store.lock:
            return membership_json(fleet.project_number, record), 200

    def delete_membership(self, body: dict[str, Any], location: str, ident: str) -> Answer:
        fleet = self.fleet_of(body)
        with self.store.lock:
            record = fleet.memberships.get((location, ident))
            if record is None:
                raise ControlError(404, f"membership {location}/{ident} not found")
            before, record.state = record.state, "DELETING"

        def finish(failed: bool) -> dict[str, Any]:
            if failed:
                record.state = before
            else:
                fleet.remove_membership(location, ident)
            return {}

        name = self.membership_name(location, ident)
        self._emit_hub(fleet, body, "DeleteMembership", name, {"name": name}, finish)
        return {}, 200
