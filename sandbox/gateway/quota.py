"""Connect Gateway's cost: a round trip per call and a per-fleet request quota.

The quota is documented per project and minute (Connect Gateway quotas: "Requests per
minute per project", https://cloud.google.com/kubernetes-engine/enterprise/multicluster-management/gateway/quotas);
over it the gateway answers 429 RESOURCE_EXHAUSTED. The sandbox counts requests in a sliding
minute on its injectable clock and says in `Retry-After` when a slot frees. Whether the real
gateway sends `Retry-After` is not documented; the sandbox sends it so clients can honour it.
"""

from __future__ import annotations

import math
import time
from collections import deque

WINDOW_S = 60.0


def admit(calls: deque[float], limit: int, now: float) -> int:
    """0 when the call may go on, else the seconds to wait (Retry-After).

    `calls` are the times of one project's calls in the last minute, which each fleet keeps;
    the caller holds the store's lock. A limit of 0 admits every call.
    """
    while calls and calls[0] <= now - WINDOW_S:
        calls.popleft()
    if limit and len(calls) >= limit:
        return max(1, math.ceil(calls[0] + WINDOW_S - now))
    calls.append(now)
    return 0


def add_latency(latency_ms: float) -> None:
    if latency_ms > 0:
        time.sleep(latency_ms / 1000)  # the round trip itself: real time, on purpose
