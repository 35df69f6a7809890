"""Membership bindings made through the control API: CreateMembershipBinding and
DeleteMembershipBinding, logged without a transitional state.

Shapes follow `MembershipBinding` in google/cloud/gkehub/v1/fleet.proto; a binding's scope is
created when first named.
"""

from __future__ import annotations

from typing import Any

from sandbox.control.changelog import Answer, ChangeLog, ControlError, member_ref
from sandbox.hub.resources import binding_json


class BindingChanges(ChangeLog):
    def create_binding(self, body: dict[str, Any]) -> Answer:
        location, _, ident = str(body.get("membership", "")).partition("/")
        scope = str(body.get("scope", ""))
        member_ref("global", scope)
        binding = str(body.get("id") or scope)
        member_ref(location, binding)
        fleet = self.fleet_of(body)
        with self.store.lock:
            if (location, ident) not in fleet.memberships:
                raise ControlError(404, f"membership {location}/{ident} not found")
            key = (location, ident, binding)
            if key in fleet.bindings:
                raise ControlError(409, f"binding {binding} already exists")
            # A scope first named here is created without a CreateScope entry of its own.
            record = fleet.add_binding(location, ident, binding, scope)
            result = binding_json(fleet.project_number, record)
        name = self.membership_name(location, ident) + f"/bindings/{binding}"
        self._emit_hub(
            fleet,
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
        fleet = self.fleet_of(body)
        with self.store.lock:
            if fleet.bindings.pop((location, ident, binding), None) is None:
                raise ControlError(404, f"binding {location}/{ident}/{binding} not found")
        name = self.membership_name(location, ident) + f"/bindings/{binding}"
        self._emit_hub(
            fleet,
            body,
            "DeleteMembershipBinding",
            name,
            {"name": name},
            lambda _: {},
        )
        return {}, 200
