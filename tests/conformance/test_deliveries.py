"""Every audit-log delivery the sandbox makes, against what Google publishes of them.

- Eventarc (binary content mode): the CloudEvent attributes of the delivery Google's
  eventarc-samples recorded (the same names, `datacontenttype`, `dataschema`, the `id`, `source`,
  `subject`, `time` and `recordedtime` built the same way), parsed as functions-framework does
  (`cloudevents.http.from_http`); the data is a `LogEntryData` (google-cloudevents): valid
  against LogEntryData.json and parsed strictly by google-events, so with no
  `protoPayload.@type`, which the recorded delivery and the binary example leave out.
- Cloud Logging sinks to Pub/Sub: the message data is the LogEntry as Cloud Logging writes it,
  `protoPayload` an `Any` with `@type` `type.googleapis.com/google.cloud.audit.AuditLog` (the
  google-cloudevents test data), and the rest the same `LogEntryData`; the attribute
  `logging.googleapis.com/timestamp` is the entry's `timestamp`.
- In both, `request` and `response` name their proto in `@type` (audit_log.proto: "When the
  JSON object represented here has a proto equivalent, the proto name will be indicated in the
  `@type` property"), as the recorded delivery's `serviceData` does.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import re
from typing import Any

import pytest

from tests.conformance import reference
from tests.conformance.conftest import Conformance

AUDIT_LOG = "type.googleapis.com/google.cloud.audit.AuditLog"
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z")
_ATTRIBUTE = re.compile(r"[a-z0-9]{1,20}")  # CloudEvents: a-z, 0-9, SHOULD NOT exceed 20


@functools.cache
def recorded() -> dict[str, Any]:
    return dict(reference.load("eventarc-samples-recorded-auditlog-delivery.json"))


@functools.cache
def validator() -> Any:
    import jsonschema

    schema = reference.load("LogEntryData.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def data_problems(entry: dict[str, Any]) -> list[str]:
    """How one LogEntryData (no `protoPayload.@type`) disagrees with the schema and the type."""
    from google.events.cloud.audit_v1 import LogEntryData

    problems = [f"schema: {e.json_path}: {e.message}" for e in validator().iter_errors(entry)]
    try:
        LogEntryData.from_json(json.dumps(entry), ignore_unknown_fields=False)
    except Exception as err:  # protobuf's ParseError, and whatever else it raises
        problems.append(f"google-events strict parse: {str(err)[:200]}")
    for key in ("timestamp", "receiveTimestamp"):
        if not _TIME.fullmatch(str(entry.get(key))):
            problems.append(f"{key} {entry.get(key)!r} is not RFC 3339 UTC")
    payload = entry.get("protoPayload", {})
    for key in ("request", "response"):
        if payload.get(key) and "@type" not in payload[key]:
            problems.append(f"protoPayload.{key} has no @type naming its proto")
    if entry.get("receiveTimestamp", "") < entry.get("timestamp", ""):
        problems.append("received before it was written")
    return problems


def attribute_problems(headers: dict[str, str], entry: dict[str, Any]) -> list[str]:
    """How a binary-mode delivery's attributes differ from the recorded delivery's."""
    from cloudevents.http import from_http

    problems: list[str] = []
    attributes = {k[3:].lower(): v for k, v in headers.items() if k.lower().startswith("ce-")}
    want = set(recorded()) - {"data", "datacontenttype"}
    if set(attributes) != want:
        problems.append(f"attributes {sorted(set(attributes) ^ want)} differ from the recorded")
    problems += [f"attribute name {a!r}" for a in attributes if not _ATTRIBUTE.fullmatch(a)]
    if headers.get("Content-Type") != recorded()["datacontenttype"]:
        problems.append(f"Content-Type {headers.get('Content-Type')!r}")
    payload = entry.get("protoPayload", {})
    log_kind = entry["logName"].rsplit("%2F", 1)[-1]
    project = entry["logName"].split("/")[1]
    written = datetime.datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00"))
    micros = (written - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)) // datetime.timedelta(
        microseconds=1
    )
    expected = {
        "specversion": "1.0",
        "type": recorded()["type"],
        "dataschema": recorded()["dataschema"],
        "source": f"//cloudaudit.googleapis.com/projects/{project}/logs/{log_kind}",
        "subject": f"{payload.get('serviceName')}/{payload.get('resourceName')}",
        "id": f"{entry['logName']}{entry['insertId']}{micros}",
        "time": entry["receiveTimestamp"],
        "recordedtime": entry["timestamp"],
        "methodname": payload.get("methodName"),
        "servicename": payload.get("serviceName"),
        "resourcename": payload.get("resourceName"),
    }
    for key, value in expected.items():
        if attributes.get(key) != value:
            problems.append(f"ce-{key} {attributes.get(key)!r} != {value!r}")
    event = from_http(headers, json.dumps(entry))
    if event["type"] != recorded()["type"]:
        problems.append("cloudevents.from_http reads another type")
    return problems


def test_every_eventarc_delivery_conforms(conformance: Conformance) -> None:
    pushes = conformance.recorder.pushes()
    assert len(pushes) >= 20, "the population makes at least 20 audit entries"
    problems, disagreeing = [], 0
    for push in pushes:
        entry = json.loads(push.body)
        found = attribute_problems(push.headers, entry)
        if "@type" in entry.get("protoPayload", {}):
            found.append("protoPayload.@type in an Eventarc delivery (the recorded one has none)")
        found += data_problems(entry)
        method = entry.get("protoPayload", {}).get("methodName")
        problems += [f"{method} {entry.get('operation', {})}: {p}" for p in found]
        disagreeing += bool(found)
    summary = f"{disagreeing} of {len(pushes)} deliveries disagree"
    assert not problems, summary + ":\nDISAGREE: " + "\nDISAGREE: ".join(problems)


def test_every_log_sink_message_conforms(conformance: Conformance) -> None:
    messages = conformance.recorder.published()
    assert len(messages) == len(conformance.recorder.pushes())
    problems, disagreeing = [], 0
    for message in messages:
        entry = json.loads(base64.b64decode(message["data"]))
        payload = dict(entry.get("protoPayload", {}))
        found = []
        if payload.pop("@type", None) != AUDIT_LOG:
            found.append(f"protoPayload.@type is not {AUDIT_LOG}")
        if message.get("attributes") != {"logging.googleapis.com/timestamp": entry["timestamp"]}:
            found.append(f"attributes {message.get('attributes')}")
        found += data_problems({**entry, "protoPayload": payload})
        problems += [f"{payload.get('methodName')}: {p}" for p in found]
        disagreeing += bool(found)
    summary = f"{disagreeing} of {len(messages)} messages disagree"
    assert not problems, summary + ":\nDISAGREE: " + "\nDISAGREE: ".join(problems)


def test_a_sink_message_and_its_delivery_are_one_entry(conformance: Conformance) -> None:
    """Eventarc's data is the LogEntry Cloud Logging routes, less `protoPayload.@type`."""
    pushes = conformance.recorder.pushes()
    pushed = {json.loads(p.body)["insertId"]: json.loads(p.body) for p in pushes}
    for message in conformance.recorder.published():
        entry = json.loads(base64.b64decode(message["data"]))
        entry["protoPayload"].pop("@type", None)
        assert pushed[entry["insertId"]] == entry


@pytest.mark.parametrize(
    "name",
    [
        "testdata-LogEntryData-pubsubCreateTopic.json",
        "eventarc-samples-recorded-auditlog-delivery.json",
    ],
)
def test_the_checks_pass_google_own_entries(name: str) -> None:
    """The checks above accept what Google published (less the `@type` rule's subject)."""
    entry = reference.load(name)
    entry = dict(entry.get("data", entry))
    payload = dict(entry["protoPayload"])
    payload.pop("@type", None)
    entry["protoPayload"] = payload
    assert data_problems(entry) == []


def test_the_attribute_checks_pass_the_recorded_delivery() -> None:
    event = recorded()
    headers = {f"ce-{k}": v for k, v in event.items() if k not in ("data", "datacontenttype")}
    headers["Content-Type"] = event["datacontenttype"]
    assert attribute_problems(headers, event["data"]) == []
