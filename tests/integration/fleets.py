"""Two fleets and two Argo CD targets on one sandbox: the multi form's end-to-end setting.

Target "prod" (the Argo CD cluster of fleet A) selects env=prod across both fleets; target
"teams" (an Argo CD cluster registered in fleet B) gets everything, with tenancy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess, sandbox_env, start_function
from sandbox.server import RunningSandbox, start
from sandbox.state.fleet import FleetId

A, B = "123456789012", "210987654321"
TEAMS_HUB = "argocd-teams"
PROD_TARGET = {
    "name": "prod",
    "argocd_membership": f"projects/{A}/locations/global/memberships/argocd-hub",
    "selector": "env=prod",
}
TEAMS_TARGET = {
    "name": "teams",
    "argocd_membership": f"projects/{B}/locations/global/memberships/{TEAMS_HUB}",
    "tenancy": {"enabled": True, "prefix": "team-", "cluster_project": True},
}
CONFIG = {"fleets": [A, B], "targets": [PROD_TARGET, TEAMS_TARGET]}
SINGLE_FORM = ("FLEET_PROJECT_NUMBER", "ARGOCD_MEMBERSHIP")


def start_two_fleets() -> RunningSandbox:
    return start(
        project_id="acme-fleet",
        project_number=A,
        argocd_membership="global/argocd-hub",
        fleets=[FleetId("acme-nonprod", B)],
        eventarc_time_scale=0.005,
    )


def start_multi(running: RunningSandbox, log_dir: Path) -> FunctionProcess:
    """The function configured by CONFIG (FLEET_SYNC_CONFIG) against that sandbox."""
    env = {k: v for k, v in sandbox_env(running.base_url).items() if k not in SINGLE_FORM}
    env["FLEET_SYNC_CONFIG"] = json.dumps(CONFIG)
    return start_function(env, log_dir / "function.log")


def fresh(running: RunningSandbox, function: FunctionProcess) -> SandboxClient:
    """The sandbox reset, with the teams Argo CD cluster registered and events delivered."""
    client = SandboxClient(running.base_url)
    client.reset()
    client.add_membership("global", TEAMS_HUB, project_number=B, argocd_namespace="argocd")
    client.set_sinks(function.url + "/")
    return client


def secrets(client: SandboxClient, target: str) -> dict[str, dict[str, Any]]:
    """The Secrets Argo CD sees in a target, by name."""
    where = f"membership=global/{TEAMS_HUB}&project_number={B}" if target == "teams" else ""
    items = client.ok("GET", "/sandbox/secrets" + (f"?{where}" if where else ""))
    return {item["metadata"]["name"]: item for item in items}


def projects(client: SandboxClient) -> dict[str, dict[str, Any]]:
    return client.appprojects(membership=f"global/{TEAMS_HUB}", project_number=B)


def destinations(project: dict[str, Any]) -> list[str]:
    return [
        f"{d['server'].rsplit('/', 1)[1]}/{d['namespace']}" for d in project["spec"]["destinations"]
    ]
