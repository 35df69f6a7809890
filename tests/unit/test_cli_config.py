"""`--config FILE`: the FLEET_SYNC_CONFIG document from a JSON or YAML file, errors in a line."""

from __future__ import annotations

import json

import pytest

from fleetsync.config.settings import Settings
from fleetsync_cli.commands import EXIT_ERROR
from fleetsync_cli.main import _environment, main, parser

HUB = "projects/123456789012/locations/global/memberships/argocd-hub"
YAML = f"""
fleets: ["123456789012", "210987654321"]
targets:
  - name: prod
    argocd_membership: {HUB}
    selector: env=prod
    tenancy: {{enabled: true, prefix: team-}}
"""


def settings_from(path: str, env: dict[str, str]) -> Settings:
    args = parser().parse_args(["--config", path, "plan"])
    return Settings.from_env(_environment(args, env))


def test_a_yaml_file_is_the_same_document_and_replaces_the_single_form(tmp_path):
    path = tmp_path / "fleets.yaml"
    path.write_text(YAML)
    single = {"FLEET_PROJECT_NUMBER": "999", "ARGOCD_MEMBERSHIP": "global/old", "DRY_RUN": "true"}
    settings = settings_from(str(path), single)
    assert settings.fleets == ("123456789012", "210987654321")
    (target,) = settings.targets
    assert (target.name, target.tenancy.prefix, settings.dry_run) == ("prod", "team-", True)
    json_path = tmp_path / "fleets.json"
    json_path.write_text(json.dumps({"fleets": ["1"], "targets": []}))
    with pytest.raises(Exception, match="targets: must list at least one target"):
        settings_from(str(json_path), {})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (YAML.replace("env=prod", "env in ("), "FLEET_SYNC_CONFIG: targets[0].selector:"),
        ("fleets: [\n", "is neither JSON nor YAML"),
        (None, "cannot read --config"),
    ],
)
def test_a_bad_document_is_one_line_and_exit_1(tmp_path, capsys, content, expected):
    path = tmp_path / "fleets.yaml"
    if content is not None:
        path.write_text(content)
    assert main(["--config", str(path), "plan"], env={}) == EXIT_ERROR
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_single_form_flag_with_config_is_refused(tmp_path, capsys):
    path = tmp_path / "fleets.yaml"
    path.write_text(YAML)
    assert main(["--config", str(path), "--selector", "a=b", "plan"], env={}) == EXIT_ERROR
    assert "replaces MEMBERSHIP_SELECTOR; set one form" in capsys.readouterr().err
