"""Every argument, local and output of the module evaluates, in both forms, with real
`terraform console`: a null variable in a template, a wrong type or a failed validation is a
plan that cannot be made, and these tests are where it shows before a user's plan does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.terraform.console import MODULE, PROVIDER_FREE, Console
from tests.terraform.expressions import evaluation_file
from tests.terraform.test_fleets import SINGLE, multi

# Decided at apply time only: a map of sink writer identities indexed by another resource's
# for_each key, which the offline stand-ins cannot populate.
APPLY_TIME = {"resource.google_pubsub_topic_iam_member.sink_writers.member"}
EVERYTHING_ON: dict[str, Any] = {
    "kms_key_name": "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k",
    "alert_notification_channels": ["projects/p/notificationChannels/1"],
    "enable_resync_alert": True,
    "enable_dead_letter_alert": True,
    "dry_run": True,
}
FORMS: dict[str, dict[str, Any]] = {
    "single": SINGLE,
    "single, everything on": {**SINGLE, **EVERYTHING_ON},
    "multi": multi(),
    "multi, a folder sink": multi(log_sink_parent="folders/123456"),
    "multi, everything on": multi(**EVERYTHING_ON, enable_log_metrics=False),
}


def evaluate(directory: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Every argument's value by its address, or the test fails with Terraform's words."""
    console = ModuleConsole(directory, values)
    addresses = console.addresses
    found = console.value("[" + ", ".join(f"local.e{i}" for i in range(len(addresses))) + "]")
    return dict(zip(addresses, found, strict=True))


class ModuleConsole(Console):
    """A Console holding every local of the module and every argument as `local.eN`."""

    def __init__(self, directory: Path, values: dict[str, Any]) -> None:
        copied = set(PROVIDER_FREE)
        text, self.addresses = evaluation_file(MODULE, copied, {"function_dir"}, APPLY_TIME)
        super().__init__(directory, values, text)


@pytest.mark.parametrize("form", FORMS)
def test_every_expression_of_the_module_evaluates(tmp_path: Path, form: str) -> None:
    found = evaluate(tmp_path, FORMS[form])
    # Every resource file contributes: the extraction did not silently skip one.
    kinds = {address.split(".")[1] for address in found if address.startswith("resource.")}
    assert {"google_cloudfunctions2_function", "google_monitoring_alert_policy"} <= kinds
    assert {"google_pubsub_subscription", "google_cloud_scheduler_job"} <= kinds


def test_the_overdue_alert_names_every_fleet_in_the_multi_form(tmp_path: Path) -> None:
    found = evaluate(tmp_path, multi())
    text = found["resource.google_monitoring_alert_policy.resync_overdue.documentation[0].content"]
    assert "123456789012, 210987654321" in text
    assert "acme-fleet-a" in text  # the resync command runs in the function's project
