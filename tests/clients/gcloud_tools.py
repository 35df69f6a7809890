"""Real gcloud against the sandbox: find it, give it a temporary configuration, run it.

Each endpoint override is a base URL ending in `/`: gcloud appends the API's relative path
(`v1/projects/...`) to it as it is (googlecloudsdk/api_lib/util/apis_internal.py,
`_BuildEndpointOverride`). `CLOUDSDK_API_ENDPOINT_OVERRIDES_CONNECTGATEWAY` must be set too:
without it, get-credentials derives the gateway from the gkehub override and refuses any but
Google's own (command_lib/container/fleet/overrides.py `RegionalGatewayEndpoint`,
command_lib/container/fleet/memberships/util.py `GetConnectGatewayServiceName`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.client import SandboxClient
from sandbox.server import RunningSandbox, start
from sandbox.state.fleet import FleetId
from sandbox.state.identities import ADMIN_IDENTITY

GCLOUD_ABSENT = "gcloud (the Google Cloud SDK) is not on PATH"
PLUGIN_ABSENT = (
    "gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin) is absent"
)
RUN_TIMEOUT_S = 120
# The machine's CA bundles override gcloud's own CA setting; the sandbox speaks plain http.
CLEARED = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
OVERRIDDEN_APIS = ("GKEHUB", "CONNECTGATEWAY", "CLOUDRESOURCEMANAGER")

PROJECT_ID, PROJECT_NUMBER = "acme-fleet", "123456789012"
BETA = FleetId("beta-fleet", "210987654321")
HUB = f"projects/{PROJECT_NUMBER}/locations"
GKE_EAST = f"{HUB}/us-central1/memberships/gke-east"
EDGE = f"{HUB}/global/memberships/edge-1"
GATEWAY_CALL = f"/v1/{HUB}/us-central1/memberships/gke-east:generateCredentials"


def start_fleet(person_token: str, tls_dir: Path | None = None) -> RunningSandbox:
    """A sandbox of two fleets, set up through the control API as a test reads it.

    The first fleet: a GKE member (`us-central1/gke-east`), a cluster GKE attached clusters
    registered (`global/edge-1`), a GKE member still being created (`us-east1/gke-new`) and the
    Argo CD cluster every sandbox has; scopes `team-a` (namespaces `payments`, `ledger`; bound
    to gke-east) and `team-b` (`edge-apps`; bound to edge-1). The second: `beta-east`.
    `person_token` is a cluster admin's, as a person at gcloud would hold. With `tls_dir`
    it serves HTTPS (`start`'s `tls_dir`).
    """
    running = start(
        project_id=PROJECT_ID, project_number=PROJECT_NUMBER, fleets=[BETA], tls_dir=tls_dir
    )
    client = SandboxClient(running.base_url, ca_file=running.ca_file)
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
    return running


def current_context(
    config: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A kubeconfig's current context, its cluster and its user."""
    context = next(c for c in config["contexts"] if c["name"] == config["current-context"])
    cluster = next(c for c in config["clusters"] if c["name"] == context["context"]["cluster"])
    user = next(u for u in config["users"] if u["name"] == context["context"]["user"])
    return context, cluster["cluster"], user["user"]


def find_gcloud() -> str | None:
    return shutil.which("gcloud")


def find_auth_plugin() -> str | None:
    """gke-gcloud-auth-plugin, on PATH or beside gcloud, as gcloud itself looks for it
    (api_lib/container/kubeconfig.py `_GetGkeGcloudPluginCommandAndPrintWarning`)."""
    found = shutil.which("gke-gcloud-auth-plugin")
    gcloud = find_gcloud()
    if found is None and gcloud is not None:
        beside = Path(gcloud).resolve().parent / "gke-gcloud-auth-plugin"
        found = str(beside) if beside.exists() else None
    return found


def gcloud_env(base_url: str, home: Path, token: str, project: str) -> dict[str, str]:
    """gcloud's environment: the sandbox for every API it calls, a token file, a fresh config."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    home.mkdir(parents=True, exist_ok=True)
    token_file = home / "access-token"
    token_file.write_text(token)
    env.update(
        {
            f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api}": base_url.rstrip("/") + "/"
            for api in OVERRIDDEN_APIS
        }
    )
    env.update(
        CLOUDSDK_CONFIG=str(home / "gcloud"),
        CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=str(token_file),
        CLOUDSDK_CORE_PROJECT=project,
        CLOUDSDK_CORE_DISABLE_PROMPTS="1",
        KUBECONFIG=str(home / "kubeconfig"),
        HOME=str(home),
    )
    return env


@dataclass
class Gcloud:
    """One gcloud installation with one temporary configuration."""

    binary: str
    env: dict[str, str]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, *args, "--format=json"],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )

    def json(self, *args: str, **env: str) -> Any:
        """The parsed output of a command that must succeed."""
        done = self.run(*args, **env)
        assert done.returncode == 0, f"gcloud {' '.join(args)} failed:\n{done.stderr}"
        return json.loads(done.stdout or "null")

    def fails(self, *args: str, **env: str) -> str:
        """The error output of a command that must fail."""
        done = self.run(*args, **env)
        assert done.returncode != 0, f"gcloud {' '.join(args)} succeeded:\n{done.stdout}"
        return done.stderr


def exec_credential(spec: dict[str, Any], env: dict[str, str], server: str) -> str:
    """Run a kubeconfig user's exec plugin as client-go does (the ExecCredential in
    `KUBERNETES_EXEC_INFO`, with the cluster since `provideClusterInfo`); its token."""
    command = shutil.which(spec["command"], path=env.get("PATH")) or find_auth_plugin()
    assert command is not None, f"{spec['command']} not found"
    info = {
        "kind": "ExecCredential",
        "apiVersion": spec["apiVersion"],
        "spec": {"cluster": {"server": server}, "interactive": False},
    }
    done = subprocess.run(
        [command, *spec.get("args", [])],
        env={**env, "KUBERNETES_EXEC_INFO": json.dumps(info)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=True,
    )
    credential = json.loads(done.stdout)
    assert credential["apiVersion"] == spec["apiVersion"], credential
    token: str = credential["status"]["token"]
    return token
