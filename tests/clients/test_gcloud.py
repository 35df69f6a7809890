"""Real gcloud against the sandbox, as a person would drive it: fleet memberships, scopes,
fleet namespaces, membership bindings, the project, and get-credentials' kubeconfig.

The fleet is `gcloud_tools.start_fleet`'s. gcloud calls Hub, Resource Manager and Connect
Gateway on the sandbox; its parsed `--format=json` output is checked. Where gcloud is absent
these tests skip, saying so; where it is present they run
(`test_gcloud_is_found_where_it_must_be`). The same routes without gcloud:
`test_gcloud_routes`.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from sandbox.client import SandboxClient
from sandbox.server import RunningSandbox
from tests.clients.gcloud_tools import (
    BETA,
    EDGE,
    GATEWAY_CALL,
    GCLOUD_ABSENT,
    GKE_EAST,
    HUB,
    PLUGIN_ABSENT,
    PROJECT_ID,
    PROJECT_NUMBER,
    Gcloud,
    current_context,
    exec_credential,
    find_auth_plugin,
    find_gcloud,
    gcloud_env,
    start_fleet,
)

# What gcloud writes for a gateway user (api_lib/container/kubeconfig.py, `_ExecAuthPlugin`).
EXEC_API = "client.authentication.k8s.io/v1beta1"


@pytest.fixture(scope="module")
def person_token() -> str:
    """A token made for this module: whatever reaches the cluster came from gcloud's config."""
    return "ya29.person-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def fleet(person_token: str) -> Iterator[RunningSandbox]:
    running = start_fleet(person_token)
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


def test_get_credentials_of_a_gke_member_reaches_it_through_the_gateway(
    gcloud: Gcloud, fleet: RunningSandbox, person_token: str, tmp_path: Path
) -> None:
    config = _kubeconfig(gcloud, tmp_path, "gke-east", "us-central1")
    context, cluster, user = current_context(config)
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
    if find_auth_plugin() is None:
        pytest.skip(PLUGIN_ABSENT)
    token = exec_credential(user["exec"], gcloud.env, server)
    assert token == person_token
    answer = requests.get(
        server + "/api/v1/namespaces", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert (answer.status_code, answer.json()["kind"]) == (200, "NamespaceList")


def test_get_credentials_of_an_attached_member_uses_the_memberships_path(
    gcloud: Gcloud, fleet: RunningSandbox, tmp_path: Path
) -> None:
    config = _kubeconfig(gcloud, tmp_path, "edge-1", "global")
    context, cluster, user = current_context(config)
    assert context["name"] == f"connectgateway_{PROJECT_ID}_global_edge-1"
    assert cluster["server"] == f"{fleet.base_url}/v1/{HUB}/global/memberships/edge-1"
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin"


def test_get_credentials_in_another_fleet_uses_its_project(
    gcloud: Gcloud, fleet: RunningSandbox, tmp_path: Path
) -> None:
    flag = f"--project={BETA.project_id}"
    context, cluster, _ = current_context(
        _kubeconfig(gcloud, tmp_path, "beta-east", "europe-west1", flag)
    )
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
