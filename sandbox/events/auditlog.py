"""Cloud Audit Logs entries and the CloudEvent attributes Eventarc delivers them with.

The entry is a `LogEntry` with an `AuditLog` payload, as Cloud Logging writes it for an admin
activity (https://cloud.google.com/logging/docs/audit/understanding-audit-logs). The
attributes are those of `google.cloud.audit.log.v1.written`: the documented ones
(https://cloud.google.com/eventarc/docs/cloudevents-json; the `servicename`, `methodname`,
`resourcename` extensions of googleapis/google-cloudevents
`proto/google/events/cloud/audit/v1/events.proto`) and `recordedtime`, which a delivery
recorded from the real service carries (GoogleCloudPlatform/eventarc-samples,
`eventarc-gke/trigger-gke-eventarc-events/README.md`). Delivery is `eventarc`'s concern.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from sandbox.google.conventions import now

DATASCHEMA = (
    "https://googleapis.github.io/google-cloudevents/jsonschema/google/events/cloud/"
    "audit/v1/LogEntryData.json"
)
CALLER = "platform-admin@{project}.example.com"
EVENT_TYPE = "google.cloud.audit.log.v1.written"


def audit_entry(
    project_id: str,
    service: str,
    method: str,
    resource_name: str,
    operation_id: str,
    phase: str,
    request: dict[str, Any],
    response: dict[str, Any],
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One Cloud Audit Logs LogEntry, as Cloud Logging writes it for an admin activity."""
    timestamp = now()
    return {
        "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "status": status or {},
            "authenticationInfo": {"principalEmail": CALLER.format(project=project_id)},
            "requestMetadata": {"callerIp": "192.0.2.10", "callerSuppliedUserAgent": "sandbox"},
            "serviceName": service,
            "methodName": method,
            "resourceName": resource_name,
            "request": request,
            "response": response,
        },
        "insertId": uuid.uuid4().hex[:12],
        "resource": {
            "type": "audited_resource",
            "labels": {"service": service, "method": method, "project_id": project_id},
        },
        "timestamp": timestamp,
        "severity": "NOTICE",
        "logName": f"projects/{project_id}/logs/cloudaudit.googleapis.com%2Factivity",
        "operation": {"id": operation_id, "producer": service, phase: True},
        # Cloud Logging receives an entry after it was written, never before.
        "receiveTimestamp": max(now(), timestamp),
    }


def eventarc_data(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as Eventarc's CloudEvent data, a google-cloudevents `LogEntryData`: its
    `protoPayload` is an `AuditLog` message, not an `Any`, so without the `@type` Cloud Logging
    gives it (the recorded delivery and google-cloudevents' binary example have none; Pub/Sub
    sinks keep it, as the google-cloudevents test data does)."""
    payload = {k: v for k, v in entry["protoPayload"].items() if k != "@type"}
    return {**entry, "protoPayload": payload}


def cloudevent_headers(project_id: str, entry: dict[str, Any]) -> dict[str, str]:
    """The binary-mode CloudEvent headers for `entry`, as the recorded real delivery has them.

    `ce-id` is the log name, the insert ID and the entry's timestamp in microseconds since
    the epoch, run together; `ce-time` is when Cloud Logging received the entry and
    `ce-recordedtime` when it was written.
    """
    payload = entry["protoPayload"]
    written = datetime.datetime.fromisoformat(entry["timestamp"])
    micros = (written - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)) // (
        datetime.timedelta(microseconds=1)
    )
    return {
        "Content-Type": "application/json; charset=utf-8",
        "ce-specversion": "1.0",
        "ce-type": EVENT_TYPE,
        "ce-source": f"//cloudaudit.googleapis.com/projects/{project_id}/logs/activity",
        "ce-subject": f"{payload['serviceName']}/{payload['resourceName']}",
        "ce-id": f"{entry['logName']}{entry['insertId']}{micros}",
        "ce-time": entry["receiveTimestamp"],
        "ce-dataschema": DATASCHEMA,
        "ce-methodname": payload["methodName"],
        "ce-servicename": payload["serviceName"],
        "ce-resourcename": payload["resourceName"],
        "ce-recordedtime": entry["timestamp"],
    }


def audit_cloudevent(
    project_id: str,
    method: str,
    resource_name: str,
    *,
    phase: str = "last",
    status: dict[str, Any] | None = None,
    insert_id: str = "",
) -> tuple[dict[str, str], bytes]:
    """One audit-log CloudEvent as Eventarc pushes it: the one builder for the sandbox's own
    deliveries, the tests and the benchmark."""
    service = "container.googleapis.com" if ".container." in method else "gkehub.googleapis.com"
    operation = f"operation-{insert_id or uuid.uuid4().hex[:12]}"
    entry = audit_entry(
        project_id, service, method, resource_name, operation, phase, {}, {}, status
    )
    if insert_id:
        entry["insertId"] = insert_id
    return cloudevent_headers(project_id, entry), json.dumps(eventarc_data(entry)).encode()
