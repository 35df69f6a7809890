"""A Logging sink's Pub/Sub message read into its LogEntry, and the entries of the services
that register clusters on their own (gkemulticloud, gkeonprem). Data in, data out."""

from __future__ import annotations

import base64
import json

import pytest

from fleetsync.core.errors import NotOursError, PermanentError
from fleetsync.core.events import (
    HANDLED_METHODS,
    REGISTERING_SERVICES,
    REGISTRATION,
    parse_log_entry,
)
from fleetsync.core.model import MembershipRef
from fleetsync.core.pubsub import is_envelope, read_message

NUMBER = "123456789012"
ENTRY = {
    "protoPayload": {
        "serviceName": "gkehub.googleapis.com",
        "methodName": "google.cloud.gkehub.v1.GkeHub.CreateMembership",
        "resourceName": f"projects/{NUMBER}/locations/global/memberships/m1",
    },
    "logName": "projects/acme-fleet/logs/cloudaudit.googleapis.com%2Factivity",
    "operation": {"id": "op-1", "last": True},
}
RAW = json.dumps(ENTRY).encode()


def envelope(data: object, **message: object) -> dict[str, object]:
    return {"message": {"data": data, "messageId": "7", **message}, "subscription": "s"}


@pytest.mark.parametrize(
    "data",
    [
        base64.b64encode(RAW).decode(),
        base64.urlsafe_b64encode(RAW).decode(),
        base64.b64encode(RAW).decode().rstrip("="),  # proto3 JSON accepts it unpadded
    ],
    ids=["standard", "url-safe", "unpadded"],
)
def test_the_entry_comes_out_of_every_base64_form(data):
    message = read_message(envelope(data))
    assert message.entry == ENTRY and message.message_id == "7"


def test_the_envelope_may_come_as_bytes_as_eventarc_data():
    body = json.dumps(envelope(base64.b64encode(RAW).decode())).encode()
    assert read_message(body).entry == ENTRY


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        ([1], "message object"),
        ({"message": "x"}, "message object"),
        (envelope(None), "has no data"),
        (envelope(""), "has no data"),
        (envelope("@@@"), "not base64"),
        (envelope(base64.b64encode(b"\xff").decode()), "not a JSON LogEntry"),
        (envelope(base64.b64encode(b"[1]").decode()), "not an audit LogEntry"),
        (envelope(base64.b64encode(b'{"textPayload": "x"}').decode()), "not an audit LogEntry"),
    ],
)
def test_what_cannot_be_an_entry_is_permanent_with_its_reason(body, reason):
    with pytest.raises(PermanentError, match=reason):
        read_message(body)


def test_only_an_object_with_a_message_object_is_a_push():
    assert is_envelope(envelope("x"))
    assert not is_envelope({"message": "x"}) and not is_envelope([]) and not is_envelope(None)


REGISTERING = sorted(m for m, s in HANDLED_METHODS.items() if s in REGISTERING_SERVICES)


def test_every_registering_service_and_verb_is_handled():
    verbs = {m.rsplit(".", 1)[1] for m in REGISTERING}
    for platform in ("AttachedCluster", "AwsCluster", "AzureCluster"):
        assert {f"Create{platform}", f"Update{platform}", f"Delete{platform}"} <= verbs
    assert "ImportAttachedCluster" in verbs
    for platform in ("VmwareCluster", "BareMetalCluster"):
        for verb in ("Create", "Enroll", "Update", "Unenroll", "Delete"):
            assert f"{verb}{platform}" in verbs
    # The form audit logs use: google.cloud.<api>.v1.<Service>.<Method>, the api the service's.
    for method in REGISTERING:
        parts = method.split(".")
        assert len(parts) == 6 and parts[:2] == ["google", "cloud"] and parts[3] == "v1"
        assert HANDLED_METHODS[method] == f"{parts[2]}.googleapis.com"


def registering_entry(method: str, resource: str) -> dict[str, object]:
    payload = {"serviceName": HANDLED_METHODS[method], "methodName": method}
    return {"protoPayload": {**payload, "resourceName": resource}, "operation": {"last": True}}


@pytest.mark.parametrize("method", REGISTERING)
def test_a_registering_entry_names_its_fleet(method):
    collection = method.rsplit(".", 1)[1].removeprefix("Create")
    resource = f"projects/{NUMBER}/locations/us-west1/{collection}s/c1"
    event = parse_log_entry(registering_entry(method, resource), [NUMBER])
    assert event.kind == REGISTRATION and event.project == NUMBER
    assert event.ref == MembershipRef("us-west1", "c1")


@pytest.mark.parametrize(
    ("resource", "ref"),
    [
        (f"projects/{NUMBER}/locations/us-west1", MembershipRef("us-west1", "-")),
        (f"projects/{NUMBER}/locations/us-west1/vmwareClusters", MembershipRef("us-west1", "-")),
        (
            "projects/acme-fleet/locations/us-west1/vmwareClusters/v1",
            MembershipRef("us-west1", "v1"),
        ),
    ],
)
def test_an_enroll_may_name_the_parent_or_a_project_id(resource, ref):
    method = "google.cloud.gkeonprem.v1.GkeOnPrem.EnrollVmwareCluster"
    event = parse_log_entry(registering_entry(method, resource), [NUMBER])
    assert event.kind == REGISTRATION and event.ref == ref


def test_a_registering_entry_of_another_project_is_not_ours():
    method = "google.cloud.gkemulticloud.v1.AwsClusters.CreateAwsCluster"
    entry = registering_entry(method, "projects/999/locations/us-east1/awsClusters/a")
    with pytest.raises(NotOursError):
        parse_log_entry(entry, [NUMBER])


@pytest.mark.parametrize(
    "resource", ["projects", "folders/1/locations/x", f"projects/{NUMBER}/zones/z"]
)
def test_a_registering_entry_with_a_bad_name_is_permanent(resource):
    method = "google.cloud.gkemulticloud.v1.AwsClusters.CreateAwsCluster"
    with pytest.raises(PermanentError, match="resource name"):
        parse_log_entry(registering_entry(method, resource), [NUMBER])


DEEP = b"[" * 100_000 + b"]" * 100_000  # under the 1 MiB body limit, past the JSON parser's depth


def test_data_nested_past_the_parsers_depth_is_permanent_not_a_crash():
    with pytest.raises(PermanentError, match="not a JSON LogEntry"):
        read_message(envelope(base64.b64encode(DEEP).decode()))


def test_an_envelope_nested_past_the_parsers_depth_is_permanent_not_a_crash():
    with pytest.raises(PermanentError, match="not JSON"):
        read_message(DEEP)
