"""`fleet-argocd-sync --config FILE` against the sandbox: exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.harness import sandbox_env
from tests.conftest import PROJECT_NUMBER as A

CLI = str(Path(sys.executable).parent / "fleet-argocd-sync")
TARGET = {
    "name": "teams",
    "argocd_membership": f"projects/{A}/locations/global/memberships/argocd-hub",
    "tenancy": {"enabled": True, "prefix": "team-"},
}


@pytest.fixture
def cli(sandbox, running_sandbox, tmp_path):
    env = {"PATH": "/usr/bin:/bin", **sandbox_env(running_sandbox.base_url)}
    config = tmp_path / "fleets.json"
    config.write_text(json.dumps({"fleets": [A], "targets": [TARGET]}))

    def run(*args: str, document: str | None = None) -> subprocess.CompletedProcess[str]:
        path = config
        if document is not None:
            path = tmp_path / "other.yaml"
            path.write_text(document)
        return subprocess.run(
            [CLI, "--config", str(path), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def test_plan_exits_2_when_only_an_appproject_is_pending(sandbox, cli):
    """Secrets in sync, one AppProject to create: exit 2, and resync creates it."""
    sandbox.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    assert cli("resync").returncode == 0
    sandbox.add_scope("pay")
    planned = cli("plan")
    assert planned.returncode == 2, planned.stderr
    assert "create  teams   team-pay" in planned.stdout
    assert cli("resync").returncode == 0 and cli("plan").returncode == 0


def test_render_refuses_a_binding_name(sandbox, cli):
    """A binding's name is not its membership's: `render .../memberships/M/bindings/B` is an
    error in one line (naming.parse_membership takes exactly a membership's name)."""
    sandbox.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    done = cli("render", f"projects/{A}/locations/us-central1/memberships/m1/bindings/b1")
    assert done.returncode == 1, done.stdout
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_membership_of_an_unconfigured_fleet_is_named_as_such(sandbox, cli):
    """A membership of a fleet that is not configured is named as such, as the function
    names it, not reported missing from a fleet that was never read."""
    done = cli("plan", "--membership", "projects/999/locations/us-central1/memberships/m1")
    assert done.returncode == 1
    assert "not a configured fleet" in done.stderr, done.stderr


def test_a_yaml_value_that_is_not_json_is_named_by_its_path(sandbox, cli):
    """YAML reads `selector: 2024-01-01` as a date, which JSON has not: the error names the
    path (`targets[0].selector`) in one line, never an unexpected TypeError."""
    document = (
        f"fleets: ['{A}']\ntargets:\n- name: a\n"
        f"  argocd_membership: projects/{A}/locations/global/memberships/argocd-hub\n"
        "  selector: 2024-01-01\n"
    )
    done = cli("plan", document=document)
    assert done.returncode == 1
    assert "unexpected" not in done.stderr and "selector" in done.stderr, done.stderr
