"""GKE Hub v1 REST: memberships and membership bindings, read-only; scopes and fleet namespaces
are in `scopes`. Each fleet answers under its project ID or number; names carry the number.

Shapes follow the v1 reference (ListMembershipsResponse `resources`, `nextPageToken`,
`unreachable`; ListMembershipBindingsResponse `membershipBindings`), which is what
google-cloud-gke-hub's REST transport parses. Writes go through the control API instead.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.google.conventions import GoogleError, encode_enums, error_response, json_response
from sandbox.hub.longrunning import OPERATION_ROUTES, get_operation
from sandbox.hub.query import check_location, membership_filter, ordered, page_of, refuse_query
from sandbox.hub.resources import binding_json, membership_json
from sandbox.hub.scopes import SCOPE_HANDLERS, SCOPE_ROUTES
from sandbox.state.fleet import Fleet
from sandbox.state.store import Store

_BASE = r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
ROUTES = [
    (re.compile(_BASE + r"/memberships$"), "list_memberships"),
    (re.compile(_BASE + r"/memberships/(?P<membership>[^/:]+)$"), "get_membership"),
    (re.compile(_BASE + r"/memberships/(?P<membership>[^/]+)/bindings$"), "list_bindings"),
    (
        re.compile(_BASE + r"/memberships/(?P<membership>[^/]+)/bindings/(?P<binding>[^/]+)$"),
        "get_binding",
    ),
    *SCOPE_ROUTES,
    *OPERATION_ROUTES,
]


def match_hub(path: str) -> tuple[str, re.Match[str]] | None:
    for pattern, handler in ROUTES:
        if found := pattern.match(path):
            return handler, found
    return None


def handle_hub(
    store: Store, request: Request, handler: str, match: re.Match[str], unreachable: list[str]
) -> Response:
    authorization = request.headers.get("Authorization")
    if authorization is None and not store.behaviour.hub_allow_anonymous:
        return error_response(
            401,
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.",
        )
    if authorization is not None and store.identity_for(authorization) is None:
        return error_response(401, "Request had invalid authentication credentials.")
    if request.method != "GET":
        # The real API has these methods; the sandbox does not implement them (UNIMPLEMENTED,
        # code.proto), and 405 has no google.rpc.Code to travel with.
        return error_response(
            501,
            f"Method {request.method} {request.path} is not implemented by the sandbox; "
            "use the sandbox control API to change the fleet",
        )
    project = match["project"]
    fleet = store.fleet_for(project)
    if fleet is None:
        return error_response(
            403,
            f"Permission 'gkehub.memberships.list' denied on "
            f"'projects/{project}' (or it may not exist)",
        )
    try:
        with store.lock:
            if handler == "get_operation":  # the one resource the store keeps, not the fleet
                body = get_operation(store.operations, fleet, match)
            else:
                body = _HANDLERS[handler](fleet, request, match, unreachable)
    except GoogleError as err:
        return error_response(err.code, err.message, err.status)
    return json_response(encode_enums(body, request.args.get("$alt", "")))


def _list_memberships(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    project, location = fleet.project_number, match["location"]
    check_location(location, unreachable)

    def name_of(record: Any) -> str:
        return f"projects/{project}/locations/{record.location}/memberships/{record.membership}"

    wanted = membership_filter(request.args.get("filter", ""), name_of)
    records = [
        r
        for key, r in fleet.memberships.items()
        if location in ("-", key[0]) and key[0] not in unreachable and wanted(r)
    ]
    records = ordered(records, request.args.get("orderBy", ""), name_of)
    body = page_of(request, "resources", records, lambda r: membership_json(project, r))
    return _with_unreachable(body, project, location, unreachable)


def _get_membership(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    project, location, ident = fleet.project_number, match["location"], match["membership"]
    check_location(location, unreachable)
    record = fleet.memberships.get((location, ident))
    if record is None:
        raise GoogleError(
            404,
            f"Resource 'projects/{project}/locations/{location}/memberships/{ident}' was not found",
        )
    return membership_json(project, record)


def _list_bindings(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    project, location, ident = fleet.project_number, match["location"], match["membership"]
    check_location(location, unreachable)
    refuse_query(request)
    if location != "-" and ident != "-" and (location, ident) not in fleet.memberships:
        raise GoogleError(
            404,
            f"Resource 'projects/{project}/locations/{location}/memberships/{ident}' was not found",
        )
    records = [
        b
        for key, b in sorted(fleet.bindings.items())
        if location in ("-", key[0]) and ident in ("-", key[1]) and key[0] not in unreachable
    ]
    body = page_of(request, "membershipBindings", records, lambda b: binding_json(project, b))
    return _with_unreachable(body, project, location, unreachable)


def _get_binding(
    fleet: Fleet, request: Request, match: re.Match[str], unreachable: list[str]
) -> dict[str, Any]:
    key = (match["location"], match["membership"], match["binding"])
    check_location(match["location"], unreachable)
    record = fleet.bindings.get(key)
    if record is None:
        raise GoogleError(404, f"Resource '{request.path[4:]}' was not found")
    return binding_json(fleet.project_number, record)


def _with_unreachable(
    body: dict[str, Any], project: str, location: str, unreachable: list[str]
) -> dict[str, Any]:
    if location == "-" and unreachable:
        body["unreachable"] = [f"projects/{project}/locations/{loc}" for loc in unreachable]
    return body


_HANDLERS = {
    "list_memberships": _list_memberships,
    "get_membership": _get_membership,
    "list_bindings": _list_bindings,
    "get_binding": _get_binding,
    **SCOPE_HANDLERS,
}
