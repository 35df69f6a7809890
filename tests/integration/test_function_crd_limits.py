"""Every AppProject the product writes stays inside Argo CD's CRD however many fleets share a
scope: 16 fleets, one scope of the longest id Hub allows in each, one target with tenancy.
The sandbox applies the CRD as a real API server would (a `spec.description` over its
`maxLength` of 255 is 422), so the resync must write the AppProject, and a second one must
find nothing to change (had the server pruned anything the product wrote, it would rewrite
it every time)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import jsonschema
import pytest

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess, sandbox_env, start_function
from sandbox.server import RunningSandbox, start
from sandbox.state.fleet import FleetId
from tests.conformance.crd_probes import reference_schema
from tests.integration.functions import Fn

FIRST = "400000000000"
FLEETS = [FleetId(f"scale-fleet-{i:02d}", str(int(FIRST) + i)) for i in range(1, 16)]
NUMBERS = [FIRST, *(f.project_number for f in FLEETS)]
SCOPE = "s" * 63  # a scope id is at most 63 characters


@pytest.fixture(scope="module")
def many_fleets() -> Iterator[RunningSandbox]:
    running = start(project_id="scale-fleet-00", project_number=FIRST, fleets=FLEETS)
    client = SandboxClient(running.base_url)
    for i, number in enumerate(NUMBERS):
        client.add_scope(SCOPE, project_number=number)
        client.add_namespace(SCOPE, "web", project_number=number)
        client.add_membership("us-central1", f"m{i}", project_number=number)
        client.bind("us-central1/m" + str(i), SCOPE, project_number=number)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def function(many_fleets: RunningSandbox, tmp_path_factory: pytest.TempPathFactory):
    config = {
        "fleets": NUMBERS,
        "targets": [
            {
                "name": "teams",
                "argocd_membership": f"projects/{FIRST}/locations/global/memberships/argocd-hub",
                "tenancy": {"enabled": True, "prefix": "team-"},
            }
        ],
    }
    env = {
        k: v
        for k, v in sandbox_env(many_fleets.base_url).items()
        if k not in ("FLEET_PROJECT_NUMBER", "ARGOCD_MEMBERSHIP")
    }
    env["FLEET_SYNC_CONFIG"] = json.dumps(config)
    process: FunctionProcess = start_function(env, tmp_path_factory.mktemp("fn") / "function.log")
    yield process
    process.stop()


def test_a_scope_shared_by_sixteen_fleets_gets_an_appproject_the_crd_accepts(
    many_fleets: RunningSandbox, function: FunctionProcess
) -> None:
    status, report = Fn(function.url).resync()
    assert status == 200 and not report["errors"], report
    (project,) = SandboxClient(many_fleets.base_url).appprojects().values()
    assert project["metadata"]["name"] == "team-" + SCOPE
    assert len(project["spec"]["destinations"]) == len(NUMBERS)
    assert len(project["spec"]["description"]) <= 255
    status, again = Fn(function.url).resync()
    assert status == 200 and again["changes"] == [] and again["app_projects"] == [], again
    jsonschema.validate(project, reference_schema())  # last: it skips without the reference
