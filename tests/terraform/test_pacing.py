"""The module's pacing (pacing.tf) with real `terraform console`: the instances together never
exceed the stated write budget, the timeout and the Scheduler's retries follow the stated
fleet size, and a resync's deadline falls before both the timeout and Cloud Scheduler's
attempt deadline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fleetsync.config.settings import Settings
from tests.terraform.console import INVALID, Console
from tests.terraform.test_fleets import SINGLE
from tests.terraform.test_templates import evaluate

SCHEDULER = "resource.google_cloud_scheduler_job.resync.attempt_deadline"
FUNCTION = "resource.google_cloudfunctions2_function.sync.service_config[0].timeout_seconds"
RETRIES = "resource.google_cloud_scheduler_job.resync.retry_config[0].retry_count"


@pytest.mark.parametrize(("budget", "instances"), [(600, 5), (2400, 7), (5, 5), (100, 3)], ids=str)
def test_the_instances_together_never_exceed_the_budget(
    tmp_path: Path, budget: int, instances: int
) -> None:
    values = {**SINGLE, "gateway_max_writes_per_minute": budget, "max_instance_count": instances}
    env = Console(tmp_path, values).value("local.function_env")
    share = Settings.from_env(env).gateway_max_writes_per_minute  # what each instance keeps to
    assert share >= 1 and share * instances <= budget
    assert budget - share * instances < instances  # and no more of it is left unused


def test_a_budget_smaller_than_the_instances_is_refused(tmp_path: Path) -> None:
    values = {**SINGLE, "gateway_max_writes_per_minute": 4, "max_instance_count": 5}
    diagnostics = Console(tmp_path, values).diagnostics()
    assert INVALID in diagnostics and "at least max_instance_count" in diagnostics


def capacity(tmp_path: Path, **values: Any) -> dict[str, Any]:
    found = evaluate(tmp_path, {**SINGLE, **values})
    outputs = {a.removeprefix("output.resync_capacity.value"): v for a, v in found.items()}
    result: dict[str, Any] = outputs[""]
    result["scheduler"] = int(found[SCHEDULER].removesuffix("s"))
    result["retries"] = found[RETRIES]
    result["function"] = found[FUNCTION]
    return result


def test_by_default_a_resync_stops_starting_writes_before_the_timeout(tmp_path: Path) -> None:
    found = capacity(tmp_path)
    assert found["timeout_seconds"] == found["function"] == 540
    assert found["resync_deadline_seconds"] < found["scheduler"] <= found["function"]
    assert found["writes_per_resync"] == found["resync_deadline_seconds"] * 120 // 60
    assert found["first_sync_runs"] is None  # no fleet size stated


def test_the_timeout_follows_the_fleet_size_up_to_the_schedulers_attempt_deadline(
    tmp_path: Path,
) -> None:
    (tmp_path / "small").mkdir()
    small = capacity(tmp_path / "small", expected_cluster_secrets=500)
    (tmp_path / "large").mkdir()
    large = capacity(tmp_path / "large", expected_cluster_secrets=10_000)
    assert small["timeout_seconds"] == 540 and small["first_sync_runs"] == 1  # 500 at 120/min
    assert small["first_sync_seconds"] == 250
    # 10,000 at 120 a minute is 83 minutes: the longest attempt, and several runs.
    assert large["timeout_seconds"] == large["scheduler"] == 1800
    assert large["resync_deadline_seconds"] == 1680
    assert large["first_sync_runs"] == -(-10_000 // large["writes_per_resync"])
    assert large["first_sync_runs"] > 1
    # The schedule carries the first sync through: a retry for each run beyond the first.
    assert small["scheduler_retry_count"] == 2
    assert large["scheduler_retry_count"] == max(2, large["first_sync_runs"] - 1)
    (tmp_path / "huge").mkdir()
    huge = capacity(tmp_path / "huge", expected_cluster_secrets=50_000)
    assert huge["first_sync_runs"] > 6 and huge["scheduler_retry_count"] == 5
    assert huge["retries"] == 5


def test_a_timeout_given_is_kept_and_the_deadline_still_precedes_the_scheduler(
    tmp_path: Path,
) -> None:
    found = capacity(tmp_path, timeout_seconds=3600)
    assert found["function"] == 3600 and found["scheduler"] == 1800
    assert found["resync_deadline_seconds"] == 1680
