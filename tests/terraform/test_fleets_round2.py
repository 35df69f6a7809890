"""The multi form's FLEET_SYNC_CONFIG, second adversarial round: every input the module's own
validation accepts must give an environment the function starts with. Each case below passes
`terraform validate`'s variable rules (checked first) and is then refused by
`Settings.from_env`, so `terraform apply` deploys a function that cannot start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fleetsync.core.errors import PermanentError
from fleetsync.settings import Settings
from tests.terraform.console import Console
from tests.terraform.test_fleets import HUB_A, multi

LONG_NUMBER = "123456789012345678901"  # 21 digits: `^[0-9]+$` in variables.tf, 1-20 here


def _target(**changes: Any) -> dict[str, Any]:
    return {"name": "prod", "argocd_membership": HUB_A, **changes}


ACCEPTED = {
    # variables.tf: project `^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$` lets an empty or
    # hyphen-edged label between dots through; the function wants a DNS subdomain.
    "project with an empty label": multi(targets=[_target(project="a..b")]),
    "project with a label starting with a hyphen": multi(targets=[_target(project="a.-b")]),
    # variables.tf: project_number `^[0-9]+$`; the function: 1 to 20 digits.
    "project number of 21 digits": multi(
        fleets=[{"project_id": "acme-fleet-a", "project_number": LONG_NUMBER}],
        targets=[
            _target(argocd_membership=f"projects/{LONG_NUMBER}/locations/global/memberships/hub")
        ],
    ),
    # variables.tf only checks a selector's length and lines ("the function checks its syntax
    # at start"): the module applies, the function's revision never becomes ready.
    "selector the function cannot parse": multi(targets=[_target(selector="env in prod")]),
}


@pytest.mark.parametrize("values", ACCEPTED.values(), ids=list(ACCEPTED))
def test_what_the_module_accepts_the_function_starts_with(
    tmp_path: Path, values: dict[str, Any]
) -> None:
    console = Console(tmp_path, values)
    assert console.diagnostics() == "", "the module refuses this input: not the case tested"
    env = console.value("local.function_env")
    try:
        Settings.from_env(env)
    except PermanentError as err:
        pytest.fail(f"the module accepted what the function refuses at start-up: {err}")


def test_receivers_run_with_the_functions_environment_but_for_the_project(tmp_path: Path) -> None:
    """Held up: function.tf gives each receiver merge(local.function_env, GOOGLE_CLOUD_PROJECT)."""
    text = (Path(__file__).resolve().parents[2] / "terraform" / "function.tf").read_text()
    assert "merge(local.function_env, { GOOGLE_CLOUD_PROJECT = each.key })" in text
    env = Console(tmp_path, multi(project_id="acme-tools")).value("local.function_env")
    assert env["GOOGLE_CLOUD_PROJECT"] == "acme-tools"
