"""Eventarc: push audit-log CloudEvents to every sink, at least once, as the real service does.

Each entry is sent in binary content mode (headers from `auditlog`). A push answered with
anything but 2xx, or not answered, is sent again on `pushpolicy.RetryPolicy`'s backoff, every
delay multiplied by `time_scale`, until it is accepted or 24 h (scaled) after it was
published. With `shuffle`, each new delivery first waits a random part of a window, so
deliveries go out in no particular order; with `duplicates`, some accepted deliveries are
pushed once more, as at-least-once delivery allows. Both draw from one generator seeded with
`seed`, so a run with the same inputs replays. Pushes go out one at a time from one thread.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from sandbox.events.auditlog import cloudevent_headers, eventarc_data
from sandbox.events.pushpolicy import DEFAULT_TIME_SCALE, Clock, RealTime, RetryPolicy


@dataclass
class Delivery:
    """One event's way to one sink: what each push got, and the backoffs waited between."""

    sink: str
    attempts: int = 0
    status: int | None = None
    delivered: bool = False
    error: str = ""
    backoff_s: list[float] = field(default_factory=list)
    gave_up: bool = False
    duplicates: int = 0


@dataclass
class Event:
    headers: dict[str, str]
    body: bytes
    deliveries: list[Delivery] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        entry = json.loads(self.body)
        return {
            "id": self.headers["ce-id"],
            "source": self.headers["ce-source"],
            "methodName": self.headers["ce-methodname"],
            "resourceName": self.headers["ce-resourcename"],
            "operation": entry["operation"],
            "status": entry["protoPayload"].get("status", {}),
            "deliveries": [dict(d.__dict__, backoff_s=list(d.backoff_s)) for d in self.deliveries],
        }


@dataclass
class _Push:
    event: Event
    delivery: Delivery
    published: float
    generation: int
    duplicate: bool = False


class Eventarc:
    def __init__(
        self,
        sinks: list[str],
        time_scale: float = DEFAULT_TIME_SCALE,
        *,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        seed: int = 0,
        timeout_s: float = 30.0,
    ) -> None:
        self.initial_time_scale, self.initial_seed = time_scale, seed
        self.time_scale, self.shuffle, self.duplicates = time_scale, False, False
        self.seed = seed
        self.sinks = list(sinks)
        self.policy, self.clock = policy or RetryPolicy(), clock or RealTime()
        self.timeout_s = timeout_s
        self.events: list[Event] = []
        self._queue: list[tuple[float, float, int, _Push]] = []
        self._order = itertools.count()
        self._generation = 0  # bumped by clear(): a push in flight then is not retried
        self._wake = threading.Condition()
        self._stopped = False
        self._in_flight = 0
        self._thread = threading.Thread(target=self._run, name="eventarc", daemon=True)
        self._thread.start()

    @property
    def seed(self) -> int:
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        self._seed = value
        self._random = random.Random(value)  # noqa: S311 - reproducible test traffic, not secrets

    def publish(self, project_id: str, entry: dict[str, Any]) -> None:
        data = json.dumps(eventarc_data(entry)).encode()
        event = Event(cloudevent_headers(project_id, entry), data)
        with self._wake:
            self.events.append(event)
            published = self.clock.now()
            for sink in self.sinks:
                delivery = Delivery(sink)
                event.deliveries.append(delivery)
                first_wait = self.policy.shuffle_window_s if self.shuffle else 0.0
                push = _Push(event, delivery, published, self._generation)
                self._schedule(push, published, self._random.uniform(0, first_wait))
            self._wake.notify()

    def pending(self) -> int:
        """Pushes queued, waiting for a retry, or being sent right now."""
        with self._wake:
            return len(self._queue) + self._in_flight

    def clear(self) -> None:
        with self._wake:
            self.events.clear()
            self._queue.clear()
            self._generation += 1

    def restore_behaviour(self) -> None:
        with self._wake:
            self.time_scale, self.shuffle, self.duplicates = self.initial_time_scale, False, False
            self.seed = self.initial_seed
            self._wake.notify()

    def wake(self) -> None:
        with self._wake:
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _schedule(self, push: _Push, start: float, wait_s: float) -> None:
        """Queue `push` for `wait_s` unscaled seconds after `start`; call with the lock held."""
        due = start + wait_s * self.time_scale
        tie = self._random.random() if self.shuffle else 0.0
        heapq.heappush(self._queue, (due, tie, next(self._order), push))

    def _run(self) -> None:
        while True:
            with self._wake:
                push = self._next_due()
                if push is None:
                    return
                self._in_flight += 1
            status, error = self._send(push)
            with self._wake:
                self._in_flight -= 1
                if push.generation == self._generation:
                    self._settle(push, status, error)

    def _next_due(self) -> _Push | None:
        while not self._stopped:
            now = self.clock.now()
            if self._queue and self._queue[0][0] <= now:
                return heapq.heappop(self._queue)[-1]
            self.clock.wait(self._wake, self._queue[0][0] - now if self._queue else None)
        return None

    def _settle(self, push: _Push, status: int | None, error: str) -> None:
        delivery, policy = push.delivery, self.policy
        if push.duplicate:
            delivery.duplicates += 1
            return
        delivery.attempts += 1
        delivery.status, delivery.error = status, error
        delivery.delivered = status is not None and 200 <= status < 300
        now = self.clock.now()
        if delivery.delivered:
            if self.duplicates and self._random.random() < policy.duplicate_rate:
                again = _Push(push.event, delivery, push.published, push.generation, True)
                self._schedule(again, now, self._random.uniform(0, policy.duplicate_window_s))
            return
        backoff = policy.backoff_s(delivery.attempts)
        if now + backoff * self.time_scale >= push.published + policy.retention_s * self.time_scale:
            delivery.gave_up = True  # Pub/Sub drops a message older than its retention
            return
        delivery.backoff_s.append(backoff * self.time_scale)
        self._schedule(push, now, backoff)

    def _send(self, push: _Push) -> tuple[int | None, str]:
        event = push.event
        request = urllib.request.Request(
            push.delivery.sink, data=event.body, headers=event.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                return answer.status, ""
        except urllib.error.HTTPError as err:
            return err.code, err.read()[:500].decode("utf-8", "replace")
        except OSError as err:
            return None, str(err)
