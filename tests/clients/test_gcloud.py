"""Real gcloud against the sandbox, as a person would drive it: fleet memberships, scopes,
fleet namespaces, membership bindings, the project, and get-credentials' kubeconfig.

The fleet: a GKE member (`us-central1/gke-east`), a cluster GKE attached clusters registered
(`global/edge-1`), a GKE member still being created (`us-east1/gke-new`) and the Argo CD
cluster every sandbox has; two scopes with fleet namespaces, each bound to one member. gcloud
calls Hub, Resource Manager and Connect Gateway on the sandbox (`gcloud_tools`); its parsed
`--format=json` output is checked. Where gcloud is absent these tests skip, saying so; where it
is present they run (`test_gcloud_is_found_where_it_must_be`). Checks of the new routes that
need no gcloud run everywhere.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from sandbox.client import SandboxClient
from sandbox.gateway.credentials import kubeconfig
from sandbox.server import RunningSandbox, start
from sandbox.state.fleet import FleetId
from sandbox.state.identities import ADMIN_IDENTITY
from tests.clients.gcloud_tools import (
    GCLOUD_ABSENT,
    PLUGIN_ABSENT,
    RUN_TIMEOUT_S,
    Gcloud,
    find_auth_plugin,
    find_gcloud,
    gcloud_env,
)

PROJECT_ID, PROJECT_NUMBER = "acme-fleet", "123456789012"
BETA = FleetId("beta-fleet", "210987654321")
HUB = f"projects/{PROJECT_NUMBER}/locations"
GKE_EAST = f"{HUB}/us-central1/memberships/gke-east"
EDGE = f"{HUB}/global/memberships/edge-1"
GATEWAY_CALL = f"/v1/{HUB}/us-central1/memberships/gke-east:generateCredentials"
# What gcloud writes for a gateway user (api_lib/container/kubeconfig.py, `_ExecAuthPlugin`).
EXEC_API = "client.authentication.k8s.io/v1beta1"
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "google"


@pytest.fixture(scope="module")
def person_token() -> str:
    """A token made for this module: whatever reaches the cluster came from gcloud's config."""
    return "ya29.person-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def fleet(person_token: str) -> Iterator[RunningSandbox]:
    running = start(project_id=PROJECT_ID, project_number=PROJECT_NUMBER, fleets=[BETA])
    client = SandboxClient(running.base_url)
    admin = ADMIN_IDENTITY.format(project=PROJECT_ID)
    client.ok("POST", "/sandbox/tokens", {"token": person_token, "identity": admin})
    client.add_membership("us-central1", "gke-east", labels={"env": "prod", "team": "payments"})
    client.add_membership("us-east1", "gke-new", labels={"env": "dev"}, state="CREATING")
    client.register("attached", "us-west1", "edge-1", labels={"env": "edge"})
    client.add_scope("team-a", labels={"tier": "gold"})
    client.add_scope("team-b")
    client.add_namespace("team-a", "payments")
    client.add_namespace("team-a", "ledger", labels={"owner": "ledger"})
    client.add_namespace("team-b", "edge-apps")
    client.bind("us-central1/gke-east", "team-a")
    client.bind("global/edge-1", "team-b")
    client.add_membership("europe-west1", "beta-east", project_number=BETA.project_number)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def gcloud(
    fleet: RunningSandbox, person_token: str, tmp_path_factory: pytest.TempPathFactory
) -> Gcloud:
    binary = find_gcloud()
    if binary is None:
        pytest.skip(GCLOUD_ABSENT)
    home = tmp_path_factory.mktemp("gcloud")
    return Gcloud(binary, gcloud_env(fleet.base_url, home, person_token, PROJECT_ID))


def test_gcloud_is_found_where_it_must_be() -> None:
    """In CI, or wherever gcloud is on PATH, the gcloud tests must run, not skip."""
    if not os.environ.get("CI") and shutil.which("gcloud") is None:
        pytest.skip(GCLOUD_ABSENT)
    assert find_gcloud() is not None, "CI must have gcloud on PATH"


# --- Hub, as gcloud lists and describes it --------------------------------------------------


def test_memberships_list_shows_every_member_with_labels_and_state(gcloud: Gcloud) -> None:
    listed = {m["name"]: m for m in gcloud.json("container", "fleet", "memberships", "list")}
    assert set(listed) == {
        f"{HUB}/global/memberships/argocd-hub",
        GKE_EAST,
        f"{HUB}/us-east1/memberships/gke-new",
        EDGE,
    }
    assert listed[GKE_EAST]["labels"] == {"env": "prod", "team": "payments"}
    assert listed[EDGE]["labels"] == {"env": "edge"}
    assert listed[GKE_EAST]["state"] == {"code": "READY"}
    assert listed[f"{HUB}/us-east1/memberships/gke-new"]["state"] == {"code": "CREATING"}
    assert "gkeCluster" in listed[GKE_EAST]["endpoint"]
    assert "gkeCluster" not in listed[EDGE]["endpoint"]


def test_memberships_describe(gcloud: Gcloud) -> None:
    described = gcloud.json(
        "container", "fleet", "memberships", "describe", "gke-east", "--location=us-central1"
    )
    assert described["name"] == GKE_EAST
    assert described["endpoint"]["gkeCluster"]["resourceLink"].endswith(
        "/locations/us-central1/clusters/gke-east"
    )
    assert described["labels"] == {"env": "prod", "team": "payments"}


def test_scopes_list_calls_list_permitted(gcloud: Gcloud, fleet: RunningSandbox) -> None:
    scopes = gcloud.json("container", "fleet", "scopes", "list")
    assert [s["name"] for s in scopes] == [
        f"{HUB}/global/scopes/team-a",
        f"{HUB}/global/scopes/team-b",
    ]
    assert scopes[0]["labels"] == {"tier": "gold"}
    assert scopes[0]["state"] == {"code": "READY"}
    paths = [r["path"] for r in SandboxClient(fleet.base_url).requests()]
    assert f"/v1/projects/{PROJECT_ID}/locations/global/scopes:listPermitted" in paths


def test_scope_namespaces_list(gcloud: Gcloud) -> None:
    namespaces = gcloud.json("container", "fleet", "scopes", "namespaces", "list", "--scope=team-a")
    by_name = {n["name"].rsplit("/", 1)[-1]: n for n in namespaces}
    assert set(by_name) == {"payments", "ledger"}
    assert by_name["ledger"]["labels"] == {"owner": "ledger"}
    assert {n["scope"] for n in namespaces} == {f"{HUB}/global/scopes/team-a"}


def test_membership_bindings_list(gcloud: Gcloud) -> None:
    bindings = gcloud.json(
        "container", "fleet", "memberships", "bindings", "list",
        "--membership=gke-east", "--location=us-central1",
    )  # fmt: skip
    assert [(b["name"], b["scope"]) for b in bindings] == [
        (f"{GKE_EAST}/bindings/team-a", f"{HUB}/global/scopes/team-a")
    ]


def test_an_unknown_token_is_refused(gcloud: Gcloud, tmp_path: Path) -> None:
    token_file = tmp_path / "unknown-token"
    token_file.write_text("ya29.nobody")
    error = gcloud.fails(
        "container", "fleet", "memberships", "list",
        CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=str(token_file),
    )  # fmt: skip
    assert "UNAUTHENTICATED" in error or "401" in error, error


# --- Resource Manager ----------------------------------------------------------------------


def test_projects_describe_by_id_and_number(gcloud: Gcloud) -> None:
    for project in (PROJECT_ID, PROJECT_NUMBER):
        described = gcloud.json("projects", "describe", project)
        assert (described["projectId"], described["projectNumber"]) == (PROJECT_ID, PROJECT_NUMBER)
        assert described["lifecycleState"] == "ACTIVE"


def test_projects_describe_of_an_unknown_project_is_permission_denied(gcloud: Gcloud) -> None:
    error = gcloud.fails("projects", "describe", "nobody-project")
    assert "does not have permission" in error, error


# --- get-credentials ------------------------------------------------------------------------


def _kubeconfig(
    gcloud: Gcloud, tmp_path: Path, name: str, location: str, *flags: str
) -> dict[str, Any]:
    path = tmp_path / "kubeconfig"
    gcloud.json(
        "container", "fleet", "memberships", "get-credentials", name, f"--location={location}",
        *flags, KUBECONFIG=str(path),
    )  # fmt: skip
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def _current(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The current context, its cluster and its user."""
    context = next(c for c in config["contexts"] if c["name"] == config["current-context"])
    cluster = next(c for c in config["clusters"] if c["name"] == context["context"]["cluster"])
    user = next(u for u in config["users"] if u["name"] == context["context"]["user"])
    return context, cluster["cluster"], user["user"]


def test_get_credentials_of_a_gke_member_reaches_it_through_the_gateway(
    gcloud: Gcloud, fleet: RunningSandbox, person_token: str, tmp_path: Path
) -> None:
    config = _kubeconfig(gcloud, tmp_path, "gke-east", "us-central1")
    context, cluster, user = _current(config)
    assert context["name"] == f"connectgateway_{PROJECT_ID}_us-central1_gke-east"
    server = f"{fleet.base_url}/v1/{HUB}/us-central1/gkeMemberships/gke-east"
    assert cluster["server"] == server
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert user["exec"]["apiVersion"] == EXEC_API
    assert user["exec"]["provideClusterInfo"] is True
    assert set(user) == {"exec"}, "the caller's own token, never one written into the file"
    assert person_token not in json.dumps(config)
    paths = [r["path"] for r in SandboxClient(fleet.base_url).requests()]
    assert GATEWAY_CALL in paths
    # What kubectl does with this user (client-go runs the exec command, then sends its
    # token), done here by hand: client-go reads a kubeconfig's credentials only over TLS
    # (tools/clientcmd/client_config.go, "only try to read the auth information if we are
    # secure"), and this sandbox serves plain http.
    token = _exec_credential(user["exec"], gcloud, server)
    assert token == person_token
    answer = requests.get(
        server + "/api/v1/namespaces", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert (answer.status_code, answer.json()["kind"]) == (200, "NamespaceList")


def _exec_credential(spec: dict[str, Any], gcloud: Gcloud, server: str) -> str:
    if find_auth_plugin() is None:
        pytest.skip(PLUGIN_ABSENT)
    command = shutil.which(spec["command"]) or find_auth_plugin()
    assert command is not None
    info = {
        "kind": "ExecCredential",
        "apiVersion": spec["apiVersion"],
        "spec": {"cluster": {"server": server}, "interactive": False},
    }
    done = subprocess.run(
        [command, *spec.get("args", [])],
        env={**gcloud.env, "KUBERNETES_EXEC_INFO": json.dumps(info)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=True,
    )
    credential = json.loads(done.stdout)
    assert credential["apiVersion"] == spec["apiVersion"]
    token: str = credential["status"]["token"]
    return token


def test_get_credentials_of_an_attached_member_uses_the_memberships_path(
    gcloud: Gcloud, fleet: RunningSandbox, tmp_path: Path
) -> None:
    config = _kubeconfig(gcloud, tmp_path, "edge-1", "global")
    context, cluster, user = _current(config)
    assert context["name"] == f"connectgateway_{PROJECT_ID}_global_edge-1"
    assert cluster["server"] == f"{fleet.base_url}/v1/{HUB}/global/memberships/edge-1"
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin"


def test_get_credentials_in_another_fleet_uses_its_project(
    gcloud: Gcloud, fleet: RunningSandbox, tmp_path: Path
) -> None:
    flag = f"--project={BETA.project_id}"
    context, cluster, _ = _current(_kubeconfig(gcloud, tmp_path, "beta-east", "europe-west1", flag))
    assert context["name"] == f"connectgateway_{BETA.project_id}_europe-west1_beta-east"
    assert cluster["server"] == (
        f"{fleet.base_url}/v1/projects/{BETA.project_number}/locations/europe-west1"
        "/gkeMemberships/beta-east"
    )


def test_get_credentials_of_an_unknown_member_is_not_found(gcloud: Gcloud) -> None:
    error = gcloud.fails(
        "container", "fleet", "memberships", "get-credentials", "nowhere", "--location=global"
    )
    assert "NOT_FOUND" in error, error


# --- the new routes on the wire, no gcloud needed --------------------------------------------


def _call(
    fleet: RunningSandbox, method: str, path: str, token: str = "admin-token", body: Any = None
) -> tuple[int, Any]:
    answer = requests.request(
        method,
        fleet.base_url + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return answer.status_code, answer.json()


def test_generate_credentials_answers_the_published_shape(fleet: RunningSandbox) -> None:
    status, body = _call(
        fleet, "GET", GATEWAY_CALL + "?kubernetesNamespace=payments"
        "&operatingSystem=OPERATING_SYSTEM_WINDOWS&forceUseAgent=true",
    )  # fmt: skip
    assert status == 200, body
    # GenerateCredentialsResponse: `endpoint`, and `kubeconfig` bytes, base64 in JSON.
    assert set(body) == {"endpoint", "kubeconfig"}
    config = yaml.safe_load(base64.b64decode(body["kubeconfig"]))
    context, cluster, user = _current(config)
    assert cluster["server"] == body["endpoint"]
    assert body["endpoint"].endswith(f"/v1/{HUB}/us-central1/gkeMemberships/gke-east")
    assert context["name"] == f"connectgateway_{PROJECT_ID}_us-central1_gke-east_ns-payments"
    assert context["context"]["namespace"] == "payments"
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin.exe"


@pytest.mark.parametrize(
    ("path", "token", "status"),
    [
        (GATEWAY_CALL, "ya29.nobody", 401),
        (GATEWAY_CALL.replace(PROJECT_NUMBER, "999999999999"), "admin-token", 403),
        (GATEWAY_CALL.replace("gke-east", "nowhere"), "admin-token", 404),
        (GATEWAY_CALL + "?version=v9", "admin-token", 400),
    ],
)
def test_generate_credentials_refusals(
    fleet: RunningSandbox, path: str, token: str, status: int
) -> None:
    answered, body = _call(fleet, "GET", path, token)
    assert answered == status
    assert set(body["error"]) == {"code", "message", "status"}


def test_resource_manager_by_id_number_and_unknown(fleet: RunningSandbox) -> None:
    """Every fleet host project, by ID or number; the second fleet too."""
    for ident, number in ((PROJECT_ID, PROJECT_NUMBER), (BETA.project_id, BETA.project_number)):
        for project in (ident, number):
            status, body = _call(fleet, "GET", f"/v1/projects/{project}")
            assert (status, body["projectNumber"], body["projectId"]) == (200, number, ident)
    status, body = _call(fleet, "GET", "/v1/projects/nobody-project")
    assert (status, body["error"]["status"]) == (403, "PERMISSION_DENIED")
    asked = {"permissions": ["gkehub.gateway.get", "serviceusage.services.get"]}
    status, body = _call(fleet, "POST", f"/v1/projects/{PROJECT_ID}:testIamPermissions", body=asked)
    assert (status, body) == (200, {"permissions": ["gkehub.gateway.get"]})
    status, body = _call(
        fleet, "POST", "/v1/projects/nobody-project:testIamPermissions", body=asked
    )
    assert (status, body["error"]["status"]) == (403, "PERMISSION_DENIED")
    status, body = _call(fleet, "GET", f"/v1/projects/{PROJECT_ID}", token="ya29.nobody")
    assert (status, body["error"]["status"]) == (401, "UNAUTHENTICATED")


def test_list_permitted_scopes_matches_the_discovery_document(fleet: RunningSandbox) -> None:
    document = REFERENCE / "gkehub.v1.json"
    if not document.exists():
        pytest.skip(f"{document} is absent (../shared/reference)")
    discovery = json.loads(document.read_text())
    method = discovery["resources"]["projects"]["resources"]["locations"]["resources"]["scopes"][
        "methods"
    ]["listPermitted"]
    path = "/" + method["path"].replace("{+parent}", f"projects/{PROJECT_ID}/locations/global")
    status, body = _call(fleet, method["httpMethod"], path + "?pageSize=1")
    assert status == 200, body
    response = discovery["schemas"][method["response"]["$ref"]]["properties"]
    assert set(body) <= set(response)
    scope = discovery["schemas"]["Scope"]["properties"]
    assert all(set(s) <= set(scope) for s in body["scopes"])
    assert [s["name"] for s in body["scopes"]] == [f"{HUB}/global/scopes/team-a"]
    status, rest = _call(fleet, "GET", f"{path}?pageSize=1&pageToken={body['nextPageToken']}")
    assert [s["name"] for s in rest["scopes"]] == [f"{HUB}/global/scopes/team-b"]


def test_a_sandbox_served_over_tls_writes_its_ca_into_the_kubeconfig() -> None:
    """kubectl must trust the sandbox's own CA; the real gateway's public chain needs none."""
    pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    with_ca = kubeconfig("c", "https://127.0.0.1:1/v1/x", "gke-gcloud-auth-plugin", ca_pem=pem)
    assert base64.b64decode(with_ca["clusters"][0]["cluster"]["certificate-authority-data"]) == pem
    without = kubeconfig("c", "http://127.0.0.1:1/v1/x", "gke-gcloud-auth-plugin")
    assert without["clusters"][0]["cluster"] == {"server": "http://127.0.0.1:1/v1/x"}
