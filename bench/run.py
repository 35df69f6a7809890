"""`make bench`: calls per event, resync scaling, cold start and memory, against the sandbox, and
events through the Pub/Sub emulator where it is installed.

API calls are counted from the sandbox's request log, not estimated. Results go to
`--out` (bench/out/ by default, not tracked; `make bench-results` writes the committed
bench/results.json, bench/RESULTS.md and the pictures, which `make bench-plots` redraws from
results.json alone). Timings are reported, never asserted; where a run is repeated, the
median run's are.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.calls import SCOPE, add_scope, measure_events, tenancy_env
from bench.coldstart import measure_cold_start
from bench.fleets import measure_fleets
from bench.paced import measure_paced_sync
from bench.pubsub import measure_pubsub
from bench.resync import MORE_FLEETS, measure_resync
from bench.scale import measure_scale
from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env, start_function
from sandbox.server import start

HERE = Path(__file__).resolve().parent
# Fleet projects a size is spread over: an organisation with 10,000 clusters has several.
FLEETS_AT = {10000: 4}
TARGETS = {
    "calls_per_event": 6,
    "first_sync_1000_s": 5.0,
    "peak_rss_5000_mib": 200,
    "first_sync_10000_s": 15.0,
    "peak_rss_10000_mib": 250,
    "cold_start_ratio": 2.0,
    "first_event_over_floor": 1.2,
}


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def commit() -> str:
    """The commit measured, `+changes` when the work tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty.stdout.strip() else "")


def run(
    sizes: list[int],
    event_repeats: int,
    cold_repeats: int,
    paced: int = 1000,
    pubsub: int = 100,
    repeats: int = 3,
) -> dict[str, Any]:
    running = start(retry_initial_s=0.05, fleets=MORE_FLEETS)
    workdir = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    try:
        sandbox = SandboxClient(running.base_url)
        function = start_function(sandbox_env(running.base_url), workdir / "events.log")
        try:
            events = measure_events(sandbox, function.url, event_repeats)
        finally:
            function.stop()
        sandbox.reset()
        add_scope(sandbox)
        function = start_function(tenancy_env(running.base_url), workdir / "tenancy.log")
        try:
            events_tenancy = measure_events(sandbox, function.url, event_repeats, scope=SCOPE)
        finally:
            function.stop()
        resync = [measure_resync(running, n, workdir, FLEETS_AT.get(n, 1), repeats) for n in sizes]
        cold = measure_cold_start(running, cold_repeats) if cold_repeats else {}
        paced_sync = measure_paced_sync(running, paced, workdir, repeats=repeats) if paced else {}
    finally:
        running.stop()
    fleets = measure_fleets(50, workdir, repeats)
    scale = measure_scale(workdir)
    through_pubsub = measure_pubsub(workdir, changes=pubsub) if pubsub else {}
    if "skipped" in through_pubsub:
        print(f"bench: Pub/Sub scenario skipped: {through_pubsub['skipped']}", flush=True)
    return {
        "machine": machine(),
        "commit": commit(),
        "targets": TARGETS,
        "events": events,
        "events_tenancy": events_tenancy,
        "resync": resync,
        "cold_start": cold,
        "paced_sync": paced_sync,
        "fleets": fleets,
        "scale": scale,
        "pubsub": through_pubsub,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000,10000")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each timed resync")
    parser.add_argument("--event-repeats", type=int, default=30)
    parser.add_argument("--cold-repeats", type=int, default=5)
    parser.add_argument("--paced", type=int, default=1000, help="0 to skip the paced sync")
    parser.add_argument(
        "--pubsub", type=int, default=100, help="changes timed through Pub/Sub (0: skip)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where results go")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    results = run(
        sizes, args.event_repeats, args.cold_repeats, args.paced, args.pubsub, args.repeats
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    from bench.plots import write_all

    print(write_all(args.out))


if __name__ == "__main__":
    main()
