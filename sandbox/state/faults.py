"""Faults injected into the emulated APIs through `POST /sandbox/faults`.

A fault answers the next `count` matching requests with a status, a delay, unreachable
locations, or holds them until `POST /sandbox/faults/release`. The store keeps the list;
the server applies a fault before routing a request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


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
    held: int = 0  # requests waiting now
    released: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_json(self) -> dict[str, Any]:
        fields = ("match", "method", "status", "delay_s", "unreachable", "count", "hold")
        # A released request is held no longer, though its thread may not have woken yet: a
        # test that releases one read and waits for the next must not count it again.
        held = 0 if self.released.is_set() else self.held
        return {**{name: getattr(self, name) for name in fields}, "held": held}

    def wait_for_release(self, timeout_s: float = 120.0) -> None:
        self.held += 1
        try:
            self.released.wait(timeout_s)
        finally:
            self.held -= 1
