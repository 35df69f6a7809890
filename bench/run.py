"""`make bench`: calls per event, resync scaling, cold start and memory, against the sandbox, and
events through the Pub/Sub emulator where it is installed.

API calls are counted from the sandbox's request log, not estimated. Results go to
`--out` (bench/out/ by default, not tracked; `make bench-results` writes the committed
bench/results.json and bench/RESULTS.md). Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.calls import measure_events
from bench.coldstart import measure_cold_start
from bench.fleets import measure_fleets
from bench.paced import measure_paced_sync
from bench.pubsub import measure_pubsub
from bench.resync import measure_resync
from bench.scale import measure_scale
from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env, start_function
from sandbox.server import start

HERE = Path(__file__).resolve().parent
TARGETS = {
    "calls_per_event": 6,
    "first_sync_1000_s": 5.0,
    "peak_rss_5000_mib": 200,
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


def run(
    sizes: list[int], event_repeats: int, cold_repeats: int, paced: int = 1000, pubsub: int = 100
) -> dict[str, Any]:
    running = start(retry_initial_s=0.05)
    workdir = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    try:
        sandbox = SandboxClient(running.base_url)
        function = start_function(sandbox_env(running.base_url), workdir / "events.log")
        try:
            events = measure_events(sandbox, function.url, event_repeats)
        finally:
            function.stop()
        resync = [measure_resync(running, n, workdir) for n in sizes]
        cold = measure_cold_start(running, cold_repeats) if cold_repeats else {}
        paced_sync = measure_paced_sync(running, paced, workdir) if paced else {}
    finally:
        running.stop()
    fleets = measure_fleets(50, workdir)
    scale = measure_scale(workdir)
    through_pubsub = measure_pubsub(workdir, changes=pubsub) if pubsub else {}
    if "skipped" in through_pubsub:
        print(f"bench: Pub/Sub scenario skipped: {through_pubsub['skipped']}", flush=True)
    return {
        "machine": machine(),
        "targets": TARGETS,
        "events": events,
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
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--event-repeats", type=int, default=30)
    parser.add_argument("--cold-repeats", type=int, default=5)
    parser.add_argument("--paced", type=int, default=1000, help="0 to skip the paced sync")
    parser.add_argument(
        "--pubsub", type=int, default=100, help="changes timed through Pub/Sub (0: skip)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where results go")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    results = run(sizes, args.event_repeats, args.cold_repeats, args.paced, args.pubsub)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import markdown

    text = markdown(results)
    (args.out / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
