"""The write budget: never more than N writes in any 60 seconds, bursts up to N at once."""

import pytest

from fleetsync.adapters.pacing import WriteBudget
from tests.faketime import FakeTime


@pytest.mark.parametrize(("budget", "writes"), [(10, 35), (1, 4), (600, 1000)])
def test_never_more_than_the_budget_in_any_minute(budget, writes):
    time = FakeTime()
    pacer = WriteBudget(budget, clock=time.clock, sleep=time.sleep)
    granted = []
    for _ in range(writes):
        pacer.acquire()
        granted.append(time.now)
    for i, start in enumerate(granted):
        in_window = [t for t in granted[i:] if t < start + 60]
        assert len(in_window) <= budget
    # and no slower than that: the n-th write goes as soon as the budget allows
    assert granted[-1] - granted[0] == pytest.approx(60 * ((writes - 1) // budget))
    assert pacer.waited_s == pytest.approx(sum(time.slept))


def test_a_burst_within_the_budget_does_not_wait():
    time = FakeTime()
    pacer = WriteBudget(600, clock=time.clock, sleep=time.sleep)
    for _ in range(600):
        pacer.acquire()
    assert time.slept == [] and pacer.waited_s == 0


def test_zero_means_no_budget():
    time = FakeTime()
    pacer = WriteBudget(0, clock=time.clock, sleep=time.sleep)
    for _ in range(10_000):
        pacer.acquire()
    assert time.slept == []
