"""What the bench keeps of a run for its pictures: counts per window, the trailing minute,
and the median of repeated runs."""

from __future__ import annotations

from bench.series import median_run, per_window, timeline, trailing


def test_times_fall_in_half_open_windows_from_the_start():
    assert per_window([100.0, 109.9, 110.0, 125.0, 99.0, 126.0], 100.0, 125.0) == [2, 1, 1]


def test_a_run_shorter_than_a_window_has_one():
    assert per_window([], 5.0, 5.0) == [0]


def test_the_trailing_minute_is_what_a_quota_counted_then():
    times = [1.0, 30.0, 59.0, 61.0]
    assert trailing(times, [60.0, 90.0, 121.0]) == [3, 2, 0]


def test_the_median_run_keeps_its_own_figures_and_every_runs_time():
    runs = [{"wall_s": 3.0, "x": "c"}, {"wall_s": 1.0, "x": "a"}, {"wall_s": 2.0, "x": "b"}]
    assert median_run(runs) == {"wall_s": 2.0, "x": "b", "wall_s_runs": [3.0, 1.0, 2.0]}
    # An even count takes the lower middle run: a real run, never an average of two.
    assert median_run([*runs, {"wall_s": 4.0, "x": "d"}])["x"] == "b"


def test_a_timeline_puts_refusals_beside_the_writes():
    line = timeline([0.0, 1.0, 12.0], [11.0], 0.0, 12.0)
    assert line == {
        "window_s": 10.0,
        "writes": [2, 1],
        "too_many_requests": [0, 1],
        "writes_in_trailing_60s": [2, 3],
    }
