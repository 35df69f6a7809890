"""Connect Gateway: authenticate the caller, then forward to the membership's Kubernetes API.

Each fleet's members are reached under that fleet's project ID or number, and count against
that fleet's quota (`quota`). The clusters' Kubernetes API itself is `kubernetes.apiserver`'s.
Gateway failures (unknown token, unknown membership) answer in Google's error format, not as
Kubernetes `Status` objects, exactly as the real gateway does; callers must not confuse a
gateway 404 with a missing Secret.
"""

from __future__ import annotations

import re

from werkzeug.wrappers import Request, Response

from sandbox.gateway.credentials import generate_credentials
from sandbox.gateway.quota import add_latency, admit
from sandbox.google.conventions import error_response
from sandbox.kubernetes.apiserver import serve_kubernetes
from sandbox.kubernetes.conventions import KubeError, status_response
from sandbox.state.fleet import Fleet
from sandbox.state.store import Store

# The sandbox serves Hub and the gateway on one host, so `memberships/{id}` is the gateway's
# only when a Kubernetes path or `:generateCredentials` follows; alone, or with `/bindings`,
# it is the Hub's.
GATEWAY_PATH = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/(?:"
    r"(?P<gke>gkeMemberships)/(?P<gke_member>[^/]+)(?P<gke_rest>/.*)?"
    r"|memberships/(?P<member>[^/]+)(?P<rest>/(?:api|apis|version|openapi)(?:/.*)?)"
    r"|memberships/(?P<credentials>[^/:]+):generateCredentials)$"
)


def handle_gateway(
    store: Store, request: Request, found: re.Match[str], ca_pem: bytes = b""
) -> Response:
    """Serve one gateway call, whichever of the two URL forms it came in, or GenerateCredentials
    (whose kubeconfig carries `ca_pem`, the CA of a sandbox served over TLS, when there is one)."""
    if found["credentials"]:
        return generate_credentials(
            store, request, found["project"], found["location"], found["credentials"], ca_pem
        )
    match = {
        "project": found["project"],
        "location": found["location"],
        "collection": "gkeMemberships" if found["gke"] else "memberships",
        "membership": found["gke_member"] or found["member"],
        "rest": found["gke_rest"] if found["gke"] else found["rest"],
    }
    return _gateway(store, request, match)


def _quota_wait(store: Store, fleet: Fleet) -> int:
    limit = store.behaviour.gateway_quota_rpm
    with store.lock:
        return admit(fleet.gateway_calls, limit, store.now_s())


def _gateway(store: Store, request: Request, match: dict[str, str]) -> Response:
    add_latency(store.behaviour.gateway_latency_ms)
    fleet = store.fleet_for(match["project"])
    # Connect Gateway's quota is per project: each fleet host project counts its own calls.
    wait = _quota_wait(store, fleet) if fleet is not None else 0
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
    if fleet is None:
        return error_response(404, f"Project {match['project']} not found")
    with store.lock:
        record = fleet.memberships.get((match["location"], match["membership"]))
        # gcloud builds `gkeMemberships/` URLs for GKE members only, `memberships/` otherwise.
        wrong_kind = (
            record is not None
            and match["collection"] == "gkeMemberships"
            and record.platform != "gke"
        )
        cluster = fleet.cluster_for(match["location"], match["membership"])
    if cluster is None or wrong_kind:
        return error_response(
            404,
            f"membership projects/{match['project']}/locations/{match['location']}"
            f"/memberships/{match['membership']} not found or not connected",
        )
    try:
        with cluster.lock:
            return serve_kubernetes(cluster, identity, request, match["rest"] or "/")
    except KubeError as err:
        return status_response(err)
