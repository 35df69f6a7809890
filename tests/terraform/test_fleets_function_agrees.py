"""The multi form's FLEET_SYNC_CONFIG, from a second adversarial review: what the function
would refuse at start-up, the module refuses at plan time (each case below was once accepted
by the module's validation and refused by `Settings.from_env`, deploying a function that
could not start)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fleetsync.config.settings import Settings
from tests.terraform.console import INVALID, Console
from tests.terraform.test_fleets import HUB_A, multi

LONG_NUMBER = "123456789012345678901"  # 21 digits: `^[0-9]+$` in variables.tf, 1-20 here


def _target(**changes: Any) -> dict[str, Any]:
    return {"name": "prod", "argocd_membership": HUB_A, **changes}


REFUSED_BY_THE_FUNCTION = {
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


@pytest.mark.parametrize(
    "values", REFUSED_BY_THE_FUNCTION.values(), ids=list(REFUSED_BY_THE_FUNCTION)
)
def test_what_the_function_refuses_the_module_refuses_at_plan_time(
    tmp_path: Path, values: dict[str, Any]
) -> None:
    env = multi()  # the same document, valid, for the function's side of the comparison
    assert Settings.from_env(Console(tmp_path, env).value("local.function_env")).multi
    case = tmp_path / "case"
    case.mkdir()
    assert INVALID in Console(case, values).diagnostics()


def test_the_function_runs_in_project_id_whichever_fleets_it_serves(tmp_path: Path) -> None:
    """One function for every fleet: its Cloud Logging project is project_id, a fleet or not."""
    env = Console(tmp_path, multi(project_id="acme-tools")).value("local.function_env")
    assert env["GOOGLE_CLOUD_PROJECT"] == "acme-tools"
