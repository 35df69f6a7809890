from pathlib import Path

import pytest

from fleetsync.config.settings import Settings
from fleetsync.config.table import DEFAULT_GKEHUB_ENDPOINT, ENV_VARIABLES, VARIABLES
from fleetsync.config.variables import parse_boolean
from fleetsync.core.errors import PermanentError
from fleetsync.core.model import MembershipRef

BASE = {"FLEET_PROJECT_NUMBER": "123456789012", "ARGOCD_MEMBERSHIP": "global/argocd-hub"}
SANDBOX = {
    "GKEHUB_ENDPOINT": "http://127.0.0.1:8090",
    "CONNECT_GATEWAY_ENDPOINT": "http://127.0.0.1:8090",
}


def test_defaults():
    settings = Settings.from_env(BASE)
    assert settings.fleet_project_number == "123456789012"
    assert settings.argocd_membership == MembershipRef("global", "argocd-hub")
    assert settings.argocd_namespace == "argocd"
    assert settings.gkehub_endpoint == DEFAULT_GKEHUB_ENDPOINT
    assert settings.connect_gateway_endpoint == ""
    assert settings.static_token == ""
    assert settings.dry_run is False
    assert settings.membership_selector.matches({"anything": "x"})


def test_every_variable():
    settings = Settings.from_env(
        {
            **BASE,
            **SANDBOX,
            "ARGOCD_MEMBERSHIP": "projects/123456789012/locations/us-east1/memberships/hub",
            "ARGOCD_NAMESPACE": "gitops",
            "ARGOCD_PROJECT": "platform",
            "MEMBERSHIP_SELECTOR": "env in (prod),!no-argocd",
            "FLEET_SYNC_STATIC_TOKEN": "sandbox-token",
            "MAX_DELETE_FRACTION": "0.25",
            "SYNC_CONCURRENCY": "4",
            "DRY_RUN": "true",
        }
    )
    assert settings.argocd_membership == MembershipRef("us-east1", "hub")
    assert (settings.argocd_namespace, settings.argocd_project) == ("gitops", "platform")
    assert settings.membership_selector.matches({"env": "prod"})
    assert not settings.membership_selector.matches({"env": "prod", "no-argocd": ""})
    assert settings.static_token == "sandbox-token"
    assert (settings.max_delete_fraction, settings.concurrency, settings.dry_run) == (0.25, 4, True)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, ["FLEET_PROJECT_NUMBER", "ARGOCD_MEMBERSHIP"]),
        ({**BASE, "FLEET_PROJECT_NUMBER": "acme-fleet"}, ["FLEET_PROJECT_NUMBER"]),
        ({**BASE, "ARGOCD_MEMBERSHIP": "argocd-hub"}, ["ARGOCD_MEMBERSHIP"]),
        ({**BASE, "ARGOCD_MEMBERSHIP": "global/../x"}, ["ARGOCD_MEMBERSHIP"]),
        ({**BASE, "ARGOCD_NAMESPACE": "Argo CD"}, ["ARGOCD_NAMESPACE"]),
        ({**BASE, "ARGOCD_PROJECT": "bad project"}, ["ARGOCD_PROJECT"]),
        ({**BASE, "MEMBERSHIP_SELECTOR": "env in prod"}, ["MEMBERSHIP_SELECTOR"]),
        ({**BASE, "GKEHUB_ENDPOINT": "ftp://x"}, ["GKEHUB_ENDPOINT"]),
        ({**BASE, "CONNECT_GATEWAY_ENDPOINT": "not a url"}, ["CONNECT_GATEWAY_ENDPOINT"]),
        ({**BASE, "FLEET_SYNC_STATIC_TOKEN": "t"}, ["FLEET_SYNC_STATIC_TOKEN"]),
        (
            {**BASE, "FLEET_SYNC_STATIC_TOKEN": "t", "GKEHUB_ENDPOINT": "http://127.0.0.1:1"},
            ["FLEET_SYNC_STATIC_TOKEN"],
        ),
        ({**BASE, "MAX_DELETE_FRACTION": "2"}, ["MAX_DELETE_FRACTION"]),
        ({**BASE, "MAX_DELETE_FRACTION": "nan"}, ["MAX_DELETE_FRACTION"]),
        ({**BASE, "SYNC_CONCURRENCY": "0"}, ["SYNC_CONCURRENCY"]),
        ({**BASE, "SYNC_CONCURRENCY": "many"}, ["SYNC_CONCURRENCY"]),
        ({**BASE, "DRY_RUN": "perhaps"}, ["DRY_RUN"]),
    ],
)
def test_invalid_configuration_names_every_bad_variable(env, named):
    with pytest.raises(PermanentError) as raised:
        Settings.from_env(env)
    for variable in named:
        assert variable in str(raised.value)


def _readme_rows() -> dict[str, list[str]]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[1] in ("yes", "no"):
            rows[cells[0].strip("`")] = cells
    return rows


def test_the_documented_table_lists_every_setting_with_its_default():
    """One table of settings: the documented configuration table follows it."""
    rows = _readme_rows()
    assert set(rows) == set(ENV_VARIABLES)
    for variable in VARIABLES:
        _, required, default, meaning = rows[variable.name]
        assert (required == "yes") == bool(variable.required), variable.name
        assert meaning, variable.name
        value = variable.default
        if isinstance(value, bool):
            assert default == f"`{str(value).lower()}`", variable.name
        elif isinstance(value, int | float) or (isinstance(value, str) and value):
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            assert default == f"`{shown}`", variable.name


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("1", True), ("FALSE", False)])
def test_one_boolean_vocabulary(raw, value):
    assert parse_boolean(raw) is value


@pytest.mark.parametrize("raw", ["yes", "on", "true\n", "maybe"])
def test_anything_else_is_not_a_boolean(raw):
    with pytest.raises(ValueError, match="true or false"):
        parse_boolean(raw)


def test_a_ca_file_is_read_at_start(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    assert Settings.from_env({**BASE, "FLEET_SYNC_CA_FILE": str(bundle)}).ca_file == str(bundle)
    assert Settings.from_env(BASE).ca_file == ""


@pytest.mark.parametrize(
    ("content", "said"), [(None, "cannot read"), ("not a certificate", "holds no PEM certificate")]
)
def test_a_ca_file_that_is_missing_or_not_pem_is_one_clear_error(tmp_path, content, said):
    bundle = tmp_path / "ca.pem"
    if content is not None:
        bundle.write_text(content)
    with pytest.raises(PermanentError, match=f"FLEET_SYNC_CA_FILE: .*{said}"):
        Settings.from_env({**BASE, "FLEET_SYNC_CA_FILE": str(bundle)})
