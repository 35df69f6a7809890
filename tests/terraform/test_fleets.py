"""The multi form (fleets and targets), evaluated offline with `terraform console`: the
FLEET_SYNC_CONFIG document, the grants, the RBAC per target, and each validation rule failing
on the input it exists for. The Logging sinks of every fleet project are test_route.py's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from fleetsync.config.settings import Settings
from fleetsync.core.errors import PermanentError
from fleetsync.core.labels import is_dns_subdomain, parse_selector
from fleetsync.core.leases import LEASE_NAME
from tests.terraform.console import MODULE, Console

HUB_A = "projects/123456789012/locations/global/memberships/argocd-hub"
HUB_B = "projects/210987654321/locations/us-central1/memberships/argocd-teams"
SINGLE_FORM = {
    "FLEET_PROJECT_NUMBER",
    "ARGOCD_MEMBERSHIP",
    "ARGOCD_NAMESPACE",
    "ARGOCD_PROJECT",
    "MEMBERSHIP_SELECTOR",
}
TENANCY_DEFAULTS = {
    "enabled": False,
    "prefix": "",
    "source_repos": ["*"],
    "cluster_resources": False,
    "cluster_project": False,
}


def multi(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "project_id": "acme-fleet-a",
        "fleets": [
            {"project_id": "acme-fleet-a", "project_number": "123456789012"},
            {"project_id": "acme-fleet-b", "project_number": "210987654321"},
        ],
        "targets": [
            {"name": "prod", "argocd_membership": HUB_A, "selector": "env=prod"},
            {
                "name": "teams",
                "argocd_membership": HUB_B,
                "namespace": "argocd-teams",
                "project": "platform",
                "tenancy": {"enabled": True, "prefix": "team-", "source_repos": ["https://x/*"]},
            },
        ],
    }
    values.update(changes)
    return values


SINGLE = {
    "project_id": "acme-fleet",
    "fleet_project_number": "123456789012",
    "argocd_membership": "us-central1/argocd-hub",
    "membership_selector": "env in (prod)",
}


def test_the_multi_form_writes_fleet_sync_config_and_no_single_form_variable(
    tmp_path: Path,
) -> None:
    env = Console(tmp_path, multi()).value("local.function_env")
    assert not SINGLE_FORM & set(env)
    assert json.loads(env["FLEET_SYNC_CONFIG"]) == {
        "fleets": ["123456789012", "210987654321"],
        "targets": [
            {
                "name": "prod",
                "argocd_membership": HUB_A,
                "namespace": "argocd",
                "selector": "env=prod",
                "project": "",
                "tenancy": TENANCY_DEFAULTS,
                "previous_names": [],
            },
            {
                "name": "teams",
                "argocd_membership": HUB_B,
                "namespace": "argocd-teams",
                "selector": "",
                "project": "platform",
                "tenancy": {
                    **TENANCY_DEFAULTS,
                    "enabled": True,
                    "prefix": "team-",
                    "source_repos": ["https://x/*"],
                },
                "previous_names": [],
            },
        ],
    }
    assert env["GOOGLE_CLOUD_PROJECT"] == "acme-fleet-a"
    assert {"MAX_DELETE_FRACTION", "SYNC_CONCURRENCY", "DRY_RUN"} <= set(env)
    # And the function reads it as the module meant it.
    settings = Settings.from_env(env)
    assert settings.fleets == ("123456789012", "210987654321")
    assert [(t.name, t.namespace, t.tenancy.enabled) for t in settings.targets] == [
        ("prod", "argocd", False),
        ("teams", "argocd-teams", True),
    ]


def test_the_single_form_environment_is_unchanged(tmp_path: Path) -> None:
    env = Console(tmp_path, SINGLE).value("local.function_env")
    assert env == {
        "GOOGLE_CLOUD_PROJECT": "acme-fleet",
        "FLEET_PROJECT_NUMBER": "123456789012",
        "ARGOCD_MEMBERSHIP": "us-central1/argocd-hub",
        "ARGOCD_NAMESPACE": "argocd",
        "MEMBERSHIP_SELECTOR": "env in (prod)",
        "MAX_DELETE_FRACTION": "0.5",
        "SYNC_CONCURRENCY": "8",
        "GATEWAY_MAX_WRITES_PER_MINUTE": "120",  # 600 shared by 5 instances (pacing.tf)
        "RESYNC_DEADLINE_SECONDS": "432",  # 540 less a fifth
        "DRY_RUN": "false",
    }
    settings = Settings.from_env(env)
    assert not settings.multi and settings.fleets == ("123456789012",)


def test_grants_follow_the_fleets_and_the_argo_cd_clusters(tmp_path: Path) -> None:
    both_hubs_in_a = multi()
    both_hubs_in_a["targets"][1]["argocd_membership"] = HUB_A
    grants = Console(tmp_path, both_hubs_in_a).value("local.function_grants")
    assert sorted((g["project"], g["role"]) for g in grants.values()) == [
        ("acme-fleet-a", "roles/gkehub.gatewayEditor"),
        ("acme-fleet-a", "roles/gkehub.viewer"),
        ("acme-fleet-b", "roles/gkehub.viewer"),  # fleet B has no Argo CD: no gateway there
    ]


def test_the_single_form_keeps_its_grant_addresses(tmp_path: Path) -> None:
    grants = Console(tmp_path, SINGLE).value("local.function_grants")
    assert grants == {
        "roles/gkehub.viewer": {"project": "acme-fleet", "role": "roles/gkehub.viewer"},
        "roles/gkehub.gatewayEditor": {
            "project": "acme-fleet",
            "role": "roles/gkehub.gatewayEditor",
        },
    }


def test_gateway_urls_per_target(tmp_path: Path) -> None:
    urls = Console(tmp_path, multi()).value("local.argocd_gateway_urls")
    assert urls == {
        "prod": "https://connectgateway.googleapis.com/v1/projects/123456789012/locations/"
        "global/gkeMemberships/argocd-hub",
        "teams": "https://us-central1-connectgateway.googleapis.com/v1/projects/210987654321/"
        "locations/us-central1/gkeMemberships/argocd-teams",
    }


def rbac_module() -> str:
    """rbac.tf with the service accounts' emails written in, so it evaluates with no provider."""
    text = (MODULE / "rbac.tf").read_text()
    email = "google_service_account.function.email"
    assert text.count(email) == 1, "rbac_subjects changed: update this test"
    return text.replace(email, '"sync@home.iam"')


def roles(manifest: str) -> dict[str, Any]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all(manifest)}


# The resync Lease: exactly the adapter's calls (read, create, replace, delete), on the name
# the function uses; a create cannot be narrowed by name.
LEASES = {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"]}
LEASE_RULES = [
    {**LEASES, "verbs": ["create"]},
    {**LEASES, "resourceNames": [LEASE_NAME], "verbs": ["get", "update", "delete"]},
]


def test_rbac_per_target_covers_appprojects_only_with_tenancy(tmp_path: Path) -> None:
    manifests = Console(tmp_path, multi(), rbac_module()).value("local.rbac_manifests")
    assert set(manifests) == {"prod", "teams"}
    secrets = {"apiGroups": [""], "resources": ["secrets"]}
    appprojects = {"apiGroups": ["argoproj.io"], "resources": ["appprojects"]}
    verbs = ["get", "list", "create", "patch", "delete"]
    prod, teams = roles(manifests["prod"]), roles(manifests["teams"])
    assert prod["Role"]["rules"] == [{**secrets, "verbs": verbs}, *LEASE_RULES]
    assert teams["Role"]["rules"] == [
        {**secrets, "verbs": verbs},
        {**appprojects, "verbs": verbs},
        *LEASE_RULES,
    ]
    assert prod["Role"]["metadata"]["namespace"] == "argocd"
    assert teams["Role"]["metadata"]["namespace"] == "argocd-teams"
    assert teams["RoleBinding"]["metadata"]["namespace"] == "argocd-teams"
    for manifest in (prod, teams):
        names = [s["name"] for s in manifest["RoleBinding"]["subjects"]]
        assert names == ["sync@home.iam"]  # the one function, whichever fleet


def test_the_single_form_rbac_manifest_is_unchanged(tmp_path: Path) -> None:
    manifest = Console(tmp_path, SINGLE, rbac_module()).value("local.rbac_manifest")
    assert roles(manifest) == {
        "Role": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "fleet-argocd-sync", "namespace": "argocd"},
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["secrets"],
                    "verbs": ["get", "list", "create", "patch", "delete"],
                },
                *LEASE_RULES,
            ],
        },
        "RoleBinding": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "fleet-argocd-sync", "namespace": "argocd"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": "fleet-argocd-sync",
            },
            "subjects": [
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "sync@home.iam"}
            ],
        },
    }


def _target(**changes: Any) -> dict[str, Any]:
    return {"name": "prod", "argocd_membership": HUB_A, **changes}


INVALID_INPUTS = {
    "project number not digits": (
        multi(fleets=[{"project_id": "acme-fleet-a", "project_number": "12ab"}]),
        "each project_number digits only",
    ),
    "project listed twice": (
        multi(
            fleets=[
                {"project_id": "acme-fleet-a", "project_number": "123456789012"},
                {"project_id": "acme-fleet-a", "project_number": "123456789012"},
            ]
        ),
        "each project may be listed once",
    ),
    "name not a DNS label": (multi(targets=[_target(name="Prod_1")]), "must be a DNS label"),
    "names not unique": (
        multi(targets=[_target(), _target(namespace="other")]),
        "names must be unique",
    ),
    "membership not a full name": (
        multi(targets=[_target(argocd_membership="global/argocd-hub")]),
        "must be a full membership name",
    ),
    "membership outside the fleets": (
        multi(targets=[_target(argocd_membership=HUB_A.replace("123456789012", "999"))]),
        "must be one of the fleets' project_number",
    ),
    "same membership and namespace": (
        multi(targets=[_target(), _target(name="other")]),
        "may not share an Argo CD membership and namespace",
    ),
    "selector on two lines": (
        multi(targets=[_target(selector="env=prod\nteam=a")]),
        "selector a Kubernetes label selector",
    ),
    "empty source_repos": (
        multi(targets=[_target(tenancy={"enabled": True, "source_repos": []})]),
        "tenancy.source_repos a non-empty list",
    ),
    "both forms": (multi(fleet_project_number="123456789012"), "Use one form"),
    "fleets without targets": (multi(targets=[]), "Use one form"),
    "neither form": ({"project_id": "acme-fleet"}, "Use one form"),
}


@pytest.mark.parametrize("values, message", INVALID_INPUTS.values(), ids=list(INVALID_INPUTS))
def test_validation_refuses(tmp_path: Path, values: dict[str, Any], message: str) -> None:
    diagnostics = Console(tmp_path, values).diagnostics()
    assert "Invalid value for variable" in diagnostics
    assert message in diagnostics, diagnostics


@pytest.mark.parametrize("values", [multi(), SINGLE], ids=["multi", "single"])
def test_validation_accepts_both_forms(tmp_path: Path, values: dict[str, Any]) -> None:
    assert Console(tmp_path, values).diagnostics() == ""


SELECTORS = [
    "",
    "env",
    "!env",
    "env=prod",
    "env==prod",
    "env != prod",
    "env in (prod,staging),!no-argocd",
    "env notin(a, b)",
    "env in ()",
    "env in (a,)",
    "a.b/c=d",
    "env=",
    "env in prod",
    "env=prod,",
    ",env",
    "env=(a)",
    "!env=a",
    "x/y/z=a",
    "-a=b",
    "env=prod=x",
    "Env_1.x=V-2",
]


PREFIXES = ["team-", "a.b-", "a..", "-a", "Team-", "a_b", "a" * 190, "a" * 191]


def test_the_module_checks_tenancy_prefixes_as_the_function_does(tmp_path: Path) -> None:
    def target(prefix: str) -> dict[str, Any]:
        return {**multi()["targets"][1], "tenancy": {"enabled": True, "prefix": prefix}}

    module = {}
    for index, prefix in enumerate(PREFIXES):
        (directory := tmp_path / str(index)).mkdir()
        module[prefix] = not Console(directory, multi(targets=[target(prefix)])).diagnostics()
    function = {}
    for prefix in PREFIXES:
        document = {"fleets": ["123456789012", "210987654321"], "targets": [target(prefix)]}
        try:
            Settings.from_env({"FLEET_SYNC_CONFIG": json.dumps(document)})
            function[prefix] = True
        except PermanentError:
            function[prefix] = False
    assert module == function
    assert function["a.b-"] and not function["a.."]  # both sides were tried


def test_the_module_checks_selectors_and_appproject_names_as_the_function_does(
    tmp_path: Path,
) -> None:
    console = Console(tmp_path, SINGLE)
    module = console.value(
        f"[for s in {json.dumps(SELECTORS)} : can(regex(local.selector_pattern, s))]"
    )
    function = []
    for text in SELECTORS:
        try:
            parse_selector(text)
            function.append(True)
        except PermanentError:
            function.append(False)
    assert dict(zip(SELECTORS, module, strict=True)) == dict(zip(SELECTORS, function, strict=True))
    names = ["team-a", "a.b", "a..b", "a.-b", "-a", "A", "a" * 253, "a" * 254]
    module = console.value(
        f"[for n in {json.dumps(names)} : "
        "length(n) <= 253 && can(regex(local.dns_subdomain_pattern, n))]"
    )
    assert module == [is_dns_subdomain(n) for n in names]
