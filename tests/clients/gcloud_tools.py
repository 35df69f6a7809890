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

GCLOUD_ABSENT = "gcloud (the Google Cloud SDK) is not on PATH"
PLUGIN_ABSENT = (
    "gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin) is absent"
)
RUN_TIMEOUT_S = 120
# The machine's CA bundles override gcloud's own CA setting; the sandbox speaks plain http.
CLEARED = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
OVERRIDDEN_APIS = ("GKEHUB", "CONNECTGATEWAY", "CLOUDRESOURCEMANAGER")


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
