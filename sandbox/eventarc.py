"""Eventarc: turn fleet changes into Cloud Audit Logs CloudEvents and deliver them.

Each entry is delivered in binary content mode, with the attributes Eventarc sets for
`google.cloud.audit.log.v1.written` (https://cloud.google.com/eventarc/docs/cloudevents) and
the LogEntryData body. Long-running operations log two entries, `operation.first` and
`operation.last`. Every non-2xx answer is redelivered with exponential backoff: at least once.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from sandbox.store import now

DATASCHEMA = (
    "https://googleapis.github.io/google-cloudevents/jsonschema/google/events/cloud/"
    "audit/v1/LogEntryData.json"
)
CALLER = "platform-admin@{project}.example.com"


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
    entry: dict[str, Any] = {
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
        "timestamp": now(),
        "severity": "NOTICE",
        "logName": f"projects/{project_id}/logs/cloudaudit.googleapis.com%2Factivity",
        "operation": {"id": operation_id, "producer": service, phase: True},
        "receiveTimestamp": now(),
    }
    return entry


def cloudevent_headers(project_id: str, entry: dict[str, Any]) -> dict[str, str]:
    payload = entry["protoPayload"]
    return {
        "Content-Type": "application/json; charset=utf-8",
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.audit.log.v1.written",
        "ce-source": f"//cloudaudit.googleapis.com/projects/{project_id}/logs/activity",
        "ce-subject": f"{payload['serviceName']}/{payload['resourceName']}",
        "ce-id": f"projects/{project_id}/logs/cloudaudit.googleapis.com%2Factivity"
        f"{entry['insertId']}{entry['timestamp']}",
        "ce-time": entry["timestamp"],
        "ce-dataschema": DATASCHEMA,
        "ce-methodname": payload["methodName"],
        "ce-servicename": payload["serviceName"],
        "ce-resourcename": payload["resourceName"],
        "ce-recordedtime": entry["timestamp"],
    }


@dataclass
class Delivery:
    sink: str
    attempts: int = 0
    status: int | None = None
    delivered: bool = False
    error: str = ""


@dataclass
class Event:
    headers: dict[str, str]
    body: bytes
    deliveries: list[Delivery] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        entry = json.loads(self.body)
        return {
            "id": self.headers["ce-id"],
            "methodName": self.headers["ce-methodname"],
            "resourceName": self.headers["ce-resourcename"],
            "operation": entry["operation"],
            "status": entry["protoPayload"].get("status", {}),
            "deliveries": [d.__dict__ for d in self.deliveries],
        }


class Eventarc:
    """Delivers events to sinks from one background thread, retrying with backoff."""

    def __init__(
        self,
        sinks: list[str],
        initial_backoff_s: float = 0.2,
        max_backoff_s: float = 5.0,
        max_attempts: int = 12,
        timeout_s: float = 30.0,
        time_scale: float = 1.0,
    ) -> None:
        self.initial_time_scale = time_scale
        self.time_scale, self.shuffle, self.duplicates = time_scale, False, False
        self.sinks = list(sinks)
        self.initial_backoff_s, self.max_backoff_s = initial_backoff_s, max_backoff_s
        self.max_attempts, self.timeout_s = max_attempts, timeout_s
        self.events: list[Event] = []
        self._queue: list[tuple[float, int, Event, Delivery]] = []
        self._sequence = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._in_flight = 0
        self._thread = threading.Thread(target=self._run, name="eventarc", daemon=True)
        self._thread.start()

    def publish(self, project_id: str, entry: dict[str, Any]) -> None:
        event = Event(cloudevent_headers(project_id, entry), json.dumps(entry).encode())
        with self._wake:
            self.events.append(event)
            for sink in self.sinks:
                delivery = Delivery(sink)
                event.deliveries.append(delivery)
                heapq.heappush(
                    self._queue, (time.monotonic(), next(self._sequence), event, delivery)
                )
            self._wake.notify()

    def pending(self) -> int:
        """Deliveries queued, waiting for a retry, or being sent right now."""
        with self._wake:
            return len(self._queue) + self._in_flight

    def clear(self) -> None:
        with self._wake:
            self.events.clear()
            self._queue.clear()

    def restore_behaviour(self) -> None:
        with self._wake:
            self.time_scale, self.shuffle, self.duplicates = self.initial_time_scale, False, False
            self._wake.notify()

    def wake(self) -> None:
        with self._wake:
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (
                    not self._queue or self._queue[0][0] > time.monotonic()
                ):
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._wake.wait(wait)
                if self._stopped:
                    return
                _, _, event, delivery = heapq.heappop(self._queue)
                delivery.attempts += 1
                self._in_flight = 1
            ok = self._send(event, delivery)
            with self._wake:
                if not ok and delivery.attempts < self.max_attempts:
                    backoff = min(
                        self.max_backoff_s, self.initial_backoff_s * 2 ** (delivery.attempts - 1)
                    )
                    heapq.heappush(
                        self._queue,
                        (time.monotonic() + backoff, next(self._sequence), event, delivery),
                    )
                delivery.delivered = ok
                self._in_flight = 0

    def _send(self, event: Event, delivery: Delivery) -> bool:
        request = urllib.request.Request(
            delivery.sink, data=event.body, headers=event.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                delivery.status = answer.status
        except urllib.error.HTTPError as err:
            delivery.status, delivery.error = err.code, err.read()[:500].decode("utf-8", "replace")
        except OSError as err:
            delivery.status, delivery.error = None, str(err)
        return delivery.status is not None and 200 <= delivery.status < 300
