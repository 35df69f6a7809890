"""The one route of audit entries to the function: Logging sinks (one per fleet project, or one
on a folder or organisation) into a topic in project_id, pushed to the function by a
subscription with an OIDC token, a retry policy and a dead-letter topic. The sinks' filter and
keys are evaluated with `terraform console`; the resources are checked on the parsed HCL."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fleetsync.core.events import HANDLED_METHODS
from tests.terraform.console import INVALID, Console
from tests.terraform.test_fleets import SINGLE, multi
from tests.terraform.test_module import EXAMPLES, MODULE, load

# Cloud Logging's limit on the length of a query (a sink's filter included).
FILTER_LIMIT = 20_000
FLEETS = ["acme-fleet-a", "acme-fleet-b"]


@pytest.fixture(scope="module")
def module() -> dict[str, Any]:
    return load(MODULE)


def _alternatives(filter_: str, field: str) -> list[str]:
    (group,) = re.findall(rf"\b{re.escape(field)}=\(([^)]*)\)", filter_)
    return [value.strip().strip('"') for value in group.split(" OR ")]


def test_the_sink_filter_selects_exactly_the_handled_methods(tmp_path: Path) -> None:
    filter_ = Console(tmp_path, SINGLE).value("local.log_sink_filter")
    assert len(filter_) < FILTER_LIMIT
    assert filter_.startswith('logName:"cloudaudit.googleapis.com%2Factivity" AND ')
    methods = _alternatives(filter_, "protoPayload.methodName")
    assert sorted(methods) == sorted(HANDLED_METHODS)
    assert len(methods) == len(set(methods))
    services = _alternatives(filter_, "protoPayload.serviceName")
    listed = json.loads((MODULE.parent / "function/fleetsync/audit_methods.json").read_text())
    assert sorted(services) == sorted({m["serviceName"] for m in listed["methods"]})
    # Room for the list to grow: a method name is under 100 characters.
    assert len(filter_) + 100 * len(methods) < FILTER_LIMIT


@pytest.mark.parametrize("home", ["acme-fleet-a", "acme-tools"])
def test_every_fleet_project_gets_one_sink(tmp_path: Path, home: str) -> None:
    found = Console(tmp_path, multi(project_id=home)).value(
        "{sinks = local.project_sinks, keys = local.sink_keys, parent = local.sink_parent}"
    )
    assert found["sinks"] == {"acme-fleet-a": "123456789012", "acme-fleet-b": "210987654321"}
    assert found["keys"] == FLEETS  # project_id has one only if it is a fleet
    assert found["parent"] == {"kind": "", "id": ""}


def test_the_single_form_has_one_sink_in_project_id(tmp_path: Path) -> None:
    found = Console(tmp_path, SINGLE).value("{sinks = local.project_sinks, keys = local.sink_keys}")
    assert found == {"sinks": {"acme-fleet": "123456789012"}, "keys": ["acme-fleet"]}


@pytest.mark.parametrize(
    "parent, kind, number",
    [("folders/123", "folders", "123"), ("organizations/456", "organizations", "456")],
)
@pytest.mark.parametrize("values", [multi(), SINGLE], ids=["multi", "single"])
def test_a_parent_takes_one_sink_instead_of_one_per_project(
    tmp_path: Path, values: dict[str, Any], parent: str, kind: str, number: str
) -> None:
    found = Console(tmp_path, {**values, "log_sink_parent": parent}).value(
        "{sinks = local.project_sinks, keys = local.sink_keys, parent = local.sink_parent}"
    )
    assert found == {"sinks": {}, "keys": [parent], "parent": {"kind": kind, "id": number}}


NOT_A_PARENT = ["folders/abc", "projects/123", "123", "folders/", "folders/1/x"]


@pytest.mark.parametrize("parent", NOT_A_PARENT)
def test_log_sink_parent_must_be_a_folder_or_an_organisation(tmp_path: Path, parent: str) -> None:
    diagnostics = Console(tmp_path, {**SINGLE, "log_sink_parent": parent}).diagnostics()
    assert INVALID in diagnostics
    assert "log_sink_parent must be null, folders/N or organizations/N" in diagnostics


def test_the_sinks_route_into_the_one_topic(module: dict[str, Any]) -> None:
    resources = module["resource"]
    project = resources[("google_logging_project_sink", "audit")]
    folder = resources[("google_logging_folder_sink", "audit")]
    organization = resources[("google_logging_organization_sink", "audit")]
    assert project["for_each"] == "${local.project_sinks}"
    assert project["project"] == "${each.key}"
    assert project["unique_writer_identity"] is True
    assert folder["count"] == '${local.sink_parent.kind == "folders" ? 1 : 0}'
    assert folder["folder"] == "${local.sink_parent.id}"
    assert organization["count"] == '${local.sink_parent.kind == "organizations" ? 1 : 0}'
    assert organization["org_id"] == "${local.sink_parent.id}"
    for sink in (project, folder, organization):
        assert sink["destination"] == "pubsub.googleapis.com/${google_pubsub_topic.events.id}"
        assert sink["filter"] == "${local.log_sink_filter}"
    for sink in (folder, organization):
        assert sink["include_children"] is True
        assert "intercept_children" not in sink  # the projects' own sinks keep their entries
    assert "audit_methods.json" in module["locals"]["audit_methods"]
    assert "local.audit_methods" in module["locals"]["log_sink_filter"]


def test_each_sink_writer_may_publish_on_the_audit_topic_alone(module: dict[str, Any]) -> None:
    writers = module["resource"][("google_pubsub_topic_iam_member", "sink_writers")]
    assert writers["for_each"] == "${toset(local.sink_keys)}"
    assert writers["topic"] == "${google_pubsub_topic.events.name}"
    assert writers["role"] == "roles/pubsub.publisher"
    assert writers["member"] == "${local.sink_writer_identities[each.key]}"
    identities = module["locals"]["sink_writer_identities"]
    for rtype in ("project", "folder", "organization"):
        assert f"google_logging_{rtype}_sink.audit" in identities
    assert identities.count("sink.writer_identity") == 3
    # Nothing else is granted to a writer identity, nor anything on a fleet project's topic.
    grants = [
        key
        for key, body in module["resource"].items()
        if "writer_identit" in str(body.get("member", ""))
    ]
    assert grants == [("google_pubsub_topic_iam_member", "sink_writers")]


def test_the_push_subscription_delivers_with_oidc_retries_and_dead_letters(
    module: dict[str, Any],
) -> None:
    resources = module["resource"]
    push = resources[("google_pubsub_subscription", "push")]
    assert push["topic"] == "${google_pubsub_topic.events.id}"
    config = push["push_config"][0]
    uri = "google_cloudfunctions2_function.sync.service_config[0].uri"
    assert config["push_endpoint"] == "${" + uri + "}/"
    assert "no_wrapper" not in config  # the function reads the wrapped push body
    token = config["oidc_token"][0]
    assert token["service_account_email"] == "${google_service_account.push.email}"
    assert token["audience"] == "${" + uri + "}"
    assert push["ack_deadline_seconds"] == "${local.push_ack_deadline_seconds}"
    assert module["locals"]["push_ack_deadline_seconds"] == "${min(local.timeout_seconds, 600)}"
    assert push["expiration_policy"][0]["ttl"] == ""
    assert push["message_retention_duration"] == "${local.retention}"
    retry = push["retry_policy"][0]
    assert (retry["minimum_backoff"], retry["maximum_backoff"]) == ("10s", "600s")
    dead = push["dead_letter_policy"][0]
    assert dead["dead_letter_topic"] == "${google_pubsub_topic.dead_letters.id}"
    assert 5 <= module["locals"]["max_delivery_attempts"] <= 100  # Pub/Sub's bounds
    # Dead letters are kept, on a subscription of their own.
    keep = resources[("google_pubsub_subscription", "dead_letters")]
    assert keep["topic"] == "${google_pubsub_topic.dead_letters.id}"
    assert "push_config" not in keep and keep["expiration_policy"][0]["ttl"] == ""
    # The push identity is an invoker of the function.
    invokers = resources[("google_cloud_run_v2_service_iam_member", "invokers")]
    assert "push = google_service_account.push.member" in invokers["for_each"]
    assert "google_cloud_run_v2_service_iam_member.invokers" in str(push["depends_on"])


def test_the_pubsub_service_agent_may_forward_dead_letters(module: dict[str, Any]) -> None:
    resources = module["resource"]
    publisher = resources[("google_pubsub_topic_iam_member", "dead_letter_publisher")]
    assert publisher["topic"] == "${google_pubsub_topic.dead_letters.name}"
    assert publisher["role"] == "roles/pubsub.publisher"
    subscriber = resources[("google_pubsub_subscription_iam_member", "dead_letter_subscriber")]
    assert subscriber["subscription"] == "${google_pubsub_subscription.push.name}"
    assert subscriber["role"] == "roles/pubsub.subscriber"
    for grant in (publisher, subscriber):
        assert grant["member"] == "${local.pubsub_service_agent}"
    agent = module["locals"]["pubsub_service_agent"]
    assert agent == (
        "serviceAccount:service-${data.google_project.this.number}"
        "@gcp-sa-pubsub.iam.gserviceaccount.com"
    )


def test_dead_letters_raise_an_alert(module: dict[str, Any]) -> None:
    alert = module["resource"][("google_monitoring_alert_policy", "dead_letters")]
    assert alert["count"] == "${var.enable_dead_letter_alert ? 1 : 0}"
    threshold = alert["conditions"][0]["condition_threshold"][0]
    assert "pubsub.googleapis.com/subscription/dead_letter_message_count" in threshold["filter"]
    assert "google_pubsub_subscription.push.name" in threshold["filter"]
    assert (threshold["comparison"], threshold["threshold_value"]) == ("COMPARISON_GT", 0)
    assert alert["notification_channels"] == "${var.alert_notification_channels}"
    # Both alerts notify the same channels.
    resync = module["resource"][("google_monitoring_alert_policy", "resync_overdue")]
    assert resync["notification_channels"] == alert["notification_channels"]


def test_no_receiver_nor_eventarc_trigger_remains() -> None:
    for directory in (MODULE, *EXAMPLES):
        blocks = load(directory)
        types = {rtype for rtype, _ in blocks["resource"]}
        assert not {t for t in types if t.startswith("google_eventarc_")}, directory
        assert not [key for key in blocks["resource"] if "receiver" in key[1]], directory
        assert "receiver" not in blocks["text"], directory
    assert not (MODULE / "triggers.tf").exists()
    apis = load(MODULE)["locals"]["apis"]
    assert "eventarc.googleapis.com" not in apis
    assert {"logging.googleapis.com", "pubsub.googleapis.com"} <= set(apis)


def test_upgrades_keep_the_push_identity_and_its_invoker_grant(module: dict[str, Any]) -> None:
    text = module["text"]
    for old, new in (
        ("google_service_account.trigger", "google_service_account.push"),
        (
            'google_cloud_run_v2_service_iam_member.invokers["trigger"]',
            'google_cloud_run_v2_service_iam_member.invokers["push"]',
        ),
    ):
        assert re.search(rf"moved \{{\s*from = {re.escape(old)}\s*to\s*= {re.escape(new)}", text)
    push = module["resource"][("google_service_account", "push")]
    assert push["account_id"] == "${var.name}-events"  # the old trigger account's, unchanged
