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

from fleetsync.config.table import ENV_VARIABLES
from sandbox.state.identities import SECRET_VERBS as SANDBOX_SECRET_VERBS

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "terraform"
EXAMPLE = MODULE / "examples" / "complete"
MULTI_EXAMPLE = MODULE / "examples" / "several-fleets"
EXAMPLES = (EXAMPLE, MULTI_EXAMPLE)
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


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


def test_nothing_is_public(module: dict[str, Any]) -> None:
    for blocks in (module, *map(load, EXAMPLES)):
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


def test_function_service_account_has_only_the_fleet_roles(module: dict[str, Any]) -> None:
    # The roles themselves, per project, are evaluated in test_fleets.py.
    grants_text = module["locals"]["function_grants"]
    assert set(re.findall(r'role = "([^"]+)"', grants_text)) == {
        "roles/gkehub.viewer",
        "roles/gkehub.gatewayEditor",
    }
    grants = [
        (key, body)
        for key, body in module["resource"].items()
        if key[0].endswith("_iam_member") or key[0].endswith("_iam_binding")
    ]
    for (rtype, name), body in grants:
        if "google_service_account.function." in str(body.get("member", "")):
            assert (rtype, name) == ("google_project_iam_member", "function")
            assert body["role"] == "${each.value.role}"
            assert body["project"] == "${each.value.project}"
            assert "local.function_grants" in body["for_each"]
    assert not any(
        rtype.endswith("_iam_binding") or rtype.endswith("_iam_policy")
        for rtype, _ in module["resource"]
    )
    # The push identity may invoke the function, and do nothing else.
    pushes = [
        (key, body)
        for key, body in grants
        if "google_service_account.push." in str(body.get("member", "")) + str(body.get("for_each"))
    ]
    assert [key for key, _ in pushes] == [("google_cloud_run_v2_service_iam_member", "invokers")]
    assert pushes[0][1]["role"] == "roles/run.invoker"
    assert "roles/eventarc.eventReceiver" not in module["text"]


def test_function_deployment(module: dict[str, Any]) -> None:
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


def test_environment_matches_the_function_settings(module: dict[str, Any]) -> None:
    keys = set(re.findall(r"\b([A-Z][A-Z_]+) =", module["locals"]["function_env"]))
    assert keys
    # FLEET_SYNC_CONFIG, the multi form, is being added to the function's settings on main;
    # until it is there this allows it, and from then on the check is strict again.
    pending = {"FLEET_SYNC_CONFIG"} - set(ENV_VARIABLES)
    assert keys <= {*ENV_VARIABLES, "GOOGLE_CLOUD_PROJECT", *pending}
    assert {"FLEET_PROJECT_NUMBER", "ARGOCD_MEMBERSHIP", "FLEET_SYNC_CONFIG"} <= keys
    assert "FLEET_SYNC_STATIC_TOKEN" not in keys  # never in a real deployment


def test_scheduler_calls_resync_with_an_oidc_token(module: dict[str, Any]) -> None:
    job = module["resource"][("google_cloud_scheduler_job", "resync")]
    target = job["http_target"][0]
    assert target["http_method"] == "POST"
    assert target["uri"].endswith("/resync")
    assert "google_service_account.scheduler" in target["oidc_token"][0]["service_account_email"]
    assert module["variable"]["resync_schedule"]["default"] == "0 * * * *"
    assert module["output"]["resync_command"]["value"] == "${local.resync_command}"
    command = module["locals"]["resync_command"]
    assert command.startswith("gcloud scheduler jobs run ${google_cloud_scheduler_job.resync.name}")
    assert "rbac.authorization.k8s.io" in module["locals"]["rbac_manifests"]
    assert "secrets" in str(module["locals"]["secret_rule"])


@pytest.mark.parametrize(
    "directory", [MODULE, *EXAMPLES], ids=["module", "example", "several-fleets"]
)
def test_every_variable_and_output_is_typed_and_described(directory: Path) -> None:
    blocks = load(directory)
    for name, variable in blocks["variable"].items():
        assert "type" in variable, name
        assert variable.get("description", "").endswith("."), name
    for name, output in blocks["output"].items():
        assert output.get("description", "").endswith("."), name


def test_versions_are_pinned_with_upper_bounds() -> None:
    for directory in (MODULE, *EXAMPLES):
        text = (directory / "versions.tf").read_text()
        assert re.search(r'required_version\s*=\s*">= [\d.]+, < [\d.]+"', text)
        for constraint in re.findall(r'version\s*=\s*"([^"]+)"', text):
            assert "<" in constraint and ">=" in constraint, constraint


def test_readme_tables_list_every_input_and_output(module: dict[str, Any]) -> None:
    readme = (MODULE / "README.md").read_text()
    inputs = set(re.findall(r"^\| `([a-z_]+)` \|", readme.split("## Outputs")[0], re.M))
    outputs = set(re.findall(r"^\| `([a-z_]+)` \|", readme.split("## Outputs")[1], re.M))
    assert inputs == set(module["variable"])
    assert outputs == set(module["output"])


@pytest.mark.parametrize("directory", EXAMPLES, ids=["complete", "several-fleets"])
def test_example_uses_the_module_from_this_repository(directory: Path) -> None:
    example = load(directory)
    (call,) = example["module"].values()
    assert call["source"] == "../.."
    assert (directory / "terraform.tfvars.example").exists()


def test_the_several_fleets_example_has_two_fleets_and_two_targets() -> None:
    (call,) = load(MULTI_EXAMPLE)["module"].values()
    fleets, targets = call["fleets"], call["targets"]
    assert len(fleets) == 2 and len(targets) == 2
    assert "fleet_project_number" not in call and "argocd_membership" not in call
    tenancy = [t for t in targets if "tenancy" in t]
    assert len(tenancy) == 1 and tenancy[0]["tenancy"]["enabled"] is True
    # Each target's RBAC is applied in its own hub, through its own Connect Gateway URL.
    providers = (MULTI_EXAMPLE / "providers.tf").read_text()
    for target in targets:
        assert f'argocd_gateway_urls["{target["name"]}"]' in providers


def test_checkov_finds_nothing_and_every_skip_is_justified() -> None:
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


# Kubernetes client calls of the Argo CD adapter, and the RBAC verb each needs.
CLIENT_VERBS = {
    "read_namespaced_secret": "get",
    "list_namespaced_secret": "list",
    "create_namespaced_secret": "create",
    "patch_namespaced_secret": "patch",
    "replace_namespaced_secret": "update",
    "delete_namespaced_secret": "delete",
}


def test_rbac_verbs_are_exactly_the_calls_the_function_makes(module: dict[str, Any]) -> None:
    adapter = (ROOT / "function/fleetsync/adapters/argocd.py").read_text()
    calls = set(re.findall(r"\b(\w+_namespaced_secret)\(", adapter)) | set(
        re.findall(r"\.(\w+_namespaced_secret)\b", adapter)
    )
    assert calls <= set(CLIENT_VERBS), calls
    used = sorted(CLIENT_VERBS[c] for c in calls)
    assert sorted(module["locals"]["rbac_verbs"]) == used
    assert "update" not in used  # updates are merge patches
    # ...and the sandbox enforces that Role, so a call outside it fails the end-to-end tests.
    assert sorted(SANDBOX_SECRET_VERBS) == used
    rbac = (MODULE / "rbac.tf").read_text()
    assert re.search(r"secret_rule\s*=\s*\{[^}]*verbs = local\.rbac_verbs \}", rbac)
    # The function's AppProject calls with tenancy on (its contract): the same five verbs.
    assert module["locals"]["appproject_verbs"] == ["get", "list", "create", "patch", "delete"]
    assert re.search(
        r'appproject_rule\s*=\s*\{ apiGroups = \["argoproj.io"\], resources = \["appprojects"\], '
        r"verbs = local\.appproject_verbs \}",
        rbac,
    )
    # One place: the examples apply the module's manifests rather than repeating the rules.
    for directory in EXAMPLES:
        assert not re.search(r"verbs\s*=\s*\[", load(directory)["text"])
    assert "module.fleet_argocd_sync.rbac_manifest" in load(EXAMPLE)["text"]
    assert "module.fleet_argocd_sync.rbac_manifests" in load(MULTI_EXAMPLE)["text"]


def test_resources_are_split_by_concern() -> None:
    where: dict[str, set[str]] = {}
    for path in MODULE.glob("*.tf"):
        for rtype in re.findall(r'^resource "(\w+)"', path.read_text(), re.M):
            where.setdefault(rtype, set()).add(path.name)
    expected = {
        "google_service_account": "identities.tf",
        "google_project_iam_member": "identities.tf",
        "google_cloudfunctions2_function": "function.tf",
        "google_storage_bucket": "build.tf",
        "google_artifact_registry_repository": "build.tf",
        "google_logging_project_sink": "sinks.tf",
        "google_logging_folder_sink": "sinks.tf",
        "google_logging_organization_sink": "sinks.tf",
        "google_pubsub_topic": "events.tf",
        "google_pubsub_subscription": "events.tf",
        "google_cloud_scheduler_job": "scheduler.tf",
        "google_logging_metric": "monitoring.tf",
        "google_monitoring_alert_policy": "monitoring.tf",
    }
    for rtype, filename in expected.items():
        assert where[rtype] == {filename}, rtype
    assert "rbac_manifest" in (MODULE / "rbac.tf").read_text()


def test_every_variable_that_can_be_checked_is_validated(module: dict[str, Any]) -> None:
    for name, variable in module["variable"].items():
        if variable["type"] in ("bool", "${bool}"):
            continue  # the type is the whole check
        assert variable.get("validation"), name


def test_the_build_runs_as_its_own_service_account(module: dict[str, Any]) -> None:
    function = module["resource"][("google_cloudfunctions2_function", "sync")]
    build = function["build_config"][0]
    assert build["service_account"] == "${google_service_account.build.id}"
    assert build["docker_repository"] == "${google_artifact_registry_repository.images.id}"
    grants = {
        (rtype, body["role"])
        for (rtype, _), body in module["resource"].items()
        if "google_service_account.build" in str(body.get("member", ""))
    }
    assert grants == {
        ("google_project_iam_member", "roles/logging.logWriter"),
        ("google_storage_bucket_iam_member", "roles/storage.objectViewer"),
        ("google_artifact_registry_repository_iam_member", "roles/artifactregistry.writer"),
    }


def test_instances_are_sized_for_a_resync_and_events_at_once(module: dict[str, Any]) -> None:
    service = module["resource"][("google_cloudfunctions2_function", "sync")]["service_config"][0]
    assert service["max_instance_request_concurrency"] == 1
    assert service["min_instance_count"] == 0
    assert module["variable"]["max_instance_count"]["default"] >= 2
    assert "var.max_instance_count >= 2" in str(module["variable"]["max_instance_count"])


def test_cmek_reaches_the_function_its_bucket_and_its_repository(module: dict[str, Any]) -> None:
    assert module["variable"]["kms_key_name"]["default"] is None
    function = module["resource"][("google_cloudfunctions2_function", "sync")]
    assert function["kms_key_name"] == "${var.kms_key_name}"
    repository = module["resource"][("google_artifact_registry_repository", "images")]
    assert repository["kms_key_name"] == "${var.kms_key_name}"
    assert "default_kms_key_name = encryption.value" in (MODULE / "build.tf").read_text()
    for name in ("events", "dead_letters"):
        topic = module["resource"][("google_pubsub_topic", name)]
        assert topic["kms_key_name"] == "${var.kms_key_name}"
        # A regional key encrypts only a topic stored in its region.
        policy = topic["message_storage_policy"][0]
        assert policy["allowed_persistence_regions"] == ["${var.region}"]
    agents = module["locals"]["kms_service_agents"]
    assert "local.pubsub_service_agent" in agents
    assert "@gcp-sa-pubsub.iam.gserviceaccount.com" in module["locals"]["pubsub_service_agent"]


def test_operations_metrics_and_the_overdue_resync_alert(module: dict[str, Any]) -> None:
    metrics = module["locals"]["log_metrics"]
    for name in ("secret_changes", "errors", "conflicts", "complete_resyncs"):
        assert name in metrics
    assert "var.enable_log_metrics" in metrics
    complete = module["locals"]["complete_resync_filter"]
    # The one line sync.py logs after a whole run, with the fields Report.run_summary() has;
    # test_templates.py runs the evaluated filter over a real run's log lines.
    assert 'jsonPayload.message=\\"resync finished\\"' in complete
    assert "resync finished" in (ROOT / "function/fleetsync/app/sync.py").read_text()
    for key in ("dry_run", "complete"):
        assert f"jsonPayload.{key}" in complete
    alert = module["resource"][("google_monitoring_alert_policy", "resync_overdue")]
    assert alert["count"] == "${var.enable_log_metrics && var.enable_resync_alert ? 1 : 0}"
    absent = alert["conditions"][0]["condition_absent"][0]
    assert absent["duration"] == "${2 * var.resync_period_minutes * 60}s"
    assert "complete_resyncs" in absent["filter"]


def test_example_gives_argo_cd_its_google_identity() -> None:
    example = load(EXAMPLE)
    roles = example["resource"][("google_project_iam_member", "argocd")]
    assert roles["for_each"] == '${toset(["roles/gkehub.gatewayEditor", "roles/gkehub.viewer"])}'
    assert example["locals"]["argocd_ksas"] == ["argocd-server", "argocd-application-controller"]
    identity = example["resource"][
        ("google_service_account_iam_member", "argocd_workload_identity")
    ]
    assert identity["role"] == "roles/iam.workloadIdentityUser"
    assert ".svc.id.goog[${local.argocd_namespace}/${each.value}]" in identity["member"]
    values = example["resource"][("helm_release", "argocd")]["values"][0]
    assert '"controller", "server"' in values and "iam.gke.io/gcp-service-account" in values
    # The member RBAC is stated once (the manifest local, also an output) and bound from it.
    assert "google_service_account.argocd.email" in example["text"]
    assert re.search(
        r"subjects\s*=\s*\[\{[^]]*google_service_account\.argocd\.email", example["text"]
    )
    for name in ("argocd_hub", "argocd_workload"):
        binding = example["resource"][("kubernetes_cluster_role_binding_v1", name)]
        assert binding["subject"][0]["name"] == "${local.argocd_member_rbac.subjects[0].name}"
        assert binding["role_ref"][0]["name"] == "${local.argocd_member_rbac.roleRef.name}"
    assert "generate-gateway-rbac" in example["output"]["argocd_member_rbac_command"]["value"]


def test_example_stores_no_access_token_in_state() -> None:
    example = load(EXAMPLE)
    assert ("google_client_config", "current") not in example["data"]
    code = "\n".join(
        line for line in example["text"].splitlines() if not line.lstrip().startswith("#")
    )
    assert "access_token" not in code and not re.search(r"\btoken\s*=", code)
    providers = (EXAMPLE / "providers.tf").read_text()
    assert providers.count('command     = "gke-gcloud-auth-plugin"') == 1
    assert providers.count("local.exec_auth") >= 3
