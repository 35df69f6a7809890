"""Time that tests move instead of waiting for: a clock and a sleep that advances it."""

from __future__ import annotations


class FakeTime:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
