"""Cloud Logging sinks to Pub/Sub: every audit entry a sink's filter admits is published to its
topic, on a Pub/Sub emulator, as Cloud Logging exports it.

Follows "View logs routed to Pub/Sub" (https://cloud.google.com/logging/docs/export/pubsub):
logs are routed to Pub/Sub as LogEntry JSON, one message per entry, whose data is the entry
and whose attribute `logging.googleapis.com/timestamp` is the entry's `timestamp`. Messages go
through the Pub/Sub v1 REST call `POST /v1/{topic}:publish`
(https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/publish), a batch of at
most 1,000 at a time (Pub/Sub's limit per request), from one background thread so a fleet
change never waits on it. At least once: a failed publish is tried again after a backoff from
0.1 s doubling to 5 s (the sandbox's choice; how Cloud Logging retries is not published) until
it succeeds or the sinks are cleared. The filter is `logfilter`'s.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sandbox.events.logfilter import Predicate, compile_filter
from sandbox.google.names import topic_problem

TIMESTAMP_ATTRIBUTE = "logging.googleapis.com/timestamp"
MAX_BATCH = 1000
FIRST_BACKOFF_S, MAX_BACKOFF_S = 0.1, 5.0


@dataclass
class LogSink:
    """One sink: where it publishes, what it admits, and how publishing went."""

    topic: str
    filter: str
    emulator: str  # host:port, as PUBSUB_EMULATOR_HOST names it
    admits: Predicate
    from_flags: bool = False
    published: int = 0
    failed: int = 0  # publish requests that failed (each is tried again)
    last_error: str = ""
    queue: deque[dict[str, Any]] = field(default_factory=deque)

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "filter": self.filter,
            "pubsub_emulator": self.emulator,
            "from_flags": self.from_flags,
            "published": self.published,
            "failed": self.failed,
            "pending": len(self.queue),
            "last_error": self.last_error,
        }


def log_sink(topic: str, query: str, emulator: str, *, from_flags: bool = False) -> LogSink:
    """A sink, checked: ValueError (with the reason) for a bad topic, filter or emulator."""
    if problem := topic_problem(topic):
        raise ValueError(problem)
    host, _, port = emulator.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"pubsub emulator must be HOST:PORT, got {emulator!r}")
    return LogSink(topic, query, emulator, compile_filter(query), from_flags)


class LogSinks:
    """The sinks, and the thread that publishes what they admit."""

    def __init__(self, sinks: list[LogSink], timeout_s: float = 10.0) -> None:
        self.sinks = list(sinks)
        self.timeout_s = timeout_s
        self._wake = threading.Condition()
        self._stopped = False
        self._in_flight = 0
        self._generation = 0  # bumped when sinks or queues are dropped: a batch in flight is void
        self._thread = threading.Thread(target=self._run, name="logsinks", daemon=True)
        self._thread.start()

    def route(self, entry: dict[str, Any]) -> None:
        """Queue `entry` for every sink whose filter admits it."""
        with self._wake:
            for sink in self.sinks:
                if sink.admits(entry):
                    sink.queue.append(_message(entry))
            self._wake.notify()

    def add(self, sink: LogSink) -> None:
        with self._wake:
            self.sinks.append(sink)

    def remove_all(self) -> None:
        with self._wake:
            self.sinks.clear()
            self._generation += 1

    def reset(self) -> None:
        """Keep every sink; forget what was queued and the counts (as events are on reset)."""
        with self._wake:
            self._generation += 1
            for sink in self.sinks:
                sink.queue.clear()
                sink.published = sink.failed = 0
                sink.last_error = ""

    def pending(self) -> int:
        with self._wake:
            return sum(len(s.queue) for s in self.sinks) + self._in_flight

    def to_json(self) -> list[dict[str, Any]]:
        with self._wake:
            return [sink.to_json() for sink in self.sinks]

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff = 0.0
        while True:
            with self._wake:
                if backoff:
                    self._wake.wait(backoff)
                while not self._stopped and not any(s.queue for s in self.sinks):
                    self._wake.wait()
                if self._stopped:
                    return
                sink = next(s for s in self.sinks if s.queue)
                batch = [sink.queue[i] for i in range(min(MAX_BATCH, len(sink.queue)))]
                self._in_flight, generation = len(batch), self._generation
            error = self._publish(sink, batch)
            with self._wake:
                self._in_flight = 0
                if generation != self._generation:
                    continue
                if error:
                    sink.failed, sink.last_error = sink.failed + 1, error
                    backoff = min(MAX_BACKOFF_S, max(FIRST_BACKOFF_S, backoff * 2))
                    continue
                backoff = 0.0
                for _ in batch:
                    sink.queue.popleft()
                sink.published += len(batch)

    def _publish(self, sink: LogSink, batch: list[dict[str, Any]]) -> str:
        """'' when Pub/Sub accepted the batch, else why not."""
        request = urllib.request.Request(
            f"http://{sink.emulator}/v1/{sink.topic}:publish",
            data=json.dumps({"messages": batch}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                answer.read()
                return ""
        except urllib.error.HTTPError as err:
            return f"{err.code}: {err.read()[:300].decode('utf-8', 'replace')}"
        except OSError as err:
            return str(err)


def _message(entry: dict[str, Any]) -> dict[str, Any]:
    """A PubsubMessage in REST form: the LogEntry JSON, base64, and its timestamp attribute."""
    data = base64.b64encode(json.dumps(entry).encode()).decode()
    return {"data": data, "attributes": {TIMESTAMP_ATTRIBUTE: entry["timestamp"]}}
