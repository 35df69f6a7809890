"""The two kinds of failure the sync distinguishes, and the one bounded retry every adapter uses.

Callers decide what each kind means for HTTP; only `main.py` turns them into status codes.
"""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class SyncError(Exception):
    """Base for everything this package raises."""


class RetryableError(SyncError):
    """Trying again may work: 429, 5xx, timeouts, unreachable locations, a disconnected gateway."""


class PermanentError(SyncError):
    """Trying again will not help: bad settings, malformed names or events."""


class ConflictError(RetryableError):
    """Someone changed the Secret between our read and our write; read again and re-plan."""


class AccessError(RetryableError):
    """401/403 that a fresh token did not cure: a missing IAM grant or RBAC rule.

    Retryable because grants and RBAC take minutes to propagate after a first deploy; the
    message names what is missing, and callers log it at ERROR.
    """


def with_backoff(
    call: Callable[[], T],
    *,
    attempts: int = 3,
    first_delay_s: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`, retrying RetryableError a bounded number of times with doubling delays.

    A ConflictError is not retried here: the same conditional write would fail again; the
    caller must read again first. Nor is an AccessError: a grant does not appear in a second.
    """
    for attempt in range(attempts - 1):
        try:
            return call()
        except (ConflictError, AccessError):
            raise
        except RetryableError:
            sleep(first_delay_s * 2**attempt)
    return call()
