"""How Eventarc retries a push, in real seconds, and the clock delivery runs on.

Eventarc Standard retries as its Pub/Sub subscription does
(https://cloud.google.com/eventarc/docs/retry-events): an event that is not acknowledged is
sent again after an exponential backoff that "starts at a minimum of 10 seconds and increases
with each subsequent failure, up to a maximum of 600 seconds", and Eventarc sets the message
retention to 24 hours, after which an undelivered event is discarded. The growth factor is not
documented; the sandbox doubles. The shuffle window and the duplicate rate are the sandbox's
own choices: nothing public bounds how far out of order or how often real deliveries come.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol

# Multiplies every delay below. 0.02 puts the first retry 0.2 s after a failure, as the
# sandbox has always retried, so suites and the demo keep their pace by default.
DEFAULT_TIME_SCALE = 0.02


@dataclass(frozen=True)
class RetryPolicy:
    minimum_backoff_s: float = 10.0
    maximum_backoff_s: float = 600.0
    retention_s: float = 24 * 3600.0
    shuffle_window_s: float = 10.0  # with shuffle, a new delivery waits up to this first
    duplicate_rate: float = 0.25  # with duplicates, this share of accepted pushes come again
    duplicate_window_s: float = 10.0  # ... within this long

    def backoff_s(self, failures: int) -> float:
        """The wait before the next attempt after `failures` failed ones, unscaled."""
        return min(self.maximum_backoff_s, self.minimum_backoff_s * 2.0 ** (failures - 1))


def time_scale_for(first_retry_s: float) -> float:
    """The time scale that puts the first retry `first_retry_s` after a failure."""
    return first_retry_s / RetryPolicy().minimum_backoff_s


class Clock(Protocol):
    """Where delivery reads the time and waits; tests pass a simulated one."""

    def now(self) -> float: ...

    def wait(self, condition: threading.Condition, timeout: float | None) -> None:
        """Wait on `condition` (held) for a notification or `timeout` seconds of this clock."""


class RealTime:
    def now(self) -> float:
        return time.monotonic()

    def wait(self, condition: threading.Condition, timeout: float | None) -> None:
        condition.wait(timeout)
