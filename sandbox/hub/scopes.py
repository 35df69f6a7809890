"""GKE Hub v1 REST for fleet scopes and fleet namespaces, read-only.

Paths and response fields follow google/cloud/gkehub/v1/service.proto as google-cloud-gke-hub's
REST transport uses them: ListScopes (`scopes`), GetScope, ListScopeNamespaces
(`scopeNamespaces`), GetScopeNamespace and ListBoundMemberships (`scopes/{s}:listMemberships`
in the gkehub v1 discovery document: `memberships`, `unreachable`) and ListPermittedScopes
(`scopes:listPermitted`, the discovery document's `gkehub.projects.locations.scopes.listPermitted`:
`scopes`; `gcloud container fleet scopes list` calls it), each with
`nextPageToken` and `pageSize` where it lists. Scopes exist only in location `global`; an
unknown scope is 404 NOT_FOUND.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.wrappers import Request

from sandbox.google.conventions import GoogleError
from sandbox.hub.query import page_of, refuse_query
from sandbox.hub.resources import membership_json, namespace_json, scope_json, scope_name
from sandbox.state.fleet import Fleet
from sandbox.state.scoperecords import ScopeRecord

_SCOPES = r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/scopes"
SCOPE_ROUTES = [
    (re.compile(_SCOPES + r"$"), "list_scopes"),
    (re.compile(_SCOPES + r":listPermitted$"), "list_permitted_scopes"),
    (re.compile(_SCOPES + r"/(?P<scope>[^/:]+)$"), "get_scope"),
    (re.compile(_SCOPES + r"/(?P<scope>[^/:]+)/namespaces$"), "list_scope_namespaces"),
    (re.compile(_SCOPES + r"/(?P<scope>[^/:]+)/namespaces/(?P<ns>[^/:]+)$"), "get_namespace"),
    (re.compile(_SCOPES + r"/(?P<scope>[^/:]+):listMemberships$"), "list_bound_memberships"),
]


def _global(match: re.Match[str]) -> None:
    if match["location"] != "global":
        raise GoogleError(400, "Scopes exist only in location 'global'")


def _scope(fleet: Fleet, match: re.Match[str]) -> ScopeRecord:
    _global(match)
    record = fleet.scopes.get(match["scope"])
    if record is None:
        name = scope_name(fleet.project_number, match["scope"])
        raise GoogleError(404, f"Resource '{name}' was not found")
    return record


def _list_scopes(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    refuse_query(request)
    _global(match)
    project = fleet.project_number
    records = [fleet.scopes[s] for s in sorted(fleet.scopes)]
    return page_of(request, "scopes", records, lambda r: scope_json(project, r))


def _list_permitted_scopes(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    """Every scope: the sandbox lets every caller it knows view every scope."""
    return _list_scopes(fleet, request, match, unreachable)


def _get_scope(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    return scope_json(fleet.project_number, _scope(fleet, match))


def _list_scope_namespaces(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    refuse_query(request)
    scope = _scope(fleet, match).scope
    project = fleet.project_number
    records = [r for (s, _), r in sorted(fleet.namespaces.items()) if s == scope]
    return page_of(request, "scopeNamespaces", records, lambda r: namespace_json(project, r))


def _get_namespace(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    scope = _scope(fleet, match).scope
    record = fleet.namespaces.get((scope, match["ns"]))
    if record is None:
        name = f"{scope_name(fleet.project_number, scope)}/namespaces/{match['ns']}"
        raise GoogleError(404, f"Resource '{name}' was not found")
    return namespace_json(fleet.project_number, record)


def _list_bound_memberships(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    """The memberships with a binding to the scope, in every location; those in a location
    that cannot be reached are left out and the location named in `unreachable`."""
    refuse_query(request)
    scope = _scope(fleet, match).scope
    project = fleet.project_number
    bound = sorted(
        {(b.location, b.membership) for b in fleet.bindings.values() if b.scope == scope}
    )
    records = [
        fleet.memberships[k] for k in bound if k in fleet.memberships and k[0] not in unreachable
    ]
    body = page_of(request, "memberships", records, lambda r: membership_json(project, r))
    if unreachable:
        body["unreachable"] = [f"projects/{project}/locations/{loc}" for loc in unreachable]
    return body


SCOPE_HANDLERS = {
    "list_scopes": _list_scopes,
    "list_permitted_scopes": _list_permitted_scopes,
    "get_scope": _get_scope,
    "list_scope_namespaces": _list_scope_namespaces,
    "get_namespace": _get_namespace,
    "list_bound_memberships": _list_bound_memberships,
}
