"""The Pub/Sub section of the benchmark report, skipped or measured."""

from __future__ import annotations

from bench.report_runs import pubsub_section


def test_a_skipped_scenario_says_why() -> None:
    assert pubsub_section({"skipped": "the Pub/Sub emulator is not installed"})[-1] == (
        "Skipped: the Pub/Sub emulator is not installed."
    )
    assert pubsub_section({}) == []


def test_a_measured_scenario_reports_latency_and_the_burst() -> None:
    text = "\n".join(
        pubsub_section(
            {
                "latency": {
                    "changes": 100, "missing": 0, "latency_ms_p50": 80.0, "latency_ms_p95": 150.0,
                },
                "burst": {
                    "registrations": 200, "secrets_written": 200, "lost": 0,
                    "entries_published": 400, "wall_s": 30.5, "calls_per_event": 3.1,
                    "calls": {"writes": 200}, "budget_per_minute": 600,
                },
            }
        )
    )  # fmt: skip
    assert "p50 80.0 ms, p95 150.0 ms over 100 changes" in text
    assert "200 Secrets written in 30.5 s, 0 lost" in text
