"""Read a Pub/Sub message into the Cloud Audit Logs entry a Logging sink put in it. Pure.

A Logging sink routes each matching `LogEntry` to its topic as the message data, the entry in
JSON ("Logs routed to Pub/Sub": https://cloud.google.com/logging/docs/export/pubsub). The
message reaches the function in one envelope, `{"message": {"data", "attributes",
"messageId", "publishTime"}, "subscription"}`, by either route: as the body of a push
subscription's POST (https://cloud.google.com/pubsub/docs/push#receive_push) or as the data of
Eventarc's `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent
(https://cloud.google.com/eventarc/docs/cloudevents#pubsub). `data` is a proto3 `bytes`
field, so its JSON is base64, standard or URL-safe, with or without padding
(https://protobuf.dev/programming-guides/json/).

Whatever cannot be such an entry raises PermanentError saying why: the caller acknowledges it,
because Pub/Sub redelivers a refused message for as long as the subscription keeps it (seven
days by default). The entry itself is `events.parse_log_entry`'s to judge.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass

from fleetsync.core.errors import PermanentError

PUBSUB_PUBLISHED_TYPE = "google.cloud.pubsub.topic.v1.messagePublished"


@dataclass(frozen=True)
class Message:
    """One Pub/Sub message: its ID (for the logs) and the LogEntry it carries."""

    message_id: str
    entry: Mapping[str, object]


def is_envelope(body: object) -> bool:
    """Whether a JSON body has the shape of a Pub/Sub push: an object with a `message`."""
    return isinstance(body, dict) and isinstance(body.get("message"), dict)


def read_message(envelope: object) -> Message:
    """The LogEntry inside a push body or a messagePublished event's data."""
    if isinstance(envelope, bytes | str):
        try:
            envelope = json.loads(envelope)
        except (ValueError, RecursionError) as err:  # nesting past the parser's depth
            raise PermanentError(f"the Pub/Sub delivery is not JSON: {err}") from err
    message = envelope.get("message") if isinstance(envelope, dict) else None
    if not isinstance(message, dict):
        raise PermanentError("a Pub/Sub delivery must be a JSON object with a message object")
    ident = message.get("messageId") or message.get("message_id") or ""
    ident = ident if isinstance(ident, str) else ""
    data = message.get("data")
    where = f"Pub/Sub message {ident or '(no messageId)'}"
    if not isinstance(data, str) or not data:
        raise PermanentError(f"{where} has no data: a Logging sink always sends its entry")
    try:
        raw = _base64(data)
    except (binascii.Error, ValueError) as err:
        raise PermanentError(f"{where}: data is not base64: {err}") from err
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise PermanentError(f"{where}: data is not a JSON LogEntry: {err}") from err
    if not isinstance(entry, dict) or not isinstance(entry.get("protoPayload"), dict):
        raise PermanentError(f"{where}: data is not an audit LogEntry (no protoPayload object)")
    return Message(ident, entry)


def _base64(text: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
