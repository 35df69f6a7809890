"""Cloud Resource Manager v1 `projects.get` and `projects.testIamPermissions` for the fleets.

Paths and shapes are the Cloud SDK's cloudresourcemanager v1 client's
(googlecloudsdk/generated_clients/apis/cloudresourcemanager/v1/cloudresourcemanager_v1_client.py:
`GET v1/projects/{projectId}`, `POST v1/projects/{resource}:testIamPermissions`;
cloudresourcemanager_v1_messages.py: `Project` with `projectNumber`, `projectId`,
`lifecycleState`, `name`, `labels`; `TestIamPermissionsResponse.permissions`, the subset of the
request's `permissions` the caller holds). A project the sandbox does not serve is 403
PERMISSION_DENIED, never 404: Resource Manager does not tell a missing project from a hidden
one (googleapis/google-cloud-java#440, "The 403 vs 404 is intended behavior"). Both the ID
and the number of a fleet host project are accepted, as Resource Manager accepts either.
"""

from __future__ import annotations

import json
import re
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.google.conventions import GoogleError, error_response, json_response
from sandbox.state.fleet import Fleet
from sandbox.state.store import Store

PROJECT_PATH = re.compile(r"^/v1/projects/(?P<project>[^/:]+)(?P<test>:testIamPermissions)?$")
DENIED = "The caller does not have permission"
# The sandbox's Hub lets every caller it knows read every fleet, so on a fleet host project a
# known caller holds every GKE Hub permission (Hub and Connect Gateway are `gkehub.*`) and may
# read the project; nothing else (serviceusage, iam, ...) is served, so nothing else is held.
HELD_PREFIXES = ("gkehub.",)
HELD = frozenset({"resourcemanager.projects.get"})


def handle_projects(store: Store, request: Request, found: re.Match[str]) -> Response:
    """Serve `projects.get` or `projects.testIamPermissions`, after the caller's token."""
    if store.identity_for(request.headers.get("Authorization", "")) is None:
        return error_response(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential.",
        )
    wanted = "POST" if found["test"] else "GET"
    if request.method != wanted:
        return error_response(405, f"Method {request.method} is not allowed here")
    fleet = store.fleet_for(found["project"])
    if fleet is None:
        return error_response(403, DENIED)
    if not found["test"]:
        return json_response(project_json(fleet))
    try:
        held = held_permissions(request.get_data())
    except GoogleError as err:
        return error_response(err.code, err.message)
    # proto3 JSON leaves an empty repeated field out.
    return json_response({"permissions": held} if held else {})


def held_permissions(body: bytes) -> list[str]:
    """Those of a TestIamPermissionsRequest's `permissions` a known caller holds, in order."""
    try:
        asked = json.loads(body or b"{}").get("permissions", [])
    except (ValueError, AttributeError):
        raise GoogleError(400, "Invalid JSON payload received.") from None
    if not isinstance(asked, list) or not all(isinstance(p, str) for p in asked):
        raise GoogleError(400, "Invalid value at 'permissions'")
    return [p for p in asked if p in HELD or p.startswith(HELD_PREFIXES)]


def project_json(fleet: Fleet) -> dict[str, Any]:
    """A fleet host project as v1 `projects.get` returns it; its display name is its ID, as
    `gcloud projects create` names a project it is given no name for."""
    return {
        "projectNumber": fleet.project_number,
        "projectId": fleet.project_id,
        "lifecycleState": "ACTIVE",
        "name": fleet.project_id,
        "labels": {},
    }
