"""A budget of writes per minute through Connect Gateway, shared by every thread of a run.

The gateway's request quota is per fleet project and shared with all of Argo CD's own
traffic, so our writes keep to a budget (GATEWAY_MAX_WRITES_PER_MINUTE, a quarter of the
documented 2,400 by default): never more than that many in any 60 seconds, as the gateway
counts them. Bursts up to the budget go at once; past it a write waits.

A write holds its place in the budget from before it is sent until 60 s after its answer,
not after it was let through: the gateway counts a request when it arrives, somewhere
between the two, and a slow write counted from its start could share a gateway minute
with one sent 60 s later. Held to its answer, any two writes the gateway sees within 60 s
were both held when the later one was let through. Clock and sleep are injected so tests
move time instead of waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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
        self._sending = 0  # writes let through and not yet answered
        self._answered: deque[float] = deque()  # when each answered write of the window ended
        self._changed = threading.Condition()
        self.waited_s = 0.0  # time writes spent waiting for the budget, all threads added up

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait, if need be, until one more write keeps within the budget; hold its place
        while the body sends it and for 60 s after."""
        if self.per_minute <= 0:
            yield
            return
        self._take()
        try:
            yield
        finally:
            with self._changed:
                self._sending -= 1
                self._answered.append(self._clock())
                self._changed.notify()

    def _take(self) -> None:
        while True:
            with self._changed:
                now = self._clock()
                while self._answered and self._answered[0] + WINDOW_S <= now:
                    self._answered.popleft()
                if self._sending + len(self._answered) < self.per_minute:
                    self._sending += 1
                    return
                if not self._answered:  # every place is a write still being sent
                    self._changed.wait()
                    self.waited_s += self._clock() - now
                    continue
                wait = self._answered[0] + WINDOW_S - now
                self.waited_s += wait
            self._sleep(wait)
