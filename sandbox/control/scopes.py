"""Fleet scopes and fleet namespaces changed through the control API: CreateScope,
DeleteScope, CreateScopeNamespace and DeleteScopeNamespace, logged like membership changes.

Shapes follow `Scope` and `Namespace` in google/cloud/gkehub/v1/fleet.proto; the requests
logged follow `CreateScopeRequest` and `CreateScopeNamespaceRequest` in service.proto. Their
resource names carry the project number unless the body's `audit_project` is `"id"`.
DeleteScope takes the scope's bindings and namespaces with it and logs only itself: what the
real API does with them is not published (README, "Scopes and fleet namespaces").
"""

from __future__ import annotations

from typing import Any

from sandbox.control.changelog import Answer, ChangeLog, ControlError, label_map
from sandbox.google.names import resource_id_ok
from sandbox.hub.resources import namespace_json, scope_json
from sandbox.state.fleet import Fleet
from sandbox.state.scoperecords import NamespaceRecord, ScopeRecord

SCOPE_NAME = "projects/{project}/locations/global/scopes/"
_TYPE = "type.googleapis.com/google.cloud.gkehub.v1."


def _resource_id(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not resource_id_ok(value):
        raise ControlError(400, f"{field} must be an RFC 1123 label of at most 63 characters")
    return value


class ScopeChanges(ChangeLog):
    def create_scope(self, body: dict[str, Any]) -> Answer:
        scope = _resource_id(body, "id")
        fleet = self.fleet_of(body)
        labels = label_map(body.get("labels", {}))
        namespace_labels = label_map(body.get("namespace_labels", {}))
        with self.store.lock:
            if scope in fleet.scopes:
                raise ControlError(409, f"scope {scope} already exists")
            record = fleet.scopes[scope] = ScopeRecord(scope, labels, namespace_labels)
            result = scope_json(fleet.project_number, record)
        self._log(fleet, body, "CreateScope", SCOPE_NAME + scope, result, scopeId=scope)
        return result, 201

    def delete_scope(self, body: dict[str, Any], scope: str) -> Answer:
        fleet = self.fleet_of(body)
        with self.store.lock:
            if fleet.remove_scope(scope) is None:
                raise ControlError(404, f"scope {scope} not found")
        self._log(fleet, body, "DeleteScope", SCOPE_NAME + scope, None)
        return {}, 200

    def create_namespace(self, body: dict[str, Any]) -> Answer:
        scope, ident = _resource_id(body, "scope"), _resource_id(body, "id")
        fleet = self.fleet_of(body)
        labels = label_map(body.get("labels", {}))
        namespace_labels = label_map(body.get("namespace_labels", {}))
        with self.store.lock:
            if scope not in fleet.scopes:
                raise ControlError(404, f"scope {scope} not found")
            if (scope, ident) in fleet.namespaces:
                raise ControlError(409, f"namespace {scope}/{ident} already exists")
            record = NamespaceRecord(scope, ident, labels, namespace_labels)
            fleet.namespaces[(scope, ident)] = record
            result = namespace_json(fleet.project_number, record)
        name = f"{SCOPE_NAME}{scope}/namespaces/{ident}"
        self._log(fleet, body, "CreateScopeNamespace", name, result, scopeNamespaceId=ident)
        return result, 201

    def delete_namespace(self, body: dict[str, Any], scope: str, ident: str) -> Answer:
        fleet = self.fleet_of(body)
        with self.store.lock:
            if fleet.namespaces.pop((scope, ident), None) is None:
                raise ControlError(404, f"namespace {scope}/{ident} not found")
        name = f"{SCOPE_NAME}{scope}/namespaces/{ident}"
        self._log(fleet, body, "DeleteScopeNamespace", name, None)
        return {}, 200

    def _log(
        self,
        fleet: Fleet,
        body: dict[str, Any],
        verb: str,
        name: str,
        created: dict[str, Any] | None,
        **ids: str,
    ) -> None:
        """Log `first` and `last` of a change already made: a create's request names the
        parent and the new id, a delete's the resource."""
        if created is None:
            request: dict[str, Any] = {"name": name}
            response: dict[str, Any] = {}
        else:
            request = {"parent": name.rsplit("/", 2)[0], **ids}
            kind = "Namespace" if "/namespaces/" in name else "Scope"
            response = {**created, "@type": _TYPE + kind}
        self._emit_hub(
            fleet, body, verb, name, request, lambda _: response, by_number=True, can_fail=False
        )
