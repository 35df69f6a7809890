"""A budget of writes per minute through Connect Gateway, shared by every thread of a run.

The gateway's request quota is per fleet project and shared with all of Argo CD's own
traffic, so our writes keep to a budget (GATEWAY_MAX_WRITES_PER_MINUTE, a quarter of the
documented 2,400 by default): never more than that many in any 60 seconds. Bursts up to
the budget go at once; past it a write waits for the oldest of the window to age out.
Clock and sleep are injected so tests move time instead of waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 60.0


class WriteBudget:
    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute = per_minute  # 0: no budget
        self._clock, self._sleep = clock, sleep
        self._granted: deque[float] = deque()  # when each write of the window was let through
        self._lock = threading.Lock()
        self.waited_s = 0.0  # time writes spent waiting for the budget, all threads added up

    def acquire(self) -> None:
        """Wait, if need be, until one more write keeps within the budget; then take it."""
        if self.per_minute <= 0:
            return
        while True:
            with self._lock:
                now = self._clock()
                while self._granted and self._granted[0] <= now - WINDOW_S:
                    self._granted.popleft()
                if len(self._granted) < self.per_minute:
                    self._granted.append(now)
                    return
                wait = self._granted[0] + WINDOW_S - now
                self.waited_s += wait
            self._sleep(wait)
