"""Membership changes through the control API: Create, Update and DeleteMembership, each a
long-running operation (`operations`), and a batch that logs nothing. Bindings and clusters are
in `bindingchanges` and `clusterchanges`; `FleetChanges` answers for all of them.
"""

from __future__ import annotations

from typing import Any

from sandbox.bindingchanges import BindingChanges
from sandbox.changelog import HUB_SERVICES, Answer, ControlError, label_map, member_ref
from sandbox.clusterchanges import ClusterChanges
from sandbox.records import MEMBERSHIP_STATES, PLATFORMS, membership_json, now, valid_state

STATE_ERROR = f"state must be one of {list(MEMBERSHIP_STATES)}, or a number >= 6"
__all__ = ["ControlError", "FleetChanges"]


class FleetChanges(BindingChanges, ClusterChanges):
    def apply(self, endpoint: str, body: dict[str, Any], args: dict[str, str]) -> Answer:
        """Run one change; the body is checked before anything in the fleet moves."""
        if body.get("api_version", "v1") not in HUB_SERVICES:
            raise ControlError(400, f"api_version must be one of {sorted(HUB_SERVICES)}")
        return getattr(self, endpoint)(body, **args)  # type: ignore[no-any-return]

    def create_membership(self, body: dict[str, Any]) -> Answer:
        record = self._add_membership(body)
        final = record.state
        if "state" not in body:
            record.state = "CREATING"
        name = self.membership_name(record.location, record.membership)

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
            return membership_json(self.store.project_id, record)

        name = self.membership_name(location, ident)
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

        name = self.membership_name(location, ident)
        self._emit_hub(body, "DeleteMembership", name, {"name": name}, finish)
        return {}, 200
