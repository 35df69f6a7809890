"""The two kinds of failure the sync distinguishes, and the one bounded retry every adapter uses.

Callers decide what each kind means for HTTP; only `main.py` turns them into status codes.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
# HTTP statuses a retry may cure, for every adapter: timeouts, throttling, server errors.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# 401/403 that a fresh token did not cure: a grant or an RBAC rule (see AccessError).
ACCESS_STATUSES = frozenset({401, 403})
# A Retry-After longer than this is not waited for in place: the caller retries later.
MAX_RETRY_AFTER_S = 60.0


class SyncError(Exception):
    """Base for everything this package raises."""


class RetryableError(SyncError):
    """Trying again may work: 429, 5xx, timeouts, unreachable locations, a disconnected gateway."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s  # what the server's Retry-After asked for


class PermanentError(SyncError):
    """Trying again will not help: bad settings, malformed names or events."""


class NotOursError(PermanentError):
    """A well-formed entry about something we do not serve: another method, or a project in
    no configured fleet. A folder or organisation sink sends such entries as a matter of
    course, so they are acknowledged and logged at INFO, not as errors."""


class ConflictError(RetryableError):
    """Someone changed the Secret between our read and our write; read again and re-plan."""


class AccessError(RetryableError):
    """401/403 that a fresh token did not cure: a missing IAM grant or RBAC rule.

    Retryable because grants and RBAC take minutes to propagate after a first deploy; the
    message names what is missing, and callers log it at ERROR.
    """


@dataclass(frozen=True)
class Backoff:
    """How an adapter retries in place: tries in all, and the first delay, which doubles."""

    attempts: int = 3
    first_delay_s: float = 0.2


def with_backoff(
    call: Callable[[], T],
    policy: Backoff = Backoff(),
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`, retrying RetryableError a bounded number of times with doubling delays,
    or as long as the server's Retry-After asked (up to a minute).

    A ConflictError is not retried here: the same conditional write would fail again; the
    caller must read again first. Nor is an AccessError: a grant does not appear in a second.
    """
    for attempt in range(policy.attempts - 1):
        try:
            return call()
        except (ConflictError, AccessError):
            raise
        except RetryableError as err:
            delay = policy.first_delay_s * 2**attempt
            if err.retry_after_s is not None:
                delay = min(max(err.retry_after_s, delay), MAX_RETRY_AFTER_S)
            sleep(delay)
    return call()
