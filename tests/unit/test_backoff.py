"""The one in-place retry every adapter uses: bounded, doubling, Retry-After honoured."""

import pytest

from fleetsync.core.errors import (
    AccessError,
    Backoff,
    ConflictError,
    PermanentError,
    RetryableError,
    with_backoff,
)


def failing(*errors: Exception):
    pending = list(errors)

    def call() -> str:
        if pending:
            raise pending.pop(0)
        return "done"

    return call


def test_retries_double_then_the_last_failure_is_raised():
    slept: list[float] = []
    call = failing(*[RetryableError("503")] * 4)
    with pytest.raises(RetryableError):
        with_backoff(call, Backoff(attempts=4, first_delay_s=0.5), sleep=slept.append)
    assert slept == [0.5, 1.0, 2.0]


def test_retry_after_is_honoured_up_to_a_minute():
    slept: list[float] = []
    call = failing(
        RetryableError("429", retry_after_s=7), RetryableError("429", retry_after_s=3600)
    )
    assert with_backoff(call, Backoff(attempts=3), sleep=slept.append) == "done"
    assert slept == [7, 60.0]


@pytest.mark.parametrize("error", [ConflictError("409"), AccessError("403"), PermanentError("400")])
def test_what_a_retry_in_place_cannot_cure_is_raised_at_once(error):
    slept: list[float] = []
    with pytest.raises(type(error)):
        with_backoff(failing(error), sleep=slept.append)
    assert slept == []
