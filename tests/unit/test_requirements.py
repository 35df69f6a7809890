"""function/requirements.txt is what Cloud Run installs: it must match pyproject.toml."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_requirements_match_pyproject():
    """The project's dependencies less the CLI's own: the deployed function has no CLI."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    cli_only = project["tool"]["fleet-argocd-sync"]["cli-only-dependencies"]
    declared = [d for d in project["project"]["dependencies"] if d not in cli_only]
    assert cli_only and set(cli_only) <= set(project["project"]["dependencies"])
    lines = (ROOT / "function" / "requirements.txt").read_text().splitlines()
    listed = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert listed == declared, "run `make requirements`"
