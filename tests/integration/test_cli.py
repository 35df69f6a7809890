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
    assert "create  us-central1/prod-1  +env=prod" in planned.stdout
    assert "create 2, update 0, delete 0, unchanged 0 (dry run: nothing written)" in planned.stdout
    assert sandbox.secrets() == {}

    applied = cli("resync")
    assert applied.returncode == 0, applied.stderr
    assert "create 2, update 0, delete 0, unchanged 0" in applied.stdout
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
    after = cli("plan", "--selector", "env=prod", "--output", "json")  # after the command too
    assert json.loads(after.stdout)["created"] == ["prod-1.us-central1.123456789012"]
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
    assert dry.returncode == 0 and "create 1" in dry.stdout and "entry def: ignored" in dry.stdout
    assert "dry run" in dry.stdout and sandbox.secrets() == {}
    honoured = cli("replay", str(saved), DRY_RUN="true")
    assert honoured.returncode == 0 and sandbox.secrets() == {}
    real = cli("replay", str(saved))
    assert real.returncode == 0 and "create 1" in real.stdout
    assert "prod-1.us-central1.123456789012" in sandbox.secrets()


def test_errors_exit_1(sandbox, cli, tmp_path):
    assert cli("plan", FLEET_PROJECT_NUMBER="").returncode == 1
    assert "FLEET_PROJECT_NUMBER" in cli("plan", FLEET_PROJECT_NUMBER="").stderr
    missing = cli("replay", str(tmp_path / "none.json"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    sandbox.fault(match="/memberships", status=503, count=10)
    down = cli("plan")
    assert down.returncode == 1 and "error:" in down.stderr
    usage = cli("frobnicate")  # a usage error is an error, not "changes pending"
    assert usage.returncode == 1 and "invalid choice" in usage.stderr
    misspelt = cli("--projct-number", "1", "plan")
    assert misspelt.returncode == 1 and "unknown flag --projct-number" in misspelt.stderr
    assert len(misspelt.stderr.strip().splitlines()) == 1


def test_resync_refused_by_the_guard_exits_1_until_forced(sandbox, cli):
    for i in range(3):
        sandbox.add_membership("us-central1", f"m{i}", emit=False)
    assert cli("resync").returncode == 0
    for i in range(3):
        sandbox.delete_membership("us-central1", f"m{i}", emit=False)
    planned = cli("plan")
    assert planned.returncode == 2 and "3 deletes withheld" in planned.stdout
    refused = cli("resync")
    assert refused.returncode == 1 and "refused: would delete 3 of 4" in refused.stdout
    assert "repeat with --force" in refused.stdout
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


def test_plan_exit_codes(sandbox, cli, admin):
    assert cli("plan").returncode == 2  # the Argo CD cluster's own Secret to create
    assert cli("resync").returncode == 0
    assert cli("plan").returncode == 0  # in sync
    admin().create_namespaced_secret(
        "argocd",
        k.V1Secret(
            metadata=k.V1ObjectMeta(
                name="x.us-central1.123456789012",
                labels={"argocd.argoproj.io/secret-type": "cluster"},
            )
        ),
    )
    sandbox.add_membership("us-central1", "x", emit=False)
    conflict = cli("plan")
    assert conflict.returncode == 2 and "1 conflicts" in conflict.stdout
    missing = cli("plan", "--membership", "us-central1/nope")
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_dry_run_setting_makes_resync_write_nothing(sandbox, cli):
    sandbox.add_membership("us-central1", "prod-1", emit=False)
    result = cli("resync", DRY_RUN="true")
    assert result.returncode == 0 and "dry run: nothing written" in result.stdout
    assert "DRY_RUN is set" in result.stderr
    assert sandbox.secrets() == {}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GKEHUB_ENDPOINT": "http://127.0.0.1:9"}, "GKE Hub unreachable"),
        ({"CONNECT_GATEWAY_ENDPOINT": "http://127.0.0.1:9"}, "Connect Gateway at"),
        ({"FLEET_SYNC_STATIC_TOKEN": "wrong"}, "FLEET_SYNC_STATIC_TOKEN"),
        (
            {"FLEET_SYNC_STATIC_TOKEN": "", "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent"},
            "gcloud auth application-default login",
        ),
        ({"ARGOCD_MEMBERSHIP": "argocd-hub"}, "expected {location}/{id}"),
    ],
)
def test_expected_failures_are_one_or_two_lines_not_a_traceback(sandbox, cli, env, expected):
    result = cli("plan", **env)
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr


def test_a_reader_that_leaves_early_ends_quietly(sandbox, running_sandbox):
    """`plan --output json | head`: far more output than a pipe holds, so the CLI is
    still writing when the reader closes its end."""
    many = [{"location": "us-central1", "id": f"m{i:04d}"} for i in range(1500)]
    sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": many})
    env = {"PATH": "/usr/bin:/bin", **sandbox_env(running_sandbox.base_url)}
    with subprocess.Popen(
        [CLI, "plan", "--output", "json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(100).startswith("{")
        process.stdout.close()
        stderr = process.stderr.read()
        process.wait(timeout=120)
    assert process.returncode == 1
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_endpoints_that_answer_but_are_not_google_say_which_setting_to_check(cli, function):
    """The function's own port answers JSON errors that are neither Google's nor a Status."""
    hub = cli("plan", GKEHUB_ENDPOINT=function.url)
    assert hub.returncode == 1 and "check GKEHUB_ENDPOINT" in hub.stderr, hub.stderr
    gateway = cli("plan", CONNECT_GATEWAY_ENDPOINT=function.url)
    assert gateway.returncode == 1 and "check CONNECT_GATEWAY_ENDPOINT" in gateway.stderr
    for result in (hub, gateway):
        assert "Traceback" not in result.stderr and "AttributeError" not in result.stderr


def test_verbose_logs_each_step(sandbox, cli):
    sandbox.add_membership("us-central1", "prod-1", emit=False)
    quiet, verbose = cli("resync"), cli("-v", "plan")
    assert quiet.stderr == ""
    assert "INFO fleetsync.app.reconcile: resync done" in verbose.stderr
    assert "DEBUG fleetsync.app.reconcile: read 2 cluster Secrets" in verbose.stderr
    listed = "DEBUG fleetsync.app.reconcile: listed 2 memberships; unreachable: none"
    assert listed in verbose.stderr


@pytest.mark.parametrize(
    ("fault", "shown"),
    [
        (
            {"match": "/memberships", "method": "GET", "unreachable": ["us-central1"], "count": 5},
            "deletes withheld: 1",
        ),
        ({"match": "/secrets", "method": "DELETE", "status": 500, "count": 20}, "errors: delete"),
    ],
)
def test_resync_exits_1_when_a_delete_was_withheld_or_failed(sandbox, cli, fault, shown):
    sandbox.add_membership("us-central1", "gone", emit=False)
    assert cli("resync").returncode == 0
    sandbox.delete_membership("us-central1", "gone", emit=False)
    sandbox.fault(**fault)
    result = cli("resync", "--force")
    assert result.returncode == 1, result.stdout
    assert shown in result.stdout
    assert "gone.us-central1.123456789012" in sandbox.secrets()
