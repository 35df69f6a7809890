"""The overdue-resync alert's metric over the log lines a real multi-form run writes: its
filter as Terraform evaluates it (real `terraform console`), read by the sandbox's Logging
query subset, over the function's records as Cloud Run's structured logging stores them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud.logging_v2.handlers import StructuredLogHandler

from fleetsync.core.errors import RetryableError
from sandbox.events.logfilter import compile_filter
from tests.safety.memory import Member, World
from tests.safety.test_sync import ALL, PROD, config, fleets, wire
from tests.terraform.test_fleets import multi
from tests.terraform.test_templates import ModuleConsole


def logged_entries(records: list[Any]) -> list[dict[str, Any]]:
    """The log records as Cloud Logging stores them from Cloud Run: the StructuredLogHandler's
    JSON line as jsonPayload, on the function's cloud_run_revision resource."""
    handler = StructuredLogHandler()  # type: ignore[no-untyped-call]
    entries = []
    for record in records:
        handler.filter(record)  # adds the fields its format names, as handling would
        payload = json.loads(handler.format(record))
        resource = {"type": "cloud_run_revision", "labels": {"service_name": "fleet-argocd-sync"}}
        entries.append({"jsonPayload": payload, "resource": resource})
    return entries


@pytest.mark.parametrize("prod_fails", [False, True])
def test_the_complete_resyncs_metric_counts_a_run_only_when_every_target_completed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, prod_fails: bool
) -> None:
    """The metric's filter, as Terraform evaluates it, over the lines a real multi-form run
    logs: one target failing while the other converges is no complete run."""
    query = ModuleConsole(tmp_path, multi()).value("local.complete_resync_filter")
    matches = compile_filter(query)
    hub = fleets({"a1": Member()}, {"b1": Member()})
    clusters = {"prod": World({}), "all": World({})}
    if prod_fails:
        broken = RetryableError("Connect Gateway answered 503: agent disconnected")
        clusters["prod"].faults.queued["list_secrets"] = [broken, broken]
    with caplog.at_level("INFO", logger="fleetsync"):
        wire(config(PROD, ALL), hub, clusters).resync()
    counted = [e for e in logged_entries(caplog.records) if matches(e)]
    assert len(counted) == (0 if prod_fails else 1)
    if prod_fails:
        (summary,) = [r for r in caplog.records if r.getMessage() == "resync finished"]
        assert summary.json_fields["incomplete_targets"] == ["prod"]  # type: ignore[attr-defined]
