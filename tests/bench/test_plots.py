"""The bench's pictures are drawn from results.json alone, each with its title, axes, target
and caption, and RESULTS.md embeds exactly the pictures drawn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.plots import PICTURES, draw, write_all
from bench.report import markdown
from bench.run import TARGETS

ROOT = Path(__file__).resolve().parents[2]


def _calls(hub: int, gateway: int, writes: int) -> dict[str, int]:
    return {
        "hub_reads": hub,
        "gateway_reads": gateway,
        "writes": writes,
        "lease_calls": 0,
        "total": hub + gateway + writes,
    }


def _events(writes: int) -> dict[str, Any]:
    kinds = ("create", "update", "delete", "unchanged", "unrelated")
    return {
        kind: {
            "calls": _calls(4, 1, writes),
            "latency_ms_p50": 20.0,
            "latency_ms_p95": 25.0,
            "samples": 3,
        }
        for kind in kinds
    }


def _resync(n: int, wall: float, fleets: int) -> dict[str, Any]:
    run = {
        "wall_s": wall,
        "wall_s_runs": [wall, wall + 1],
        "calls": _calls(2, 1, 0),
        "writes_runs": [0, 0],
        "created": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": n,
    }
    return {
        "n": n,
        "fleets": fleets,
        "repeats": 2,
        "first_sync": run,
        "steady_state": run,
        "churn_10pct": run,
        "peak_rss_mib": 100.0 + n / 100,
        "peak_rss_mib_runs": [1.0],
    }


def results() -> dict[str, Any]:
    timeline = {
        "window_s": 10.0,
        "writes": [100, 100, 100, 0],
        "too_many_requests": [0, 2, 0, 0],
        "writes_in_trailing_60s": [100, 200, 300, 300],
    }
    return {
        "machine": {"cpus": 2, "cpu": "Test CPU", "python": "3.11", "platform": "Linux"},
        "commit": "abc1234",
        "generated": "2026-12-04T00:00:00Z",
        "targets": TARGETS,
        "events": _events(1),
        "events_tenancy": _events(2),
        "resync": [_resync(100, 0.5, 1), _resync(10000, 14.0, 4)],
        "paced_sync": {
            "n": 300,
            "latency_ms": 100,
            "budget_per_minute": 600,
            "wall_s": 31.0,
            "wall_s_runs": [31.0],
            "writes": 300,
            "too_many_requests": 2,
            "too_many_requests_runs": [2],
            "peak_writes_in_60s": 300,
            "paced_seconds": 1.0,
            "timeline": timeline,
        },
        "pubsub": {
            "latency": {
                "changes": 3,
                "missing": 0,
                "latency_ms_p50": 80.0,
                "latency_ms_p95": 95.0,
                "samples_ms": [70.0, 80.0, 95.0],
            },
            "burst": {
                "registrations": 2,
                "secrets_written": 2,
                "lost": 0,
                "entries_published": 4,
                "wall_s": 1.0,
                "calls_per_event": 3.0,
                "calls": {"writes": 2},
                "budget_per_minute": 600,
            },
        },
    }


def test_every_picture_has_its_title_axes_target_and_caption(tmp_path):
    drawn = draw(results(), tmp_path)
    assert set(drawn) == set(PICTURES)
    expected = {
        "paced": [
            "Paced first sync of 300 clusters",
            "gateway writes (count)",
            "budget: 600 writes a minute",
            "429 answers per 10 s (2 in all)",
        ],
        "resync": [
            "Resync wall time (median of 2 runs)",
            "wall time (s)",
            "peak RSS (MiB)",
            "target, first sync",
            "10,000",
        ],
        "events": [
            "API calls per audit-log event",
            "API calls per event (count)",
            "target, single form: 6",
            "writes, tenancy on",
        ],
        "pubsub": ["From a fleet change to its Secret", "changes (count)", "p95: 95.0 ms"],
    }
    for section, words in expected.items():
        svg = (tmp_path / drawn[section]).read_text()
        for word in [*words, "commit abc1234", "2026-12-04T00:00:00Z", "Test CPU"]:
            assert word in svg, (section, word)


def test_the_same_results_draw_the_same_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for name in ("a", "b"):
        draw(results(), tmp_path / name)
    for _, (file, _, _) in PICTURES.items():
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_results_without_a_series_draw_nothing_for_it_and_embed_nothing(tmp_path):
    partial = results()
    partial["pubsub"] = {"skipped": "the Pub/Sub emulator is not installed"}
    del partial["paced_sync"]["timeline"]
    (tmp_path / "results.json").write_text(json.dumps(partial))
    text = write_all(tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == [
        "calls-per-event.svg",
        "resync-scaling.svg",
    ]
    assert "](calls-per-event.svg)" in text and "](resync-scaling.svg)" in text
    assert ".svg)" not in text.replace("](calls-per-event.svg)", "").replace(
        "](resync-scaling.svg)", ""
    )
    assert (tmp_path / "RESULTS.md").read_text() == text


def test_the_committed_page_is_what_its_results_render():
    """bench/RESULTS.md and its pictures come from bench/results.json (make bench-plots)."""
    bench = ROOT / "bench"
    committed = json.loads((bench / "results.json").read_text())
    drawn = {s: file for s, (file, _, holds) in PICTURES.items() if holds(committed)}
    assert (bench / "RESULTS.md").read_text() == markdown(committed, drawn)
    for file in drawn.values():
        assert f"commit {committed.get('commit', 'unknown')}" in (bench / file).read_text()
