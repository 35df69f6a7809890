"""Render bench results as bench/RESULTS.md; report_runs and scale_report hold the
sections of the runs measured on their own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.report_runs import (
    cold_start_section,
    image,
    mark,
    paced_section,
    pubsub_section,
    runs,
)
from bench.scale_report import scale_section
from bench.series import RUNS

# Where the resync targets sit, for the page and the picture: (memberships, key in targets).
WALL_TARGETS = ((1000, "first_sync_1000_s"), (10000, "first_sync_10000_s"))
MEMORY_TARGETS = ((5000, "peak_rss_5000_mib"), (10000, "peak_rss_10000_mib"))

PLUGIN_CYCLES_PER_HOUR = 360  # fleet-argocd-plugin polls every 10 s


def plugin_calls_per_hour(n: int) -> int:
    """fleet-argocd-plugin per cycle: list memberships, scopes and bindings, a create attempt
    and an update for every membership, and one Secret list before pruning."""
    return PLUGIN_CYCLES_PER_HOUR * (3 + 2 * n + 1)


def markdown(results: dict[str, Any], pictures: Mapping[str, str] | None = None) -> str:
    """RESULTS.md; `pictures` names the file drawn for a section (bench.plots.PICTURES)."""
    machine, targets, drawn = results["machine"], results["targets"], pictures or {}
    lines = [
        "# Benchmark results",
        "",
        f"Generated {results['generated']} by `make bench` on {machine['cpus']} CPUs "
        f"({machine['cpu']}), Python {machine['python']}, {machine['platform']}, commit "
        f"{results.get('commit', 'unknown')}. API calls are counted from the sandbox's request "
        "log. Each function process answers one warm-up request first, so per-event and "
        "resync timings exclude importing the clients; the cold-start section measures that. "
        "`make bench-plots` redraws the pictures and this page from results.json alone.",
        "",
        "## Per event",
        "",
        *_events_table(results["events"], targets["calls_per_event"]),
    ]
    if results.get("events_tenancy"):
        lines += [
            "",
            "With tenancy on (one target, `tenancy` with `cluster_project`; each membership "
            "bound to a scope with a fleet namespace, so its AppProject follows it):",
            "",
            *_events_table(results["events_tenancy"], None),
        ]
    lines += image(drawn.get("events"), "API calls per event by kind")
    lines += _resync(results["resync"], targets)
    lines += image(drawn.get("resync"), "Resync wall time and peak memory against fleet size")
    lines += cold_start_section(results.get("cold_start") or {}, targets)
    lines += paced_section(results.get("paced_sync") or {}, drawn.get("paced"))
    lines += fleets_section(results.get("fleets") or {})
    lines += pubsub_section(results.get("pubsub") or {}, drawn.get("pubsub"))
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


def _events_table(events: dict[str, Any], limit: int | None) -> list[str]:
    """One row per kind of event; judged against `limit` calls where there is one."""
    lines = [
        "| event | Hub reads | gateway reads | writes | total | target | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, row in events.items():
        calls = row["calls"]
        ok = (limit is None or calls["total"] <= limit) and (
            kind != "unchanged" or calls["writes"] == 0
        )
        lines.append(
            f"| {kind} | {calls['hub_reads']} | {calls['gateway_reads']} | "
            f"{calls['writes']} | {calls['total']} | {mark(ok) if limit else '—'} | "
            f"{row['latency_ms_p50']} | {row['latency_ms_p95']} |"
        )
    return lines


def _resync(rows: list[dict[str, Any]], targets: dict[str, Any]) -> list[str]:
    repeats = max(row.get("repeats", 1) for row in rows)
    lines = [
        "",
        "## Resync",
        "",
        f"Each size from an empty Argo CD namespace, {runs(repeats)}: the median run's figures, "
        "every run's wall time, and the largest peak memory of the runs. Sizes of several "
        "fleets are one target listing every fleet, the memberships dealt out in turn.",
        "",
        "| N | fleets | run | wall s (median) | every run s | Hub reads | gateway reads | writes "
        "| lease calls | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for run in RUNS:
            data = row[run]
            calls = data["calls"]
            every = ", ".join(map(str, data.get("wall_s_runs", [data["wall_s"]])))
            lines.append(
                f"| {row['n']} | {row.get('fleets', 1)} | {run.replace('_', ' ')} | "
                f"{data['wall_s']} | {every} | {calls['hub_reads']} | "
                f"{calls['gateway_reads']} | {calls['writes']} | "
                f"{calls.get('lease_calls', 0)} | "
                f"{row['peak_rss_mib'] if run == 'churn_10pct' else ''} |"
            )
    lines += ["", "Targets:"]
    by_n = {row["n"]: row for row in rows}
    for n, key in WALL_TARGETS:
        if n in by_n and key in targets:
            wall = by_n[n]["first_sync"]["wall_s"]
            lines.append(
                f"- first sync of {n:,} within {targets[key]} s: {wall} s (median), "
                f"{mark(wall <= targets[key])}"
            )
    for n, key in MEMORY_TARGETS:
        if n in by_n and key in targets:
            rss = by_n[n]["peak_rss_mib"]
            lines.append(
                f"- peak RSS at {n:,} within {targets[key]} MiB: {rss} MiB (largest of the "
                f"runs), {mark(rss <= targets[key])}"
            )
    steady_writes = sum(
        sum(row["steady_state"].get("writes_runs", [row["steady_state"]["calls"]["writes"]]))
        for row in rows
    )
    lines.append(
        f"- steady state writes nothing: {steady_writes} writes in every run of every size, "
        f"{mark(steady_writes == 0)}"
    )
    if len(by_n) > 1:
        small, large = min(by_n), max(by_n)
        per_small = by_n[small]["first_sync"]["wall_s"] / small
        per_large = by_n[large]["first_sync"]["wall_s"] / large
        lines.append(
            f"- time per membership, first sync: {per_small * 1000:.2f} ms at N={small}, "
            f"{per_large * 1000:.2f} ms at N={large} (linear when these stay close)"
        )
    return lines


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
        "two scopes with two fleet namespaces each in both fleets. Resync times are the median "
        f"of {runs(len(fleets.get('first_sync', {}).get('wall_s_runs', [0])))}.",
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
