"""Connect Gateway's GenerateCredentials: a kubeconfig that reaches one membership through the
gateway, for `gcloud container fleet memberships get-credentials`.

The method is the one the Cloud SDK's connectgateway v1 client calls
(googlecloudsdk/generated_clients/apis/connectgateway/v1/connectgateway_v1_client.py:
`GET v1/{+name}:generateCredentials`, query `forceUseAgent`, `impersonatedServiceAccount`,
`kubernetesNamespace`, `operatingSystem`, `version`); the answer is
`GenerateCredentialsResponse` (connectgateway_v1_messages.py): `endpoint`, and `kubeconfig`,
bytes, so base64 in JSON. The kubeconfig is the one gcloud writes when it builds it itself
(command_lib/container/fleet/gateway.py: context, cluster and user all named
`connectgateway_{project}_{location}_{membership}`, `_ns-{namespace}` added to the context;
server `.../v1/projects/{number}/locations/{location}/{collection}/{membership}` with
`gkeMemberships` for GKE members; api_lib/container/kubeconfig.py `_ExecAuthPlugin`: an exec
user that runs gke-gcloud-auth-plugin, which hands kubectl the caller's own gcloud token),
with the sandbox's address in place of connectgateway.googleapis.com.
"""

from __future__ import annotations

import base64
from typing import Any

import yaml
from werkzeug.wrappers import Request, Response

from sandbox.google.conventions import GoogleError, error_response, json_response
from sandbox.state.fleet import Fleet
from sandbox.state.identities import ADMIN_TOKEN
from sandbox.state.store import Store

CONTEXT_FORMAT = "connectgateway_{project}_{location}_{membership}"
AUTH_PLUGIN = "gke-gcloud-auth-plugin"
INSTALL_HINT = (
    "Install gke-gcloud-auth-plugin for use with kubectl by following "
    "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl"
    "#install_plugin"
)
# OperatingSystemValueValuesEnum; Windows gets the plugin's `.exe`, as gcloud names it.
PLUGIN_BY_OS = {
    "": AUTH_PLUGIN,
    "OPERATING_SYSTEM_UNSPECIFIED": AUTH_PLUGIN,
    "OPERATING_SYSTEM_WINDOWS": AUTH_PLUGIN + ".exe",
}
# The sandbox's gateway serves v1 paths only; "" lets the server choose, as the API says.
VERSIONS = ("", "v1")


def generate_credentials(
    store: Store,
    request: Request,
    project: str,
    location: str,
    membership: str,
    ca_pem: bytes = b"",
) -> Response:
    """Answer GenerateCredentials for `projects/{project}/locations/{location}/memberships/...`.

    `ca_pem` is the CA of a sandbox served over TLS, written as the cluster's
    `certificate-authority-data`: kubectl does not trust a private CA, whereas the real
    gateway's certificate chains to a public root and its kubeconfig needs none.
    """
    try:
        fleet, plugin = _admitted(store, request, project)
    except GoogleError as err:
        return error_response(err.code, err.message)
    with store.lock:
        record = fleet.memberships.get((location, membership))
        project_id, number = fleet.project_id, fleet.project_number
    if record is None:
        name = f"projects/{number}/locations/{location}/memberships/{membership}"
        return error_response(404, f"Resource '{name}' was not found")
    # gcloud reaches GKE members under `gkeMemberships/`, the others under `memberships/`.
    collection = "gkeMemberships" if record.platform == "gke" else "memberships"
    endpoint = (
        f"{request.host_url.rstrip('/')}/v1/projects/{number}/locations/{location}"
        f"/{collection}/{membership}"
    )
    cluster = CONTEXT_FORMAT.format(project=project_id, location=location, membership=membership)
    config = kubeconfig(
        cluster,
        endpoint,
        plugin,
        namespace=request.args.get("kubernetesNamespace", ""),
        impersonate=request.args.get("impersonatedServiceAccount", ""),
        ca_pem=ca_pem,
    )
    encoded = base64.b64encode(yaml.safe_dump(config, sort_keys=False).encode()).decode()
    return json_response({"endpoint": endpoint, "kubeconfig": encoded})


def _admitted(store: Store, request: Request, project: str) -> tuple[Fleet, str]:
    """The fleet asked about and the plugin to name, or the GoogleError that refuses the call."""
    if request.method != "GET":
        raise GoogleError(405, f"Method {request.method} is not allowed here")
    if store.identity_for(request.headers.get("Authorization", "")) is None:
        raise GoogleError(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential.",
        )
    fleet = store.fleet_for(project)
    if fleet is None:
        raise GoogleError(
            403,
            f"Permission 'gkehub.gateway.generateCredentials' denied on 'projects/{project}' "
            "(or it may not exist)",
        )
    system, version = request.args.get("operatingSystem", ""), request.args.get("version", "")
    if system not in PLUGIN_BY_OS:
        raise GoogleError(400, f"Invalid value at 'operating_system' ({system})")
    if version not in VERSIONS:
        raise GoogleError(400, f"Connect Gateway version {version!r} is not served here")
    return fleet, PLUGIN_BY_OS[system]


def kubeconfig(
    cluster: str,
    server: str,
    plugin: str,
    *,
    namespace: str = "",
    impersonate: str = "",
    ca_pem: bytes = b"",
    token: str = "",
) -> dict[str, Any]:
    """One cluster, one user, one context, the context current; named as gcloud names them.

    The user runs `plugin` for its token, or, given a `token`, sends that one.
    """
    context = f"{cluster}_ns-{namespace}" if namespace else cluster
    exec_user: dict[str, Any] = {
        "command": plugin,
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "installHint": INSTALL_HINT,
        "provideClusterInfo": True,
    }
    if impersonate:
        exec_user["args"] = [f"--impersonate_service_account={impersonate}"]
    user = {"token": token} if token else {"exec": exec_user}
    entry: dict[str, Any] = {"cluster": cluster, "user": context}
    if namespace:
        entry["namespace"] = namespace
    server_entry: dict[str, Any] = {"server": server}
    if ca_pem:
        server_entry["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster, "cluster": server_entry}],
        "users": [{"name": context, "user": user}],
        "contexts": [{"name": context, "context": entry}],
        "current-context": context,
    }


def admin_kubeconfig(store: Store, url: str, ca_pem: bytes) -> dict[str, Any]:
    """The Argo CD cluster through the gateway at `url`, as the admin (a fixed token, where
    gcloud's would run the auth plugin), in Argo CD's namespace: `--tls-dir`'s kubeconfig."""
    location, _, membership = store.argocd_membership.partition("/")
    path = f"/v1/projects/{store.project_number}/locations/{location}/memberships/{membership}"
    name = CONTEXT_FORMAT.format(project=store.project_id, location=location, membership=membership)
    return kubeconfig(
        name, url + path, "", namespace=store.argocd_namespace, ca_pem=ca_pem, token=ADMIN_TOKEN
    )
