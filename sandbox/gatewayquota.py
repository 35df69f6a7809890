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
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the store owns the quota: import its type for annotations only
    from sandbox.store import Store

WINDOW_S = 60.0


class GatewayQuota:
    def __init__(self) -> None:
        self.calls: deque[float] = deque()

    def admit(self, store: Store) -> int:
        """0 when the call may go on, else the seconds to wait (Retry-After)."""
        limit = store.behaviour.gateway_quota_rpm
        with store.lock:
            now = store.now_s()
            while self.calls and self.calls[0] <= now - WINDOW_S:
                self.calls.popleft()
            if limit and len(self.calls) >= limit:
                return max(1, math.ceil(self.calls[0] + WINDOW_S - now))
            self.calls.append(now)
            return 0


def add_latency(store: Store) -> None:
    latency_ms = store.behaviour.gateway_latency_ms
    if latency_ms > 0:
        time.sleep(latency_ms / 1000)  # the round trip itself: real time, on purpose
