"""The control API's behaviour knobs: `/sandbox/operations`, `/sandbox/gateway`,
`/sandbox/kubernetes`, `/sandbox/hub` and `/sandbox/eventarc`.

Each POST sets some fields and answers with all of them; GET only answers. The values the
sandbox was started with (`fleet-sandbox --operation-delay-s ...`) come back on reset.
"""

from __future__ import annotations

from typing import Any

from sandbox.events.eventarc import Eventarc
from sandbox.state.store import Store

# area -> field in the request -> (object, attribute, type, lowest, highest)
_NUMBER = (int, float)
AREAS: dict[str, dict[str, tuple[str, str, type | tuple[type, ...], float, float]]] = {
    "operations": {
        "delay_s": ("behaviour", "operation_delay_s", _NUMBER, 0, 3600),
        "fail_next": ("store", "operations_to_fail", int, 0, 10**6),
    },
    "gateway": {
        "latency_ms": ("behaviour", "gateway_latency_ms", _NUMBER, 0, 60_000),
        "quota_rpm": ("behaviour", "gateway_quota_rpm", int, 0, 10**9),
    },
    "kubernetes": {
        "continue_ttl_s": ("lists", "continue_ttl_s", _NUMBER, 0, 10**7),
        "expire_next": ("lists", "expire_next", int, 0, 10**6),
    },
    "hub": {"allow_anonymous": ("behaviour", "hub_allow_anonymous", bool, 0, 1)},
    "eventarc": {
        "time_scale": ("eventarc", "time_scale", _NUMBER, 1e-6, 1000),
        "shuffle": ("eventarc", "shuffle", bool, 0, 1),
        "duplicates": ("eventarc", "duplicates", bool, 0, 1),
        "seed": ("eventarc", "seed", int, 0, 2**32),
    },
}


class TuningError(ValueError):
    pass


def tune(store: Store, eventarc: Eventarc, area: str, body: dict[str, Any] | None) -> Any:
    """Apply `body` to `area` (all fields checked first) and answer with every field."""
    fields = AREAS[area]
    targets = {
        "behaviour": store.behaviour,
        "store": store,
        "lists": store.list_policy,
        "eventarc": eventarc,
    }
    with store.lock:
        for key, value in (body or {}).items():
            if key not in fields:
                raise TuningError(f"unknown field {key!r}; expected one of {sorted(fields)}")
            _, _, kind, low, high = fields[key]
            is_bool = isinstance(value, bool)
            if (kind is bool) != is_bool or not isinstance(value, kind):
                raise TuningError(f"{key} must be of type {getattr(kind, '__name__', 'number')}")
            if not is_bool and not low <= value <= high:
                raise TuningError(f"{key} must be between {low} and {high}")
        for key, value in (body or {}).items():
            target, attribute, *_ = fields[key]
            setattr(targets[target], attribute, value)
        # Waits already scheduled keep their time; the delivery thread re-reads its queue.
        if area == "eventarc":
            eventarc.wake()
        return {
            key: getattr(targets[target], attribute)
            for key, (target, attribute, *_) in fields.items()
        }
