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

    def run(
        *args: str, document: str | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        path = config
        if document is not None:
            path = tmp_path / "other.yaml"
            path.write_text(document)
        return subprocess.run(
            [CLI, "--config", str(path), *args],
            env={**env, **extra},
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


TWO = {
    "name": "two",
    "argocd_membership": f"projects/{A}/locations/global/memberships/argocd-two",
    "selector": "env=prod",
}
TWO_TARGETS = json.dumps({"fleets": [A], "targets": [TARGET, TWO]})


def second_argocd(sandbox) -> None:
    sandbox.add_membership("global", "argocd-two", {}, argocd_namespace="argocd", emit=False)


def test_plan_exits_2_when_only_one_target_has_pending_changes(sandbox, cli):
    second_argocd(sandbox)
    sandbox.add_membership("us-central1", "p1", {"env": "prod"}, emit=False)
    assert cli("resync", document=TWO_TARGETS).returncode == 0
    sandbox.add_membership("us-central1", "d1", {"env": "dev"}, emit=False)  # teams only
    planned = cli("plan", "--output", "json", document=TWO_TARGETS)
    assert planned.returncode == 2, planned.stderr
    report = json.loads(planned.stdout)
    assert report["targets"]["two"]["created"] == [] and report["targets"]["teams"]["created"]


def test_resync_exits_1_when_one_target_fails_and_the_other_is_synced(sandbox, cli):
    second_argocd(sandbox)
    sandbox.add_membership("us-central1", "p1", {"env": "prod"}, emit=False)
    sandbox.fault(match="/gkeMemberships/argocd-two/", status=503, count=1000)
    done = cli("resync", document=TWO_TARGETS)
    sandbox.ok("DELETE", "/sandbox/faults")
    assert done.returncode == 1, done.stdout
    assert "target two: " in done.stdout and "(failed: see errors)" in done.stdout
    assert f"p1.us-central1.{A}" in sandbox.secrets()  # target teams, on argocd-hub


def test_dry_run_in_the_multi_form_writes_no_secret_and_no_appproject(sandbox, cli):
    sandbox.add_membership("us-central1", "p1", {"env": "prod"}, emit=False)
    sandbox.add_scope("pay")
    done = cli("resync", DRY_RUN="true")
    assert done.returncode == 0, done.stderr
    assert "AppProjects create 1" in done.stdout and "dry run" in done.stdout
    assert sandbox.secrets() == {} and sandbox.appprojects() == {}


def test_render_shows_each_targets_secret_with_the_scopes_appproject(sandbox, cli):
    teams = {**TARGET, "tenancy": {**TARGET["tenancy"], "cluster_project": True}}
    document = json.dumps({"fleets": [A], "targets": [teams]})
    sandbox.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    sandbox.bind("us-central1/m1", "pay", emit=False)
    assert cli("resync", document=document).returncode == 0
    done = cli("render", "us-central1/m1", document=document)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# target teams\n# a destination of AppProject team-pay\n")
    assert "  project: team-pay\n" in done.stdout  # what the function wrote
    assert sandbox.secrets()[f"m1.us-central1.{A}"]["data"]["project"] == "team-pay"
