"""The fleet-argocd-sync command against the sandbox: output and exit codes."""

import base64
import json
import subprocess
import sys
from pathlib import Path

import kubernetes.client as k
import pytest
import yaml

from sandbox.harness import sandbox_env

CLI = str(Path(sys.executable).parent / "fleet-argocd-sync")
NUMBER = "123456789012"
HUB = f"argocd-hub.global.{NUMBER}"


@pytest.fixture
def cli(sandbox, running_sandbox):
    env = {"PATH": "/usr/bin:/bin", **sandbox_env(running_sandbox.base_url)}

    def run(*args, **extra_env):
        return subprocess.run(
            [CLI, *args],
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def test_plan_then_resync_then_plan_again(sandbox, cli):
    sandbox.add_membership("us-central1", "prod-1", {"env": "prod"}, emit=False)
    planned = cli("plan")
    assert planned.returncode == 2, planned.stderr
    assert "create  prod-1.us-central1.123456789012" in planned.stdout
    assert "2 to create, 0 to update, 0 to delete, 0 unchanged (dry run)" in planned.stdout
    assert sandbox.secrets() == {}

    applied = cli("resync")
    assert applied.returncode == 0, applied.stderr
    assert "2 create, 0 update, 0 delete" in applied.stdout
    assert set(sandbox.secrets()) == {HUB, "prod-1.us-central1.123456789012"}

    again = cli("plan", "--output", "json")
    assert again.returncode == 0
    report = json.loads(again.stdout)
    assert (report["created"], report["updated"], report["unchanged"]) == ([], [], 2)


def test_plan_single_membership_and_flags_override_the_environment(sandbox, cli):
    sandbox.add_membership("us-central1", "prod-1", {"env": "prod"}, emit=False)
    sandbox.add_membership("us-central1", "dev-1", {"env": "dev"}, emit=False)
    result = cli("--selector", "env=prod", "plan", "--output", "json")
    assert json.loads(result.stdout)["created"] == ["prod-1.us-central1.123456789012"]
    single = cli("plan", "--membership", "us-central1/dev-1", "--output", "json")
    assert json.loads(single.stdout)["created"] == ["dev-1.us-central1.123456789012"]


def test_render_prints_the_secret_as_yaml(sandbox, cli):
    sandbox.add_membership("us-central1", "prod-1", {"env": "prod"}, emit=False)
    sandbox.bind("us-central1/prod-1", "team-a", emit=False)
    result = cli("--app-project", "platform", "render", "us-central1/prod-1")
    assert result.returncode == 0, result.stderr
    secret = yaml.safe_load(result.stdout)
    assert secret["kind"] == "Secret" and secret["metadata"]["namespace"] == "argocd"
    assert secret["metadata"]["labels"]["scope.fleet-argocd-sync.io/team-a"] == "true"
    assert secret["stringData"]["project"] == "platform"
    assert json.loads(secret["stringData"]["config"])["execProviderConfig"]["args"] == ["gcp"]
    assert sandbox.secrets() == {}


def test_render_of_a_missing_membership_fails(cli):
    result = cli("render", "us-central1/ghost")
    assert result.returncode == 1 and "does not exist" in result.stderr


def test_replay_a_saved_audit_log_entry(sandbox, cli, tmp_path):
    sandbox.add_membership("us-central1", "prod-1", emit=False)
    entry = {
        "insertId": "abc",
        "protoPayload": {
            "methodName": "google.cloud.gkehub.v1.GkeHub.CreateMembership",
            "serviceName": "gkehub.googleapis.com",
            "resourceName": f"projects/{NUMBER}/locations/us-central1/memberships/prod-1",
        },
        "operation": {"last": True},
    }
    unrelated = {"insertId": "def", "protoPayload": {"methodName": "SetIamPolicy"}}
    saved = tmp_path / "entries.json"
    saved.write_text(json.dumps([entry, unrelated]))
    dry = cli("replay", str(saved), "--dry-run")
    assert (
        dry.returncode == 0 and "1 to create" in dry.stdout and "entry def: ignored" in dry.stdout
    )
    assert sandbox.secrets() == {}
    real = cli("replay", str(saved))
    assert real.returncode == 0 and "1 create" in real.stdout
    assert "prod-1.us-central1.123456789012" in sandbox.secrets()


def test_errors_exit_1(sandbox, cli, tmp_path):
    assert cli("plan", FLEET_PROJECT_NUMBER="").returncode == 1
    assert "FLEET_PROJECT_NUMBER" in cli("plan", FLEET_PROJECT_NUMBER="").stderr
    missing = cli("replay", str(tmp_path / "none.json"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    sandbox.fault(match="/memberships", status=503, count=10)
    down = cli("plan")
    assert down.returncode == 1 and "error:" in down.stderr
    usage = cli("frobnicate")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


def test_resync_refused_by_the_guard_exits_1_until_forced(sandbox, cli):
    for i in range(3):
        sandbox.add_membership("us-central1", f"m{i}", emit=False)
    assert cli("resync").returncode == 0
    for i in range(3):
        sandbox.delete_membership("us-central1", f"m{i}", emit=False)
    refused = cli("resync")
    assert refused.returncode == 1 and "refused: would delete 3 of 4" in refused.stdout
    assert cli("resync", "--force").returncode == 0
    assert set(sandbox.secrets()) == {HUB}


def test_migration_from_fleet_argocd_plugin(sandbox, cli, admin):
    """The plugin's Secrets are adopted in place: same object, no delete/create gap."""
    sandbox.add_membership("us-central1", "prod-1", emit=False)
    name = "prod-1.us-central1.123456789012"
    plugin_secret = admin().create_namespaced_secret(
        "argocd",
        k.V1Secret(
            metadata=k.V1ObjectMeta(
                name=name,
                labels={"argocd.argoproj.io/secret-type": "cluster"},
                annotations={"fleet.gke.io/managed-by-fleet-plugin": "true"},
            ),
            data={"name": base64.b64encode(name.encode()).decode()},
        ),
    )
    planned = cli("plan", "--output", "json")
    report = json.loads(planned.stdout)
    assert report["updated"] == [name] and report["deleted"] == []
    assert cli("resync").returncode == 0
    adopted = sandbox.secrets()[name]
    assert adopted["metadata"]["uid"] == plugin_secret.metadata.uid
    assert adopted["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "fleet-argocd-sync"
    assert cli("plan").returncode == 0
