"""RESULTS.md's sections for the runs measured on their own: cold start, the paced first
sync and events through Pub/Sub. `picture` is the file drawn for a section, if any."""

from __future__ import annotations

from typing import Any


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def runs(count: int) -> str:
    return f"{count} run" + ("" if count == 1 else "s")


def image(picture: str | None, alt: str) -> list[str]:
    return ["", f"![{alt}]({picture})"] if picture else []


def cold_start_section(cold: dict[str, Any], targets: dict[str, Any]) -> list[str]:
    if not cold:
        return []
    return [
        "",
        "## Cold start",
        "",
        "| process | start to first answer s |",
        "|---|---|",
        f"| bare functions-framework hello world | {cold['hello_world_s']} |",
        f"| floor: hello world importing the first event's clients (GKE Hub, Kubernetes, "
        f"google-auth's transport, the logging handler, CloudEvents) | {cold['floor_s']} |",
        f"| fleet_sync, first request (`/healthz`) | {cold['function_first_request_s']} |",
        f"| fleet_sync, first audit-log event (imports the clients, reads Hub, writes) | "
        f"{cold['function_first_event_s']} |",
        "",
        f"- first request: {cold['ratio']}x hello world, target "
        f"{targets['cold_start_ratio']}: {mark(cold['ratio'] <= targets['cold_start_ratio'])}",
        f"- first event: {cold['first_event_over_floor']}x its floor, target "
        f"{targets['first_event_over_floor']}: "
        f"{mark(cold['first_event_over_floor'] <= targets['first_event_over_floor'])} "
        f"({cold['ratio_first_event']}x hello world)",
        "",
        f"Medians of {cold['samples']} starts of each, interleaved.",
    ]


def paced_section(paced: dict[str, Any], picture: str | None = None) -> list[str]:
    if not paced:
        return []
    budget = paced["budget_per_minute"]
    # Judged on every run: the busiest minute of any, and every 429 of all of them.
    peak = max(paced.get("peak_writes_in_60s_runs", [paced["peak_writes_in_60s"]]))
    refused = sum(paced.get("too_many_requests_runs", [paced["too_many_requests"]]))
    times = paced.get("wall_s_runs", [paced["wall_s"]])
    achieved = paced["writes"] / paced["wall_s"] * 60 if paced["wall_s"] else 0
    ok = budget >= peak >= 0.9 * budget and refused == 0
    return [
        "",
        "## First sync paced by the gateway budget",
        "",
        f"{paced['n']:,} memberships, Connect Gateway latency {paced['latency_ms']} ms a call, "
        f"quota 2,400 requests a minute, `GATEWAY_MAX_WRITES_PER_MINUTE={budget}`: "
        f"{paced['writes']:,} writes in {paced['wall_s']} s ({achieved:.0f} a minute over the "
        f"whole run; the median of {runs(len(times))}: {', '.join(map(str, times))} s); the "
        f"busiest 60 s of any run held {peak} writes ({peak / budget:.0%} of the budget); "
        f"{refused} answers 429 in all; writes waited {paced['paced_seconds']} s in all for "
        "the budget in the median run. Goal (at least 90% of the budget in the busiest "
        f"minute, never above it, no 429): {mark(ok)}.",
        *image(picture, "Gateway writes per 10 s and in the trailing minute, against the budget"),
    ]


def pubsub_section(pubsub: dict[str, Any], picture: str | None = None) -> list[str]:
    """Events through the Cloud Logging sink, the Pub/Sub emulator and a push subscription."""
    if not pubsub:
        return []
    lines = ["", "## Through Pub/Sub", ""]
    if "skipped" in pubsub:
        return [*lines, f"Skipped: {pubsub['skipped']}."]
    latency, burst = pubsub["latency"], pubsub["burst"]
    return [
        *lines,
        f"From a membership's creation to its Secret, sink to emulator topic to push: "
        f"p50 {latency['latency_ms_p50']} ms, p95 {latency['latency_ms_p95']} ms over "
        f"{latency['changes']} changes ({latency['missing']} never arrived).",
        *image(picture, "Distribution of the time from a fleet change to its Secret"),
        "",
        f"A burst of {burst['registrations']} attached-cluster registrations with "
        f"`GATEWAY_MAX_WRITES_PER_MINUTE={burst['budget_per_minute']}`: "
        f"{burst['secrets_written']} Secrets written in {burst['wall_s']} s, {burst['lost']} "
        f"lost; {burst['entries_published']} entries published, "
        f"{burst['calls_per_event']} API calls per entry ({burst['calls']['writes']} writes). "
        f"Goal (nothing lost): {mark(burst['lost'] == 0)}.",
    ]
