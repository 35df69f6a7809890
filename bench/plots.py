"""The bench's pictures, drawn headless from results.json alone: `make bench-plots` redraws
them (and RESULTS.md) without rerunning anything.

    python -m bench.plots [DIR]    # DIR/results.json -> DIR/*.svg and DIR/RESULTS.md

matplotlib is a development dependency only; its object API (Figure, never pyplot) needs no
display. SVGs are written without a date and with a fixed hash salt, so the same results
draw the same files.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from bench.report import MEMORY_TARGETS, WALL_TARGETS, markdown

HERE = Path(__file__).resolve().parent
matplotlib.rcParams["svg.hashsalt"] = "fleet-argocd-sync-bench"
# Text as text, not outlines: searchable, smaller, read by screen readers.
matplotlib.rcParams["svg.fonttype"] = "none"
Drawer = Callable[[Figure, dict[str, Any]], None]


def caption(results: dict[str, Any]) -> str:
    machine = results["machine"]
    return (
        f"make bench, {results['generated']} · {machine['cpus']} CPUs ({machine['cpu']}), "
        f"Python {machine['python']} · commit {results.get('commit', 'unknown')}"
    )


def paced_first_sync(fig: Figure, results: dict[str, Any]) -> None:
    paced = results["paced_sync"]
    line, budget = paced["timeline"], paced["budget_per_minute"]
    window = line["window_s"]
    writes, refused = line["writes"], line["too_many_requests"]
    starts = [k * window for k in range(len(writes))]
    ax = fig.subplots()
    bars = {"width": window, "align": "edge"}
    ax.bar(starts, writes, color="#9ecae1", label=f"writes per {window:g} s", **bars)
    # 429s on top of that window's writes, so neither hides the other (and the legend's
    # swatch is red even when there are none).
    ax.bar(
        starts,
        refused,
        bottom=writes,
        color="#d62728",
        **bars,
        label=f"429 answers per {window:g} s ({sum(refused)} in all)",
    )
    ax.plot(
        [s + window for s in starts],
        line["writes_in_trailing_60s"],
        color="#08519c",
        marker="o",
        markersize=4,
        label="writes in the trailing 60 s (what the quota counts)",
    )
    # Drawn last, dashed: visible where the trailing minute sits right on it.
    ax.axhline(
        budget,
        color="#d62728",
        linestyle=(0, (6, 4)),
        zorder=3,
        label=f"budget: {budget} writes a minute",
    )
    ax.set_title(
        f"Paced first sync of {paced['n']:,} clusters: gateway {paced['latency_ms']} ms a call"
    )
    ax.set_xlabel("time since the resync's first request (s)")
    ax.set_ylabel("gateway writes (count)")
    tallest = max(
        [
            budget,
            *line["writes_in_trailing_60s"],
            *(w + r for w, r in zip(writes, refused, strict=True)),
        ]
    )
    ax.set_ylim(0, tallest * 1.25)
    ax.legend(loc="upper right", fontsize="small")


def resync_scaling(fig: Figure, results: dict[str, Any]) -> None:
    rows, targets = results["resync"], results["targets"]
    sizes = [row["n"] for row in rows]
    wall, memory = fig.subplots(1, 2)
    for run, style in (("first_sync", "o-"), ("steady_state", "s--")):
        wall.plot(sizes, [row[run]["wall_s"] for row in rows], style, label=run.replace("_", " "))
    memory.plot(sizes, [row["peak_rss_mib"] for row in rows], "o-", label="peak RSS")
    for ax, points, label in (
        (wall, WALL_TARGETS, "target, first sync"),
        (memory, MEMORY_TARGETS, "target"),
    ):
        shown = [(n, targets[key]) for n, key in points if key in targets]
        ax.plot([n for n, _ in shown], [t for _, t in shown], "rv", label=label)
        ax.set_xscale("log")
        fleets = {row["n"]: f"\n({row.get('fleets', 1)})" for row in rows}
        ticks = sorted({*sizes, *(n for n, _ in shown)})
        ax.set_xticks(ticks, [f"{n:,}{fleets.get(n, '')}" for n in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("memberships (fleets)")
        ax.legend(fontsize="small")
    repeats = max(row.get("repeats", 1) for row in rows)
    wall.set_title(f"Resync wall time (median of {repeats} runs)")
    wall.set_ylabel("wall time (s)")
    wall.set_yscale("log")
    wall.yaxis.set_minor_formatter(NullFormatter())
    wall.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    memory.set_title("The function's peak memory (largest of the runs)")
    memory.set_ylabel("peak RSS (MiB)")
    memory.set_ylim(0, memory.get_ylim()[1] * 1.15)  # the targets are plotted: within it


def calls_per_event(fig: Figure, results: dict[str, Any]) -> None:
    forms = [("single form", results["events"]), ("tenancy on", results.get("events_tenancy"))]
    forms = [(name, events) for name, events in forms if events]
    kinds = list(results["events"])
    ax = fig.subplots()
    width = 0.8 / len(forms)
    colours = {"hub_reads": "#6baed6", "gateway_reads": "#74c476", "writes": "#fd8d3c"}
    for f, (name, events) in enumerate(forms):
        xs = [k + (f - (len(forms) - 1) / 2) * width for k in range(len(kinds))]
        bottom = [0] * len(kinds)
        for part, colour in colours.items():
            heights = [events[kind]["calls"][part] for kind in kinds]
            ax.bar(
                xs,
                heights,
                width * 0.95,
                bottom=bottom,
                color=colour,
                hatch="//" if f else None,
                edgecolor="white",
                label=f"{part.replace('_', ' ')}, {name}",
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.axhline(
        results["targets"]["calls_per_event"],
        color="#d62728",
        linestyle="--",
        label=f"target, single form: {results['targets']['calls_per_event']}",
    )
    ax.set_xticks(range(len(kinds)), kinds)
    ax.set_title("API calls per audit-log event, by kind")
    ax.set_xlabel("event")
    ax.set_ylabel("API calls per event (count)")
    ax.legend(fontsize="x-small", ncol=2)


def pubsub_latency(fig: Figure, results: dict[str, Any]) -> None:
    latency = results["pubsub"]["latency"]
    samples = latency["samples_ms"]
    ax = fig.subplots()
    ax.hist(samples, bins=30, color="#9ecae1", edgecolor="white")
    for share, style in (("p50", "-"), ("p95", "--")):
        value = latency[f"latency_ms_{share}"]
        ax.axvline(value, color="#08519c", linestyle=style, label=f"{share}: {value} ms")
    ax.set_title(
        f"From a fleet change to its Secret, through a Logging sink and Pub/Sub "
        f"({len(samples)} changes)"
    )
    ax.set_xlabel("time from the membership's creation to its Secret (ms)")
    ax.set_ylabel("changes (count)")
    ax.legend(fontsize="small")


# Section of RESULTS.md -> (file, drawer, whether results hold what it draws).
PICTURES: dict[str, tuple[str, Drawer, Callable[[dict[str, Any]], bool]]] = {
    "paced": (
        "paced-first-sync.svg",
        paced_first_sync,
        lambda r: "timeline" in (r.get("paced_sync") or {}),
    ),
    "resync": ("resync-scaling.svg", resync_scaling, lambda r: bool(r.get("resync"))),
    "events": ("calls-per-event.svg", calls_per_event, lambda r: bool(r.get("events"))),
    "pubsub": (
        "pubsub-latency.svg",
        pubsub_latency,
        lambda r: bool(((r.get("pubsub") or {}).get("latency") or {}).get("samples_ms")),
    ),
}


def draw(results: dict[str, Any], directory: Path) -> dict[str, str]:
    """Every picture `results` can draw, into `directory`: section -> file name."""
    drawn = {}
    for section, (name, drawer, holds) in PICTURES.items():
        if not holds(results):
            continue
        fig = Figure(figsize=(10, 5.5), layout="constrained")
        drawer(fig, results)
        fig.supxlabel(caption(results), fontsize="x-small", color="#555555")
        fig.savefig(directory / name, format="svg", metadata={"Date": None})
        drawn[section] = name
    return drawn


def write_all(directory: Path) -> str:
    """Redraw `directory`'s pictures and RESULTS.md from its results.json; the Markdown."""
    results = json.loads((directory / "results.json").read_text())
    text = markdown(results, draw(results, directory))
    (directory / "RESULTS.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=HERE)
    write_all(parser.parse_args().directory)


if __name__ == "__main__":
    main()
