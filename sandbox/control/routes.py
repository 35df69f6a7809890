"""The control API's routes: which path and method reach which endpoint.

Endpoints that change a fleet are `FleetChanges` methods (`changes`); the others are
`Control`'s (`api`).
"""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from sandbox.control.tuning import AREAS


def _one(path: str, method: str, endpoint: str) -> Rule:
    return Rule(path, methods=[method], endpoint=endpoint)


ROUTES = Map(
    [
        _one("/sandbox/memberships", "POST", "create_membership"),
        _one("/sandbox/memberships:batch", "POST", "create_memberships"),
        _one("/sandbox/memberships/<location>/<ident>", "PATCH", "update_membership"),
        _one("/sandbox/memberships/<location>/<ident>", "DELETE", "delete_membership"),
        _one("/sandbox/bindings", "POST", "create_binding"),
        _one("/sandbox/bindings/<location>/<ident>/<binding>", "DELETE", "delete_binding"),
        _one("/sandbox/clusters", "POST", "create_cluster"),
        _one("/sandbox/clusters/<location>/<name>", "DELETE", "delete_cluster"),
        _one("/sandbox/registrations", "POST", "create_registration"),
        _one(
            "/sandbox/registrations/<platform>/<location>/<name>", "DELETE", "delete_registration"
        ),
        _one("/sandbox/scopes", "POST", "create_scope"),
        _one("/sandbox/scopes/<scope>", "DELETE", "delete_scope"),
        _one("/sandbox/namespaces", "POST", "create_namespace"),
        _one("/sandbox/namespaces/<scope>/<ident>", "DELETE", "delete_namespace"),
        Rule("/sandbox/fleets", methods=["GET"], endpoint="fleets"),
        Rule("/sandbox/faults", methods=["GET", "POST", "DELETE"], endpoint="faults"),
        Rule("/sandbox/faults/release", methods=["POST"], endpoint="release"),
        Rule("/sandbox/requests", methods=["GET", "DELETE"], endpoint="requests"),
        Rule("/sandbox/tokens", methods=["POST"], endpoint="create_token"),
        Rule("/sandbox/tokens/<token>", methods=["DELETE"], endpoint="delete_token"),
        Rule("/sandbox/events", methods=["GET", "DELETE"], endpoint="events"),
        Rule("/sandbox/sinks", methods=["GET", "POST", "DELETE"], endpoint="sinks"),
        Rule("/sandbox/logsinks", methods=["GET", "POST", "DELETE"], endpoint="logsinks"),
        Rule("/sandbox/secrets", methods=["GET"], endpoint="secrets"),
        Rule("/sandbox/appprojects", methods=["GET"], endpoint="appprojects"),
        Rule("/sandbox/clusterprofiles", methods=["GET"], endpoint="clusterprofiles"),
        Rule("/sandbox/oauth", methods=["GET", "POST"], endpoint="oauth"),
        Rule("/sandbox/reset", methods=["POST"], endpoint="reset"),
        *(Rule(f"/sandbox/{area}", methods=["GET", "POST"], endpoint="tuning") for area in AREAS),
    ]
)
