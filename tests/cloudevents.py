"""Audit-log CloudEvents for tests (the sandbox's own builder, for the fleet the tests use), and
the same entries as a Logging sink sends them through Pub/Sub."""

from __future__ import annotations

import base64
import json
from typing import Any

from sandbox.events.auditlog import audit_cloudevent


def audit_event(
    method: str,
    resource: str,
    *,
    phase: str = "last",
    status: dict[str, Any] | None = None,
    event_id: str = "evt-1",
) -> tuple[dict[str, str], bytes]:
    """A binary-mode audit-log CloudEvent as Eventarc sends it (the sandbox's own builder)."""
    return audit_cloudevent(
        "acme-fleet", method, resource, phase=phase, status=status, insert_id=event_id
    )


SUBSCRIPTION = "projects/acme-fleet/subscriptions/fleet-argocd-sync"
TOPIC = "projects/acme-fleet/topics/fleet-audit-logs"


def pubsub_envelope(entry: bytes, message_id: str = "1001") -> dict[str, Any]:
    """A Pub/Sub message as a push subscription POSTs it: a Logging sink's entry as data."""
    timestamp = json.loads(entry).get("timestamp", "") if entry.startswith(b"{") else ""
    return {
        "message": {
            "data": base64.b64encode(entry).decode(),
            "attributes": {"logging.googleapis.com/timestamp": timestamp},
            "messageId": message_id,
            "publishTime": "2026-12-03T12:00:00.000Z",
        },
        "subscription": SUBSCRIPTION,
    }


def pubsub_push(method: str, resource: str, **kwargs: Any) -> dict[str, Any]:
    """The push body of the audit entry `audit_event` would send through Eventarc."""
    return pubsub_envelope(audit_event(method, resource, **kwargs)[1])


def eventarc_pubsub_event(envelope: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """Eventarc's Pub/Sub trigger delivery of a message: a binary-mode CloudEvent whose data
    is the push envelope (https://cloud.google.com/eventarc/docs/cloudevents#pubsub)."""
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "ce-source": f"//pubsub.googleapis.com/{TOPIC}",
        "ce-id": envelope["message"]["messageId"],
        "ce-time": envelope["message"]["publishTime"],
        "Content-Type": "application/json; charset=utf-8",
    }
    return headers, json.dumps(envelope).encode()
