"""The benchmark at N = 50: its call-count targets are deterministic, so they are asserted here.
Timings are only reported by `make bench`."""

from bench.calls import measure_events
from bench.report import markdown
from bench.resync import measure_resync


def test_calls_per_event(sandbox, function):
    events = measure_events(sandbox, function.url, repeats=2)
    # A write is followed by a second read of the membership and its bindings, so a change
    # made while we wrote is caught (reconcile.py, step 4): 6 calls for a write, 3 without.
    for kind in ("create", "update", "delete", "unchanged"):
        calls = events[kind]["calls"]
        assert calls["total"] <= (6 if kind != "unchanged" else 3), (kind, calls)
        assert calls["gateway_reads"] <= 1 and calls["writes"] <= 1, (kind, calls)
    assert events["create"]["calls"]["writes"] == 1
    assert events["unchanged"]["calls"]["writes"] == 0
    assert events["unrelated"]["calls"]["total"] == 0


def test_resync_calls_at_fifty(running_sandbox, sandbox, tmp_path):
    result = measure_resync(running_sandbox, 50, tmp_path)
    first, steady, churn = result["first_sync"], result["steady_state"], result["churn_10pct"]
    assert first["created"] == 51 and first["calls"]["writes"] == 51
    # Steady state: one page of memberships, one of bindings, one Secret list; no writes;
    # and the resync Lease: read, create, delete.
    assert steady["calls"] == {
        "hub_reads": 2,
        "gateway_reads": 1,
        "writes": 0,
        "lease_calls": 3,
        "total": 6,
    }
    assert (churn["updated"], churn["deleted"], churn["created"]) == (2, 3, 3)
    assert churn["calls"]["writes"] == 8
    assert result["peak_rss_mib"] > 0
    table = markdown(
        {
            "machine": {"cpus": 2, "cpu": "x", "python": "3", "platform": "p"},
            "targets": {
                "calls_per_event": 4,
                "first_sync_1000_s": 5,
                "peak_rss_5000_mib": 200,
                "cold_start_ratio": 2,
            },
            "events": {},
            "resync": [result],
            "cold_start": {},
            "generated": "now",
        }
    )
    assert "| 50 | 1 | steady state |" in table


def test_the_multi_form_bench_at_ten(tmp_path):
    from bench.fleets import measure_fleets

    result = measure_fleets(5, tmp_path)
    # prod: the env=prod half of each fleet (2 + 2); teams: all 12 memberships; 2 AppProjects.
    assert result["first_sync"]["calls"]["writes"] == 4 + 12 + 2
    assert result["steady_state"]["calls"]["writes"] == 0
    assert result["nothing to change"]["writes"] == 0
    assert result["fleet namespace created"]["writes"] == 1  # the AppProject, no Secret
    # ... and reads no Secret: a fleet namespace changes only the AppProjects (two lists).
    assert result["fleet namespace created"]["gateway_reads"] == 2
    from bench.report import fleets_section

    assert "Several fleets and targets" in "\n".join(fleets_section(result))


def test_a_size_spread_over_fleets_runs_repeatedly(tmp_path):
    """Several fleets are one target listing them all; each repeat starts from an empty
    namespace, and the report keeps every run's time and writes."""
    from bench.resync import MORE_FLEETS
    from sandbox.server import start

    running = start(fleets=MORE_FLEETS[:1], retry_initial_s=0.05)
    try:
        result = measure_resync(running, 20, tmp_path, fleets=2, repeats=2)
    finally:
        running.stop()
    assert (result["fleets"], result["repeats"]) == (2, 2)
    assert result["first_sync"]["writes_runs"] == [21, 21]  # 20 and the Argo CD cluster's
    assert result["steady_state"]["writes_runs"] == [0, 0]
    assert len(result["first_sync"]["wall_s_runs"]) == 2
    assert result["first_sync"]["created"] == 21
    # One Secret listing per (target, fleet) pair: two, against the single form's one.
    assert result["steady_state"]["calls"]["gateway_reads"] == 2


def test_events_with_tenancy_write_the_appproject_too(running_sandbox, sandbox, tmp_path):
    from bench.calls import SCOPE, add_scope, tenancy_env
    from sandbox.harness import start_function

    add_scope(sandbox)
    function = start_function(tenancy_env(running_sandbox.base_url), tmp_path / "tenancy.log")
    try:
        events = measure_events(sandbox, function.url, repeats=1, scope=SCOPE)
    finally:
        function.stop()
    # A bound membership's Secret, and its scope's AppProject gaining its destination.
    assert events["create"]["calls"]["writes"] == 2
    assert events["unchanged"]["calls"]["writes"] == 0
    assert events["unrelated"]["calls"]["total"] == 0
