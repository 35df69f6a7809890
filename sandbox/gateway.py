"""Connect Gateway: authenticate the caller, then forward to the membership's Kubernetes API.

Gateway failures (unknown token, unknown membership) answer in Google's error format, not as
Kubernetes `Status` objects, exactly as the real gateway does; callers must not confuse a
gateway 404 with a missing Secret.
"""

from __future__ import annotations

import json
import re
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.gatewayquota import add_latency
from sandbox.googleapi import error_response
from sandbox.kube import Cluster
from sandbox.kubeapi import KubeError, ok, status_response
from sandbox.store import Store

# The sandbox serves Hub and the gateway on one host, so `memberships/{id}` is the gateway's
# only when a Kubernetes path follows; alone, or with `/bindings`, it is the Hub's.
GATEWAY_PATH = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/(?:"
    r"(?P<gke>gkeMemberships)/(?P<gke_member>[^/]+)(?P<gke_rest>/.*)?"
    r"|memberships/(?P<member>[^/]+)(?P<rest>/(?:api|apis|version)(?:/.*)?))$"
)
_SECRETS = re.compile(r"^/api/v1/namespaces/(?P<ns>[^/]+)/secrets(?:/(?P<name>[^/]+))?/?$")
_NAMESPACES = re.compile(r"^/api/v1/namespaces(?:/(?P<ns>[^/]+))?/?$")
_VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def handle_gateway(store: Store, request: Request, found: re.Match[str]) -> Response:
    """Serve one gateway call, whichever of the two URL forms it came in."""
    match = {
        "project": found["project"],
        "location": found["location"],
        "collection": "gkeMemberships" if found["gke"] else "memberships",
        "membership": found["gke_member"] or found["member"],
        "rest": found["gke_rest"] if found["gke"] else found["rest"],
    }
    return _gateway(store, request, match)


def _gateway(store: Store, request: Request, match: dict[str, str]) -> Response:
    add_latency(store)
    wait = store.gateway_quota.admit(store)
    if wait:
        answer = error_response(
            429,
            "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of "
            "service 'connectgateway.googleapis.com'",
        )
        answer.headers["Retry-After"] = str(wait)
        return answer
    identity = store.identity_for(request.headers.get("Authorization", ""))
    if identity is None:
        return error_response(
            401,
            "Request had invalid authentication credentials. Expected "
            "OAuth 2 access token, login cookie or other valid authentication "
            "credential.",
        )
    if not store.is_project(match["project"]):
        return error_response(404, f"Project {match['project']} not found")
    with store.lock:
        record = store.memberships.get((match["location"], match["membership"]))
        # gcloud builds `gkeMemberships/` URLs for GKE members only, `memberships/` otherwise.
        wrong_kind = (
            record is not None
            and match["collection"] == "gkeMemberships"
            and record.platform != "gke"
        )
    cluster = store.cluster_for(match["location"], match["membership"])
    if cluster is None or wrong_kind:
        return error_response(
            404,
            f"membership projects/{match['project']}/locations/{match['location']}"
            f"/memberships/{match['membership']} not found or not connected",
        )
    try:
        with cluster.lock:
            return _kubernetes(cluster, identity, request, match["rest"] or "/")
    except KubeError as err:
        return status_response(err)


def _kubernetes(cluster: Cluster, identity: str, request: Request, path: str) -> Response:
    verb = _VERBS.get(request.method)
    if verb is None:
        raise KubeError(405, "the server does not allow this method on the requested resource")
    if match := _SECRETS.match(path):
        return _secrets(cluster, identity, verb, request, match["ns"], match["name"] or "")
    if match := _NAMESPACES.match(path):
        name = match["ns"] or ""
        if verb != "get":
            raise KubeError(405, "the server does not allow this method on the requested resource")
        cluster.authorize(identity, "get" if name else "list", "namespaces", "", name)
        return ok(cluster.get_namespace(name) if name else cluster.list_namespaces())
    raise KubeError(404, "the server could not find the requested resource")


def _secrets(
    cluster: Cluster, identity: str, verb: str, request: Request, ns: str, name: str
) -> Response:
    if not name:
        verb = {"get": "list", "create": "create"}.get(verb, "")
        if not verb:
            raise KubeError(405, "the server does not allow this method on the requested resource")
    elif verb == "create":
        raise KubeError(405, "the server does not allow this method on the requested resource")
    cluster.authorize(identity, verb, "secrets", ns, name)
    if verb == "list":
        limit = request.args.get("limit", "0")
        return ok(
            cluster.list_secrets(
                ns,
                request.args.get("labelSelector", ""),
                int(limit) if limit.isdigit() else 0,
                request.args.get("continue", ""),
            )
        )
    if verb == "get":
        return ok(cluster.get_secret(ns, name))
    if verb == "delete":
        return ok(cluster.delete_secret(ns, name, _body(request, allow_empty=True)))
    body = _body(request)
    if verb == "create":
        return ok(cluster.create_secret(ns, body), 201)
    if verb == "update":
        return ok(cluster.replace_secret(ns, name, body))
    content_type = request.mimetype
    return ok(cluster.patch_secret(ns, name, body, content_type))


def _body(request: Request, allow_empty: bool = False) -> Any:
    raw = request.get_data(cache=True)
    if not raw and allow_empty:
        return None
    try:
        return json.loads(raw)
    except ValueError as err:
        raise KubeError(400, f"the body of the request could not be decoded: {err}") from None
