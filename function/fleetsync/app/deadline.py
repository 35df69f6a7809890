"""When a resync stops starting writes, so it answers before the function's timeout.

Cloud Run ends a request at its timeout, mid-write, and Cloud Scheduler retries an attempt it
saw fail. A resync instead checks this deadline before each write (and before each target and
fleet): past it, what is left is reported, not started, and the answer asks for a retry, which
carries on from there, since a resync writes only what still differs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Deadline:
    at: float  # on `clock`; inf: none
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """`seconds` from now; 0 is no deadline."""
        return cls(clock() + seconds if seconds > 0 else float("inf"), clock)

    def passed(self) -> bool:
        return self.clock() >= self.at


NONE = Deadline(float("inf"))
