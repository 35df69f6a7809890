"""`make bench`: calls per event, resync scaling, cold start and memory, against the sandbox.

API calls are counted from the sandbox's request log, not estimated. Results go to
`--out` (bench/out/ by default, not tracked; `make bench-results` writes the committed
bench/results.json and bench/RESULTS.md). Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from bench.paced import measure_paced_sync
from sandbox.auditlog import audit_cloudevent
from sandbox.client import SandboxClient
from sandbox.harness import free_port, sandbox_env, start_function
from sandbox.server import RunningSandbox, start

HERE = Path(__file__).resolve().parent
NUMBER = "123456789012"
EVENT_KINDS = ("create", "update", "delete", "unchanged", "unrelated")
METHODS = {
    "create": "google.cloud.gkehub.v1.GkeHub.CreateMembership",
    "update": "google.cloud.gkehub.v1.GkeHub.UpdateMembership",
    "delete": "google.cloud.gkehub.v1.GkeHub.DeleteMembership",
    "unchanged": "google.cloud.gkehub.v1.GkeHub.UpdateMembership",
    "unrelated": "google.cloud.gkehub.v1.GkeHub.SetIamPolicy",
}
TARGETS = {
    "calls_per_event": 6,
    "first_sync_1000_s": 5.0,
    "peak_rss_5000_mib": 200,
    "cold_start_ratio": 2.0,
}


def classify(requests_served: list[dict[str, Any]]) -> dict[str, int]:
    """API calls by kind: Hub reads, gateway reads, gateway writes."""
    kinds: Counter[str] = Counter()
    for request in requests_served:
        if "/gkeMemberships/" not in request["path"]:
            kinds["hub_reads"] += 1
        elif request["method"] == "GET":
            kinds["gateway_reads"] += 1
        else:
            kinds["writes"] += 1
    return {k: kinds[k] for k in ("hub_reads", "gateway_reads", "writes")} | {
        "total": sum(kinds.values())
    }


def audit_event(method: str, ident: str, n: int) -> tuple[dict[str, str], bytes]:
    resource = f"projects/{NUMBER}/locations/us-central1/memberships/{ident}"
    return audit_cloudevent("acme-fleet", method, resource, insert_id=f"bench-{n}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def warm_up(url: str) -> None:
    """One request that builds the clients, so timings measure work, not imports."""
    requests.post(
        url + "/resync", params={"membership": "us-central1/warm-up", "dry_run": "true"}, timeout=60
    )


def measure_events(sandbox: SandboxClient, function_url: str, repeats: int) -> dict[str, Any]:
    """Each kind of event `repeats` times: calls by kind (per event) and handler latency."""
    results: dict[str, Any] = {}
    session = requests.Session()
    warm_up(function_url)
    for kind in EVENT_KINDS:
        latencies, calls = [], []
        for n in range(repeats):
            ident = f"ev-{kind}-{n}"
            if kind != "create":
                sandbox.add_membership("us-central1", ident, {"v": "1"}, emit=False)
                session.post(
                    function_url + "/resync",
                    params={"membership": f"us-central1/{ident}"},
                    timeout=60,
                )
            if kind == "update":
                sandbox.update_membership("us-central1", ident, labels={"v": "2"}, emit=False)
            elif kind == "delete":
                sandbox.delete_membership("us-central1", ident, emit=False)
            elif kind == "create":
                sandbox.add_membership("us-central1", ident, {"v": "1"}, emit=False)
            sandbox.clear_requests()
            headers, body = audit_event(METHODS[kind], ident, n)
            started = time.perf_counter()
            answer = session.post(function_url + "/", headers=headers, data=body, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise RuntimeError(f"{kind} event answered {answer.status_code}: {answer.text}")
            calls.append(classify(sandbox.requests()))
        results[kind] = {
            "calls": max(calls, key=lambda c: c["total"]),
            "latency_ms_p50": round(percentile(latencies, 0.5), 2),
            "latency_ms_p95": round(percentile(latencies, 0.95), 2),
            "samples": repeats,
        }
    return results


def peak_rss_mib(pid: int) -> float:
    """Largest peak resident set (VmHWM) in the process tree of `pid`: the serving worker."""
    peaks = []
    for candidate in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks), 1) if peaks else 0.0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in map(int, children):
            found += [child, *_children(child)]
    return found


def _timed_resync(sandbox: SandboxClient, url: str) -> dict[str, Any]:
    sandbox.clear_requests()
    started = time.perf_counter()
    answer = requests.post(url + "/resync", params={"force": "true"}, timeout=900)
    elapsed = time.perf_counter() - started
    report = answer.json()
    if answer.status_code != 200:
        raise RuntimeError(f"resync answered {answer.status_code}: {str(report)[:500]}")
    return {
        "wall_s": round(elapsed, 3),
        "calls": classify(sandbox.requests()),
        "created": len(report["created"]),
        "updated": len(report["updated"]),
        "deleted": len(report["deleted"]),
        "unchanged": report["unchanged"],
    }


def measure_resync(running: RunningSandbox, n: int, workdir: Path) -> dict[str, Any]:
    """First sync, steady state and 10% churn for a fleet of n memberships."""
    sandbox = SandboxClient(running.base_url)
    sandbox.reset()
    sandbox.set_sinks()
    memberships = [
        {
            "location": ("us-central1", "europe-west1", "asia-east1")[i % 3],
            "id": f"m{i:05d}",
            "labels": {"env": "prod" if i % 2 else "dev", "n": str(i)},
        }
        for i in range(n)
    ]
    sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": memberships})
    # Unpaced: this measures the sync itself; measure_paced_sync measures the budget.
    env = sandbox_env(running.base_url, GATEWAY_MAX_WRITES_PER_MINUTE="0")
    function = start_function(env, workdir / f"resync-{n}.log")
    try:
        warm_up(function.url)
        first = _timed_resync(sandbox, function.url)
        steady = _timed_resync(sandbox, function.url)
        churned = max(1, n // 10)
        for item in memberships[: churned // 2]:
            sandbox.update_membership(
                item["location"], item["id"], labels={"env": "canary"}, emit=False
            )
        for item in memberships[churned // 2 : churned]:
            sandbox.delete_membership(item["location"], item["id"], emit=False)
        extra = [
            {"location": "us-east1", "id": f"new{i:05d}"} for i in range(churned - churned // 2)
        ]
        sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": extra})
        churn = _timed_resync(sandbox, function.url)
        rss = peak_rss_mib(function.process.pid)
    finally:
        function.stop()
    return {
        "n": n,
        "first_sync": first,
        "steady_state": steady,
        "churn_10pct": churn,
        "peak_rss_mib": rss,
    }


def _first_answer_s(
    command: list[str],
    env: dict[str, str],
    cwd: Path,
    url: str,
    method: str = "GET",
    **request: Any,
) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            try:
                answer = requests.request(method, url, timeout=30, **request)
                if answer.status_code < 500:
                    return time.perf_counter() - started
            except requests.ConnectionError:
                time.sleep(0.005)
        raise RuntimeError(f"{command} did not answer")
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure_cold_start(running: RunningSandbox, repeats: int) -> dict[str, Any]:
    """Process start to first answered request: the function vs a bare hello-world."""
    framework = str(Path(sys.executable).parent / "functions-framework")
    env = {**os.environ, **sandbox_env(running.base_url)}
    function_dir = HERE.parent / "function"
    hello, healthz, event = [], [], []
    SandboxClient(running.base_url).add_membership("us-central1", "cold-1", emit=False)
    for n in range(repeats):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        base = [framework, "--host", "127.0.0.1", "--port", str(port)]
        hello.append(
            _first_answer_s(
                [*base, "--target", "hello", "--source", "main.py"],
                dict(os.environ),
                HERE / "hello",
                url + "/",
            )
        )
        healthz.append(
            _first_answer_s(
                [*base, "--target", "fleet_sync", "--source", "main.py"],
                env,
                function_dir,
                url + "/healthz",
            )
        )
        headers, body = audit_event(METHODS["create"], "cold-1", n)
        event.append(
            _first_answer_s(
                [*base, "--target", "fleet_sync", "--source", "main.py"],
                env,
                function_dir,
                url + "/",
                "POST",
                headers=headers,
                data=body,
            )
        )
    hello_s, healthz_s, event_s = (statistics.median(x) for x in (hello, healthz, event))
    return {
        "hello_world_s": round(hello_s, 3),
        "function_first_request_s": round(healthz_s, 3),
        "function_first_event_s": round(event_s, 3),
        "ratio": round(healthz_s / hello_s, 2),
        "ratio_first_event": round(event_s / hello_s, 2),
        "samples": repeats,
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
    sizes: list[int], event_repeats: int, cold_repeats: int, paced: int = 1000
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
    return {
        "machine": machine(),
        "targets": TARGETS,
        "events": events,
        "resync": resync,
        "cold_start": cold,
        "paced_sync": paced_sync,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--event-repeats", type=int, default=30)
    parser.add_argument("--cold-repeats", type=int, default=5)
    parser.add_argument("--paced", type=int, default=1000, help="0 to skip the paced sync")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where results go")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    results = run(sizes, args.event_repeats, args.cold_repeats, args.paced)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import markdown

    text = markdown(results)
    (args.out / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
