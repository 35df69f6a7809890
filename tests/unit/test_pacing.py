"""The write budget: never more than N writes in any 60 seconds as the gateway counts them
(when each arrives), bursts up to N at once, whatever the writes' latency and however many
instances keep an equal share of it."""

import threading

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.series import busiest_minute
from fleetsync.adapters.pacing import WriteBudget
from tests.faketime import FakeTime


def gateway_arrivals(share: int, latencies: list[tuple[float, float]], start: float) -> list[float]:
    """One instance sending writes one after another; each spends `before` seconds on the way
    to the gateway and `after` on the way back. Returns when the gateway saw each."""
    time = FakeTime(start)
    pacer = WriteBudget(share, clock=time.clock, sleep=time.sleep)
    seen = []
    for before, after in latencies:
        with pacer.slot():
            time.sleep(before)
            seen.append(time.now)
            time.sleep(after)
    return seen


@pytest.mark.parametrize(("budget", "writes"), [(10, 35), (1, 4), (600, 1000)])
def test_never_more_than_the_budget_in_any_minute(budget, writes):
    time = FakeTime()
    pacer = WriteBudget(budget, clock=time.clock, sleep=time.sleep)
    granted = []
    for _ in range(writes):
        with pacer.slot():
            granted.append(time.now)
    assert busiest_minute(granted) <= budget
    # and no slower than that: the n-th write goes as soon as the budget allows
    assert granted[-1] - granted[0] == pytest.approx(60 * ((writes - 1) // budget))
    assert pacer.waited_s == pytest.approx(sum(time.slept))


latency = st.tuples(st.floats(0, 30), st.floats(0, 30))


@settings(max_examples=300, deadline=None)
@given(
    share=st.integers(1, 5),
    instances=st.lists(st.lists(latency, max_size=25), min_size=1, max_size=4),
    starts=st.lists(st.floats(0, 120), min_size=4, max_size=4),
)
# A slow first write and fast ones after: counted from when it was let through, the second
# minute's first write would reach the gateway within 60 s of the first.
@example(share=2, instances=[[(10, 0), (0, 0), (0, 0)]], starts=[0, 0, 0, 0])
def test_the_gateway_never_sees_more_than_the_shares_in_a_minute(share, instances, starts):
    # Instances share nothing but the gateway, so each runs on its own clock from its own
    # start and the gateway's log is the union of what they sent.
    arrivals = []
    for latencies, start in zip(instances, starts, strict=False):
        seen = gateway_arrivals(share, latencies, 1000 + start)
        assert busiest_minute(seen) <= share
        arrivals += seen
    assert busiest_minute(arrivals) <= share * len(instances)


def test_a_write_still_being_sent_holds_its_place():
    """Threads of one run: with every place held by a write not yet answered, the next
    waits for an answer, then for that answer to age out of the window."""
    time = FakeTime()
    pacer = WriteBudget(1, clock=time.clock, sleep=time.sleep)
    sending, answered, second = threading.Event(), threading.Event(), []

    def first() -> None:
        with pacer.slot():
            sending.set()
            answered.wait()
            time.now += 5  # the answer comes 5 s after the write was let through

    thread = threading.Thread(target=first)
    thread.start()
    sending.wait()
    waiting = threading.Thread(target=lambda: pacer.slot().__enter__() or second.append(time.now))
    waiting.start()
    answered.set()
    thread.join(timeout=30)
    waiting.join(timeout=30)  # a lost wake-up fails here rather than hanging the suite
    assert not waiting.is_alive()
    assert second == [1000 + 5 + 60]


def test_a_burst_within_the_budget_does_not_wait():
    time = FakeTime()
    pacer = WriteBudget(600, clock=time.clock, sleep=time.sleep)
    for _ in range(600):
        with pacer.slot():
            pass
    assert time.slept == [] and pacer.waited_s == 0


def test_zero_means_no_budget():
    time = FakeTime()
    pacer = WriteBudget(0, clock=time.clock, sleep=time.sleep)
    for _ in range(10_000):
        with pacer.slot():
            pass
    assert time.slept == []
