"""The "Organisation scale" section of RESULTS.md, from `bench.scale`'s figures."""

from __future__ import annotations

from typing import Any

from bench.report_runs import mark


def scale_section(scale: dict[str, Any]) -> list[str]:
    """The figures above, as RESULTS.md says them."""
    if not scale:
        return []
    budget, calls = scale["shared_budget"], scale["relabel_hub_calls"]
    size, capacity_ = scale["appproject_10000"], scale["capacity_2x5000"]
    lines = [
        "",
        "## Organisation scale",
        "",
        f"- Write budget shared by {budget['targets']} Argo CD clusters of one fleet project (one "
        f"instance, `GATEWAY_MAX_WRITES_PER_MINUTE={budget['budget_per_minute']}`, the sandbox's "
        f"clock): {budget['writes']} writes in {budget['minutes']} minutes, busiest minute "
        f"{budget['busiest_minute']}. Goal (never above the budget): "
        f"{mark(budget['busiest_minute'] <= budget['budget_per_minute'])}.",
        *_instances(scale.get("several_instances")),
        "- Hub calls for one relabel entry (two fleets; two targets, one with tenancy): "
        + ", ".join(
            f"{v['hub_reads']} with {k} scopes per fleet ({v['scope_reads']} of them the bound "
            "scope's namespaces and members)"
            for k, v in calls.items()
        )
        + ". Tenancy's share is those scope reads (the membership's bindings it takes from "
        "the Secrets' read of them for this entry); each "
        "target's Secret costs the membership and its bindings, read before its write and "
        "read back after. Goals: the same whatever the number of scopes: "
        + mark(len({v["hub_reads"] for v in calls.values()}) == 1)
        + "; at most 12 in all: "
        + mark(max(v["hub_reads"] for v in calls.values()) <= 12)
        + ".",
        f"- An AppProject of {size['destinations']:,} destinations: {size['bytes']:,} bytes, "
        f"over the {size['limit_bytes']:,} written at most: "
        f"{'written' if size['written'] else 'not written, named in the run errors'}.",
    ]
    if "skipped" in capacity_:
        return [*lines, f"- Resync capacity: skipped ({capacity_['skipped']})."]
    return [
        *lines,
        f"- 2 targets x 5,000 clusters ({capacity_['expected_cluster_secrets']:,} Secrets) at "
        f"the module's defaults (terraform console, `resync_capacity`): "
        f"{capacity_['writes_per_minute_per_instance']} writes a minute per instance, timeout "
        f"{capacity_['timeout_seconds']} s, deadline {capacity_['resync_deadline_seconds']} s, "
        f"{capacity_['writes_per_resync']:,} writes a run: the first sync takes "
        f"{capacity_['first_sync_runs']} runs, about {capacity_['first_sync_seconds'] // 60} "
        "minutes of writing; each run stops at its deadline and the next carries on.",
        *_runs(scale.get("deadline_runs")),
    ]


def _instances(run: dict[str, Any] | None) -> list[str]:
    if not run:
        return []
    return [
        f"- The same budget across {run['instances']} instances (function processes, real "
        f"clock; each keeps `GATEWAY_MAX_WRITES_PER_MINUTE={run['share_per_minute']}`, its share "
        f"of {run['budget_per_minute']}; one resyncs while the other takes registration "
        f"entries): {run['writes']} gateway writes in {run['seconds']} s, busiest minute as "
        f"the gateway received them {run['busiest_minute']}. Goal (never above the budget): "
        f"{mark(run['busiest_minute'] <= run['budget_per_minute'])}.",
    ]


def _runs(first: dict[str, Any] | None) -> list[str]:
    if not first or "skipped" in first:
        return []
    runs = first["runs"]
    said = "; ".join(
        f"{r['writes']:,} writes in {r['minutes']} minutes, "
        + ("complete" if r["complete"] else "stopped at the deadline, answered for a retry")
        for r in runs
    )
    fits = all(r["minutes"] * 60 <= first["resync_deadline_seconds"] for r in runs)
    return [
        f"- The same first sync run (sandbox's clock, one instance's share, "
        f"`RESYNC_DEADLINE_SECONDS={first['resync_deadline_seconds']}`), "
        f"{first['secrets']:,} Secrets: {len(runs)} runs: {said}. Goal (each run within its "
        f"deadline, the last complete): {mark(fits and runs[-1]['complete'])}.",
    ]
