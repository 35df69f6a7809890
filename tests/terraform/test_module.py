"""Static checks of the Terraform module: no terraform binary or provider can be fetched here,
so the HCL is parsed (python-hcl2) and its invariants asserted, and checkov scans it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from fleetsync.events import HANDLED_METHODS
from fleetsync.settings import ENV_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "terraform"
EXAMPLE = MODULE / "examples" / "complete"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
TRIGGER_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")


def _unquote(value: Any) -> Any:
    if isinstance(value, dict):
        return {k.strip('"'): _unquote(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def load(directory: Path) -> dict[str, Any]:
    """Blocks of every .tf file in a directory, by kind: resources keyed by (type, name)."""
    blocks: dict[str, Any] = {
        "resource": {},
        "data": {},
        "variable": {},
        "output": {},
        "locals": {},
        "module": {},
        "text": "",
    }
    for path in sorted(directory.glob("*.tf")):
        blocks["text"] += path.read_text()
        parsed = _unquote(hcl2.loads(path.read_text()))
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        blocks[kind][(rtype, name)] = body
        for kind in ("variable", "output", "module"):
            for block in parsed.get(kind, []):
                blocks[kind].update(block)
        for block in parsed.get("locals", []):
            blocks["locals"].update(block)
    return blocks


@pytest.fixture(scope="module")
def module() -> dict[str, Any]:
    return load(MODULE)


def trigger_names() -> dict[str, str]:
    """The trigger names main.tf derives from audit_methods.json, computed the same way."""
    names = {}
    for method in json.loads((ROOT / "function/fleetsync/audit_methods.json").read_text())[
        "methods"
    ]:
        parts = method["methodName"].split(".")
        service = method["serviceName"].split(".")[0]
        names[f"fleet-argocd-sync-{service}-{parts[-3]}-{parts[-1].lower()}"] = method["methodName"]
    return names


def test_triggers_cover_exactly_the_handled_methods(module):
    assert "audit_methods.json" in module["locals"]["audit_methods"]
    assert "local.audit_methods" in module["locals"]["triggers"]
    trigger = module["resource"][("google_eventarc_trigger", "audit")]
    assert trigger["for_each"] == "${local.triggers}"
    assert trigger["location"] == "global"
    criteria = {c["attribute"]: c["value"] for c in trigger["matching_criteria"]}
    assert criteria == {
        "type": "google.cloud.audit.log.v1.written",
        "serviceName": "${each.value.serviceName}",
        "methodName": "${each.value.methodName}",
    }
    names = trigger_names()
    assert sorted(names.values()) == sorted(HANDLED_METHODS)
    assert len(names) == len(HANDLED_METHODS)  # no two methods collapse into one trigger
    assert all(TRIGGER_NAME.match(name) for name in names), names
    destination = trigger["destination"][0]["cloud_run_service"][0]
    assert "google_cloudfunctions2_function.sync" in destination["service"]


def test_nothing_is_public(module):
    for blocks in (module, load(EXAMPLE)):
        for key, body in blocks["resource"].items():
            assert "allUsers" not in str(body) and "allAuthenticatedUsers" not in str(body), key
    invokers = module["resource"][("google_cloud_run_v2_service_iam_member", "invokers")]
    assert invokers["role"] == "roles/run.invoker"
    assert "allUsers" in module["variable"]["invoker_members"]["validation"][0]["condition"]
    bucket = module["resource"][("google_storage_bucket", "source")]
    assert bucket["public_access_prevention"] == "enforced"
    assert bucket["uniform_bucket_level_access"] is True
    function = module["resource"][("google_cloudfunctions2_function", "sync")]
    assert module["variable"]["ingress_settings"]["default"] == "ALLOW_INTERNAL_ONLY"
    assert function["service_config"][0]["ingress_settings"] == "${var.ingress_settings}"


def test_function_service_account_has_only_the_fleet_roles(module):
    assert module["locals"]["function_roles"] == [
        "roles/gkehub.viewer",
        "roles/gkehub.gatewayEditor",
    ]
    grants = [
        (key, body)
        for key, body in module["resource"].items()
        if key[0].endswith("_iam_member") or key[0].endswith("_iam_binding")
    ]
    for (rtype, name), body in grants:
        if "google_service_account.function" in str(body.get("member", "")):
            assert (rtype, name) == ("google_project_iam_member", "function")
            assert body["role"] == "${each.value}"
            assert body["for_each"] == "${toset(local.function_roles)}"
    assert not any(
        rtype.endswith("_iam_binding") or rtype.endswith("_iam_policy")
        for rtype, _ in module["resource"]
    )
    receiver = module["resource"][("google_project_iam_member", "trigger_receiver")]
    assert receiver["role"] == "roles/eventarc.eventReceiver"
    assert "google_service_account.trigger" in receiver["member"]


def test_function_deployment(module):
    function = module["resource"][("google_cloudfunctions2_function", "sync")]
    build, service = function["build_config"][0], function["service_config"][0]
    assert build["entry_point"] == "fleet_sync"
    assert re.match(r"^python3\d+$", module["variable"]["runtime"]["default"])
    assert service["available_memory"] == "256M"
    assert service["max_instance_count"] == "${var.max_instance_count}"
    assert service["environment_variables"] == "${local.function_env}"
    archive = module["data"][("archive_file", "function")]
    assert archive["source_dir"] == "${local.function_dir}"
    obj = module["resource"][("google_storage_bucket_object", "source")]
    assert "output_md5" in obj["name"]  # a code change uploads a new object and redeploys


def test_environment_matches_the_function_settings(module):
    keys = set(re.findall(r"\b([A-Z][A-Z_]+) =", module["locals"]["function_env"]))
    assert keys
    assert keys <= {*ENV_VARIABLES, "GOOGLE_CLOUD_PROJECT"}
    assert {"FLEET_PROJECT_NUMBER", "ARGOCD_MEMBERSHIP"} <= keys
    assert "FLEET_SYNC_STATIC_TOKEN" not in keys  # never in a real deployment


def test_scheduler_calls_resync_with_an_oidc_token(module):
    job = module["resource"][("google_cloud_scheduler_job", "resync")]
    target = job["http_target"][0]
    assert target["http_method"] == "POST"
    assert target["uri"].endswith("/resync")
    assert "google_service_account.scheduler" in target["oidc_token"][0]["service_account_email"]
    assert module["variable"]["resync_schedule"]["default"] == "0 * * * *"
    command = module["output"]["resync_command"]["value"]
    assert command.startswith("gcloud scheduler jobs run ${google_cloud_scheduler_job.resync.name}")
    assert "rbac.authorization.k8s.io" in module["locals"]["rbac_manifest"]
    assert '"secrets"' in module["locals"]["rbac_manifest"]


@pytest.mark.parametrize("directory", [MODULE, EXAMPLE], ids=["module", "example"])
def test_every_variable_and_output_is_typed_and_described(directory):
    blocks = load(directory)
    for name, variable in blocks["variable"].items():
        assert "type" in variable, name
        assert variable.get("description", "").endswith("."), name
    for name, output in blocks["output"].items():
        assert output.get("description", "").endswith("."), name


def test_versions_are_pinned_with_upper_bounds():
    for directory in (MODULE, EXAMPLE):
        text = (directory / "versions.tf").read_text()
        assert re.search(r'required_version\s*=\s*">= [\d.]+, < [\d.]+"', text)
        for constraint in re.findall(r'version\s*=\s*"([^"]+)"', text):
            assert "<" in constraint and ">=" in constraint, constraint


def test_readme_tables_list_every_input_and_output(module):
    readme = (MODULE / "README.md").read_text()
    inputs = set(re.findall(r"^\| `([a-z_]+)` \|", readme.split("## Outputs")[0], re.M))
    outputs = set(re.findall(r"^\| `([a-z_]+)` \|", readme.split("## Outputs")[1], re.M))
    assert inputs == set(module["variable"])
    assert outputs == set(module["output"])


def test_example_uses_the_module_from_this_repository():
    example = load(EXAMPLE)
    (call,) = example["module"].values()
    assert call["source"] == "../.."
    assert (EXAMPLE / "terraform.tfvars.example").exists()


def test_checkov_finds_nothing_and_every_skip_is_justified():
    if not CHECKOV.exists():
        pytest.skip("checkov is installed by `make test` into .venv-checkov")
    for path in MODULE.rglob("*.tf"):
        for skip in re.findall(r"checkov:skip=([A-Z_0-9]+)(:?.*)", path.read_text()):
            assert len(skip[1]) > 10, f"{path}: {skip[0]} needs a reason"
    result = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(MODULE),
            "--framework",
            "terraform",
            "--quiet",
            "--compact",
            "--skip-download",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(result.stdout or "{}")
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{c['check_id']} {c['resource']} {c['file_path']}"
        for r in reports
        for c in r.get("results", {}).get("failed_checks", [])
    ]
    assert failed == []
    assert result.returncode == 0, result.stderr[-2000:]
