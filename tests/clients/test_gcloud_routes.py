"""The routes gcloud calls, on the wire, without gcloud: GenerateCredentials with each of its
query parameters and refusals, Resource Manager for every fleet, and scopes:listPermitted
against the gkehub v1 discovery document. They run wherever the tests run.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from sandbox.gateway.credentials import kubeconfig
from sandbox.server import RunningSandbox
from tests.clients.gcloud_tools import (
    BETA,
    GATEWAY_CALL,
    HUB,
    PROJECT_ID,
    PROJECT_NUMBER,
    current_context,
    start_fleet,
)

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "google"


@pytest.fixture(scope="module")
def fleet() -> Iterator[RunningSandbox]:
    running = start_fleet("ya29.unused-" + PROJECT_ID)
    yield running
    running.stop()


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
    context, cluster, user = current_context(config)
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
