"""What the bench keeps of a run besides its totals, so pictures can be redrawn from
results.json alone: counts per time window, the busiest minute as the gateway's quota
counts it, and the median of repeated runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

WINDOW_S = 10.0
RUNS = ("first_sync", "steady_state", "churn_10pct")  # each resync size measures these


def per_window(
    times: Sequence[float], start: float, end: float, window_s: float = WINDOW_S
) -> list[int]:
    """How many of `times` fall in each [start + k * window_s, start + (k + 1) * window_s)
    up to `end`; a time outside [start, end] is not counted."""
    windows = max(1, int((end - start) // window_s) + 1)
    counts = [0] * windows
    for at in times:
        k = int((at - start) // window_s)
        if 0 <= k < windows and at <= end:
            counts[k] += 1
    return counts


def median_run(runs: Sequence[dict[str, Any]], key: str = "wall_s") -> dict[str, Any]:
    """The median of `runs` by `key` (the lower one of an even count), with every run's
    `key` beside it: the median run's other figures stay those of one real run."""
    ordered = sorted(runs, key=lambda run: float(run[key]))
    chosen = ordered[(len(ordered) - 1) // 2]
    return {**chosen, f"{key}_runs": [run[key] for run in runs]}


def busiest_minute(arrivals: Sequence[float]) -> int:
    """The most arrivals in any [t, t + 60), as the gateway's per-minute quota counts."""
    ordered = sorted(arrivals)
    return max((sum(1 for u in ordered if t <= u < t + 60) for t in ordered), default=0)


def trailing(times: Sequence[float], ends: Sequence[float], span_s: float = 60.0) -> list[int]:
    """For each of `ends`, how many of `times` fall in (end - span_s, end]: what a per-minute
    quota has counted at that moment."""
    return [sum(1 for at in times if end - span_s < at <= end) for end in ends]


def timeline(
    times: Sequence[float], refused: Sequence[float], start: float, end: float
) -> dict[str, Any]:
    """Writes and refusals (429) per window from `start`, and the writes of the trailing
    minute at each window's end: the paced first sync's picture."""
    writes = per_window(times, start, end)
    ends = [start + (k + 1) * WINDOW_S for k in range(len(writes))]
    return {
        "window_s": WINDOW_S,
        "writes": writes,
        "too_many_requests": per_window(refused, start, end),
        "writes_in_trailing_60s": trailing(times, ends),
    }
