"""A deterministic scheduler for interleavings, in the manner of loom and FoundationDB's
simulation: each worker runs in a greenlet and hands control back before every adapter call,
so one schedule is the sequence of choices "which worker takes its next step".

`explore` walks the tree of schedules depth-first, replaying the prefix of each branch in a
fresh world, until it has seen every schedule or `limit` of them; `sample` draws schedules
at random from a seed. Both return how many whole schedules ran; an invariant that fails
raises with the schedule that broke it, so the failure can be replayed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from greenlet import greenlet

Choice = Callable[[int], int]  # number of runnable workers -> index of the one that steps


@dataclass
class Scheduler:
    """Runs worker functions step by step; `point()` is called inside a worker before a step."""

    steps: int = 0
    waiting: set[int] = field(default_factory=set)
    _threads: list[greenlet] = field(default_factory=list)
    _current: int = -1

    def point(self) -> None:
        """Hand control back to the scheduler: the caller's next action is one step."""
        if self._current >= 0:
            self._threads[self._current].parent.switch()

    def wait(self) -> None:
        """The current worker has nothing to do until `can_wake` says so."""
        index = self._current
        self.waiting.add(index)
        self.point()
        self.waiting.discard(index)

    def run(
        self,
        workers: Sequence[Callable[[], None]],
        choose: Choice,
        can_wake: Callable[[], bool],
    ) -> None:
        self._threads = [greenlet(work) for work in workers]
        for index, thread in enumerate(self._threads):
            self._switch(index, thread)  # up to its first step
        while True:
            runnable = [
                i
                for i, t in enumerate(self._threads)
                if not t.dead and (i not in self.waiting or can_wake())
            ]
            if not runnable:
                break
            index = runnable[choose(len(runnable))]
            self.steps += 1
            self._switch(index, self._threads[index])
        for thread in self._threads:
            if not thread.dead:
                thread.throw()  # GreenletExit: ends a worker still waiting

    def _switch(self, index: int, thread: greenlet) -> None:
        self._current = index
        thread.switch()
        self._current = -1


RunOne = Callable[[Choice], None]  # runs one whole schedule, asking `choice` at each step


def explore(run_one: RunOne, limit: int) -> tuple[int, bool]:
    """Depth-first over schedules; (schedules run, True if every schedule was run)."""
    stack: list[tuple[int, ...]] = [()]
    count = 0
    while stack and count < limit:
        prefix = stack.pop()
        trace: list[tuple[int, int]] = []

        def choose(options: int, prefix: tuple[int, ...] = prefix, trace=trace) -> int:
            depth = len(trace)
            pick = prefix[depth] if depth < len(prefix) else 0
            trace.append((pick, options))
            return pick

        try:
            run_one(choose)
        except AssertionError as err:
            raise AssertionError(f"schedule {[c for c, _ in trace]}: {err}") from err
        count += 1
        taken = tuple(c for c, _ in trace)
        for depth in range(len(trace) - 1, len(prefix) - 1, -1):
            for alternative in range(trace[depth][1] - 1, 0, -1):
                stack.append((*taken[:depth], alternative))
    return count, not stack


def sample(run_one: RunOne, count: int, seed: int) -> int:
    """`count` schedules drawn at random; the seed makes every run of the test the same."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible schedule, not a secret
    for number in range(count):
        trace: list[int] = []

        def choose(options: int, trace=trace) -> int:
            trace.append(rng.randrange(options))
            return trace[-1]

        try:
            run_one(choose)
        except AssertionError as err:
            raise AssertionError(f"seed {seed}, schedule {number} {trace}: {err}") from err
    return count
