"""Audit entries that a Logging sink routed through Pub/Sub, delivered to the function over real
HTTP: as a push subscription's POST and as an Eventarc Pub/Sub trigger's CloudEvent. One
parser and one convergence path with the audit-log route; a message that cannot be a handled
entry is acknowledged with one log line, never answered 5xx (Pub/Sub would redeliver it for
seven days)."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from tests.cloudevents import (
    audit_event,
    eventarc_pubsub_event,
    pubsub_envelope,
    pubsub_push,
)

NUMBER = "123456789012"
HUB = "google.cloud.gkehub.v1.GkeHub."
PROD = f"prod-1.us-central1.{NUMBER}"
PROD_NAME = f"projects/{NUMBER}/locations/us-central1/memberships/prod-1"


def push(fn, body: object) -> requests.Response:
    return requests.post(fn.url + "/", json=body, timeout=60)


def registration_entry(method: str, service: str, resource: str) -> bytes:
    """An audit entry of another registering service, as its logs carry it."""
    entry = json.loads(audit_event(method, resource)[1])
    entry["protoPayload"]["serviceName"] = service
    entry["resource"]["labels"]["service"] = service
    return json.dumps(entry).encode()


def test_a_pushed_registration_becomes_a_secret(sandbox, fn):
    sandbox.add_membership("us-central1", "prod-1", {"env": "prod"}, emit=False)
    answer = push(fn, pubsub_push(HUB + "CreateMembership", PROD_NAME))
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == [PROD]
    assert sandbox.secrets()[PROD]["metadata"]["labels"]["env"] == "prod"


def test_an_eventarc_pubsub_delivery_becomes_a_secret(sandbox, fn):
    sandbox.add_membership("us-central1", "prod-1", emit=False)
    headers, body = eventarc_pubsub_event(pubsub_push(HUB + "CreateMembership", PROD_NAME))
    answer = requests.post(fn.url + "/", headers=headers, data=body, timeout=60)
    assert answer.status_code == 200, answer.text
    assert PROD in sandbox.secrets()


def test_a_redelivered_or_late_message_changes_nothing(sandbox, fn):
    """At-least-once and unordered: the DeleteMembership entry arriving after the membership
    came back, and the same message twice, leave the live Secret alone."""
    sandbox.add_membership("us-central1", "prod-1", emit=False)
    create = pubsub_push(HUB + "CreateMembership", PROD_NAME)
    late_delete = pubsub_push(HUB + "DeleteMembership", PROD_NAME)
    assert push(fn, create).json()["created"] == [PROD]
    for body in (late_delete, create, late_delete):
        answer = push(fn, body)
        assert answer.status_code == 200 and answer.json()["deleted"] == []
    assert PROD in sandbox.secrets()


def test_a_retryable_failure_answers_503_so_pubsub_redelivers(sandbox, fn):
    sandbox.add_membership("us-central1", "prod-1", emit=False)
    sandbox.fault(match="/gkeMemberships/argocd-hub/", status=503, count=100)
    answer = push(fn, pubsub_push(HUB + "CreateMembership", PROD_NAME))
    assert answer.status_code == 503 and answer.json()["retry"] is True
    sandbox.ok("DELETE", "/sandbox/faults")
    assert push(fn, pubsub_push(HUB + "CreateMembership", PROD_NAME)).status_code == 200
    assert PROD in sandbox.secrets()


def _envelope_with(data: object) -> dict[str, object]:
    envelope = pubsub_envelope(b"{}", message_id="poison-1")
    envelope["message"]["data"] = data  # type: ignore[index]
    return envelope


def _b64(value: object) -> str:
    text = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.b64encode(text).decode()


POISON = [
    ("no data", _envelope_with(None), "has no data"),
    ("data not base64", _envelope_with("%%% not base64 %%%"), "not base64"),
    ("data not JSON", _envelope_with(_b64(b"\xff\xfe not json")), "not a JSON LogEntry"),
    ("data a JSON list", _envelope_with(_b64([1, 2])), "not an audit LogEntry"),
    (
        "a LogEntry without protoPayload",
        _envelope_with(_b64({"textPayload": "hi"})),
        "no protoPayload",
    ),
    ("message not an object", {"message": "x", "subscription": "s"}, None),
]


@pytest.mark.parametrize(("name", "body", "reason"), POISON, ids=[p[0] for p in POISON])
def test_a_poison_message_is_acknowledged_with_its_reason(
    sandbox, fn, function, name, body, reason
):
    before = function.logs()
    answer = push(fn, body)
    if reason is None:  # not a push envelope at all: a bad request, as before
        assert answer.status_code == 400
        return
    assert answer.status_code == 200, answer.text
    assert answer.json()["acknowledged"] is True and reason in answer.json()["reason"]
    logged = [line for line in function.logs()[len(before) :].splitlines() if reason in line]
    assert len(logged) == 1 and '"severity": "ERROR"' in logged[0]
    assert "poison-1" in logged[0]


def test_entries_about_what_we_do_not_serve_are_acknowledged_at_info(sandbox, fn, function):
    before = function.logs()
    other_fleet = pubsub_push(
        HUB + "CreateMembership", "projects/999/locations/global/memberships/x"
    )
    other_method = pubsub_push("google.cloud.gkehub.v1.GkeHub.GenerateConnectManifest", PROD_NAME)
    for body in (other_fleet, other_method):
        answer = push(fn, body)
        assert answer.status_code == 200 and answer.json()["acknowledged"] is True
    logged = [line for line in function.logs()[len(before) :].splitlines() if "not ours" in line]
    assert len(logged) == 2 and all('"severity": "INFO"' in line for line in logged)


def test_an_oversized_push_is_refused_with_413(fn):
    body = {"message": {"data": "A" * (1024 * 1024 + 10)}, "subscription": "s"}
    assert push(fn, body).status_code == 413


@pytest.mark.parametrize(
    ("service", "method", "resource"),
    [
        (
            "gkemulticloud.googleapis.com",
            "google.cloud.gkemulticloud.v1.AttachedClusters.CreateAttachedCluster",
            f"projects/{NUMBER}/locations/us-west1/attachedClusters/eks-1",
        ),
        (
            "gkeonprem.googleapis.com",
            "google.cloud.gkeonprem.v1.GkeOnPrem.EnrollVmwareCluster",
            f"projects/{NUMBER}/locations/us-west1",  # an enroll may name the parent only
        ),
    ],
)
def test_a_cluster_another_service_registered_converges_its_fleet(
    sandbox, fn, service, method, resource
):
    """Those entries name the cluster, not its membership: the fleet is converged, so the
    registration shows up now instead of at the hourly resync."""
    sandbox.add_membership("global", "eks-1", {"env": "prod"}, emit=False)
    answer = push(fn, pubsub_envelope(registration_entry(method, service, resource)))
    assert answer.status_code == 200, answer.text
    assert f"eks-1.global.{NUMBER}" in answer.json()["created"]
    assert f"eks-1.global.{NUMBER}" in sandbox.secrets()


DEEP = b"[" * 100_000 + b"]" * 100_000


def test_a_body_nested_past_the_parsers_depth_is_a_bad_request_not_a_crash(fn):
    answer = requests.post(fn.url + "/", data=DEEP, timeout=60)
    assert answer.status_code == 400


def test_data_nested_past_the_parsers_depth_is_acknowledged_not_a_crash(fn):
    answer = push(fn, _envelope_with(base64.b64encode(DEEP).decode()))
    assert answer.status_code == 200 and "not a JSON LogEntry" in answer.json()["reason"]
