"""Render bench results as the Markdown table in bench/RESULTS.md."""

from __future__ import annotations

from typing import Any

from bench.scale_report import scale_section

PLUGIN_CYCLES_PER_HOUR = 360  # fleet-argocd-plugin polls every 10 s


def plugin_calls_per_hour(n: int) -> int:
    """fleet-argocd-plugin per cycle: list memberships, scopes and bindings, a create attempt
    and an update for every membership, and one Secret list before pruning."""
    return PLUGIN_CYCLES_PER_HOUR * (3 + 2 * n + 1)


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown(results: dict[str, Any]) -> str:
    machine, targets = results["machine"], results["targets"]
    lines = [
        "# Benchmark results",
        "",
        f"Generated {results['generated']} by `make bench` on {machine['cpus']} CPUs "
        f"({machine['cpu']}), Python {machine['python']}, {machine['platform']}. "
        "API calls are counted from the sandbox's request log. Each function process answers "
        "one warm-up request first, so per-event and resync timings exclude importing the "
        "clients; the cold-start section measures that.",
        "",
        "## Per event",
        "",
        "| event | Hub reads | gateway reads | writes | total | target | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, row in results["events"].items():
        calls = row["calls"]
        limit = targets["calls_per_event"]
        ok = calls["total"] <= limit and (kind != "unchanged" or calls["writes"] == 0)
        lines.append(
            f"| {kind} | {calls['hub_reads']} | {calls['gateway_reads']} | "
            f"{calls['writes']} | {calls['total']} | {_mark(ok)} | "
            f"{row['latency_ms_p50']} | {row['latency_ms_p95']} |"
        )
    lines += [
        "",
        "## Resync",
        "",
        "| N | run | wall s | Hub reads | gateway reads | writes | lease calls | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results["resync"]:
        for run in ("first_sync", "steady_state", "churn_10pct"):
            data = row[run]
            calls = data["calls"]
            lines.append(
                f"| {row['n']} | {run.replace('_', ' ')} | {data['wall_s']} | "
                f"{calls['hub_reads']} | {calls['gateway_reads']} | {calls['writes']} | "
                f"{calls.get('lease_calls', 0)} | "
                f"{row['peak_rss_mib'] if run == 'churn_10pct' else ''} |"
            )
    lines += ["", "Targets:"]
    by_n = {row["n"]: row for row in results["resync"]}
    if 1000 in by_n:
        wall = by_n[1000]["first_sync"]["wall_s"]
        lines.append(
            f"- first sync of 1,000 under {targets['first_sync_1000_s']} s: {wall} s, "
            f"{_mark(wall < targets['first_sync_1000_s'])}"
        )
    if 5000 in by_n:
        rss = by_n[5000]["peak_rss_mib"]
        lines.append(
            f"- peak RSS at 5,000 under {targets['peak_rss_5000_mib']} MiB: {rss} MiB, "
            f"{_mark(rss < targets['peak_rss_5000_mib'])}"
        )
    steady_writes = sum(row["steady_state"]["calls"]["writes"] for row in results["resync"])
    lines.append(
        f"- steady state writes nothing: {steady_writes} writes, {_mark(steady_writes == 0)}"
    )
    if len(by_n) > 1:
        small, large = min(by_n), max(by_n)
        per_small = by_n[small]["first_sync"]["wall_s"] / small
        per_large = by_n[large]["first_sync"]["wall_s"] / large
        lines.append(
            f"- time per membership, first sync: {per_small * 1000:.2f} ms at N={small}, "
            f"{per_large * 1000:.2f} ms at N={large} (linear when these stay close)"
        )
    cold = results.get("cold_start")
    if cold:
        lines += [
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
            f"{targets['cold_start_ratio']}: {_mark(cold['ratio'] <= targets['cold_start_ratio'])}",
            f"- first event: {cold['first_event_over_floor']}x its floor, target "
            f"{targets['first_event_over_floor']}: "
            f"{_mark(cold['first_event_over_floor'] <= targets['first_event_over_floor'])} "
            f"({cold['ratio_first_event']}x hello world)",
            "",
            f"Medians of {cold['samples']} starts of each, interleaved.",
        ]
    lines += _paced(results.get("paced_sync") or {})
    lines += fleets_section(results.get("fleets") or {})
    lines += pubsub_section(results.get("pubsub") or {})
    lines += scale_section(results.get("scale") or {})
    lines += [
        "",
        "## Against fleet-argocd-plugin",
        "",
        "| N | fleet-argocd-plugin calls per hour (polling) | fleet-argocd-sync calls per hour "
        "(hourly resync, no change) |",
        "|---|---|---|",
    ]
    for row in results["resync"]:
        lines.append(
            f"| {row['n']} | {plugin_calls_per_hour(row['n']):,} | "
            f"{row['steady_state']['calls']['total']} |"
        )
    return "\n".join(lines) + "\n"


def _paced(paced: dict[str, Any]) -> list[str]:
    if not paced:
        return []
    budget, peak = paced["budget_per_minute"], paced["peak_writes_in_60s"]
    achieved = paced["writes"] / paced["wall_s"] * 60 if paced["wall_s"] else 0
    ok = peak <= budget and peak >= 0.9 * budget and paced["too_many_requests"] == 0
    return [
        "",
        "## First sync paced by the gateway budget",
        "",
        f"{paced['n']:,} memberships, Connect Gateway latency {paced['latency_ms']} ms a call, "
        f"quota 2,400 requests a minute, `GATEWAY_MAX_WRITES_PER_MINUTE={budget}`: "
        f"{paced['writes']:,} writes in {paced['wall_s']} s ({achieved:.0f} a minute over the "
        f"whole run); the busiest 60 s held {peak} writes ({paced['peak_share_of_budget']:.0%} "
        f"of the budget); {paced['too_many_requests']} answers 429; writes waited "
        f"{paced['paced_seconds']} s in all for the budget. Goal (at least 90% of the budget in "
        f"the busiest minute, never above it, no 429): {_mark(ok)}.",
    ]


def fleets_section(fleets: dict[str, Any]) -> list[str]:
    """The multi form: two fleets, two targets (one with tenancy, two scopes)."""
    if not fleets:
        return []
    lines = [
        "",
        "## Several fleets and targets",
        "",
        f"Two fleets of {fleets['memberships']} memberships in all, two Argo CD targets (one "
        "selecting env=prod, one taking everything with tenancy and `cluster_project` on), "
        "two scopes with two fleet namespaces each in both fleets.",
        "",
        "| run or event | Hub reads | gateway reads | writes | total | wall s |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in fleets.items():
        if name == "memberships":
            continue
        calls = row.get("calls", row)
        wall = row.get("wall_s", "")
        lines.append(
            f"| {name.replace('_', ' ')} | {calls['hub_reads']} | {calls['gateway_reads']} | "
            f"{calls['writes']} | {calls['total']} | {wall} |"
        )
    return lines


def pubsub_section(pubsub: dict[str, Any]) -> list[str]:
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
        "",
        f"A burst of {burst['registrations']} attached-cluster registrations with "
        f"`GATEWAY_MAX_WRITES_PER_MINUTE={burst['budget_per_minute']}`: "
        f"{burst['secrets_written']} Secrets written in {burst['wall_s']} s, {burst['lost']} "
        f"lost; {burst['entries_published']} entries published, "
        f"{burst['calls_per_event']} API calls per entry ({burst['calls']['writes']} writes). "
        f"Goal (nothing lost): {_mark(burst['lost'] == 0)}.",
    ]
