"""Faults injected into the emulated APIs through `POST /sandbox/faults`.

A fault answers the next `count` matching requests with a status, a delay, unreachable
locations, a body of its own, or holds them until `POST /sandbox/faults/release`. The store
keeps the list; the server applies a fault before routing a request.

A `body` fault answers with exactly that text (as `content_type`, and `status`, 200 unless
given) instead of the API's answer: what a proxy's HTML page, a truncated or otherwise broken
answer looks like to a client. Its own status answers in Google's format (`google.conventions`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Response

from sandbox.google.conventions import error_response


@dataclass
class Fault:
    match: str = ""
    method: str = ""
    status: int = 0
    delay_s: float = 0.0
    unreachable: list[str] = field(default_factory=list)
    count: int = 1
    # A held request waits until `POST /sandbox/faults/release`: tests use it to put another
    # worker's actions exactly between two reads, with no timing involved.
    hold: bool = False
    waiting: int = 0  # requests in wait_for_release, released or not, until their thread wakes
    released: threading.Event = field(default_factory=threading.Event, repr=False)
    body: str | None = None  # the answer's text, as is
    content_type: str = "application/json"

    @property
    def held(self) -> int:
        """Requests held now. A released request is held no longer, though its thread may
        not have woken yet: a test that releases one read and waits for the next held one
        must not count the first again."""
        return 0 if self.released.is_set() else self.waiting

    def to_json(self) -> dict[str, Any]:
        fields = ("match", "method", "status", "delay_s", "unreachable", "count", "hold", "held")
        answer = {name: getattr(self, name) for name in fields}
        if self.body is not None:
            answer.update(body=self.body, content_type=self.content_type)
        return answer

    def response(self, path: str) -> Response:
        """What a fault with a status or a body answers instead of the API."""
        if self.body is not None:
            return Response(self.body, status=self.status or 200, content_type=self.content_type)
        return error_response(self.status, f"injected fault on {path}")

    def wait_for_release(self, timeout_s: float = 120.0) -> None:
        self.waiting += 1
        try:
            self.released.wait(timeout_s)
        finally:
            self.waiting -= 1
