"""What arrives at `POST /`, read into the AuditEvent it carries.

One audit LogEntry comes in one of three envelopes, all read into one `core.events` parser:
- an Eventarc audit-log trigger's CloudEvent, `google.cloud.audit.log.v1.written`, whose data
  is the entry (binary or structured content mode);
- an Eventarc Pub/Sub trigger's CloudEvent, `google.cloud.pubsub.topic.v1.messagePublished`,
  whose data is a Pub/Sub message that a Logging sink filled with the entry (`core.pubsub`);
- a Pub/Sub push subscription's POST, whose JSON body is that same message envelope.
Anything that is none of them, or carries no entry we act on, raises PermanentError (or
NotOursError) saying why; `main.py` turns that into an acknowledgement.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from fleetsync.core.errors import PermanentError
from fleetsync.core.events import AuditEvent, parse_audit_event, parse_log_entry
from fleetsync.core.pubsub import PUBSUB_PUBLISHED_TYPE, is_envelope, read_message


def is_cloudevent(headers: Mapping[str, str]) -> bool:
    """Binary mode has `ce-specversion`; structured mode its own content type."""
    lowered = {name.lower(): value for name, value in headers.items()}
    content_type = lowered.get("content-type", "")
    return "ce-specversion" in lowered or content_type.startswith("application/cloudevents+json")


def push_envelope(body: bytes) -> dict[str, Any] | None:
    """The body as a Pub/Sub push envelope, or None when it is not one."""
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
    return envelope if is_envelope(envelope) else None


def event_of_cloudevent(
    method: str, headers: Mapping[str, str], body: bytes, fleets: Collection[str]
) -> AuditEvent:
    """The entry of an audit-log or messagePublished CloudEvent."""
    from cloudevents.exceptions import GenericException
    from cloudevents.http import from_http

    if method != "POST":
        raise PermanentError(f"CloudEvents arrive by POST, not {method}")
    try:
        cloudevent = from_http(dict(headers), body)
    except (GenericException, ValueError, TypeError) as err:
        raise PermanentError(f"not a valid CloudEvent: {err}") from err
    attributes, data = dict(cloudevent.get_attributes()), cloudevent.get_data()
    if attributes.get("type") == PUBSUB_PUBLISHED_TYPE:
        return event_of_push(data, fleets)
    return parse_audit_event(attributes, data, fleets)


def event_of_push(envelope: object, fleets: Collection[str]) -> AuditEvent:
    """The entry of a Pub/Sub message; errors name the message, for the log."""
    message = read_message(envelope)
    try:
        return parse_log_entry(message.entry, fleets)
    except PermanentError as err:
        raise type(err)(f"Pub/Sub message {message.message_id or '(no id)'}: {err}") from err
