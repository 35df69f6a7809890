"""Connect Gateway's latency and per-fleet quota (both off by default)."""

import time

import requests

from tests.integration.kube import GATEWAY, core


def test_quota_answers_429_with_retry_after_until_the_minute_turns(sandbox, running_sandbox, clock):
    assert sandbox.ok("POST", "/sandbox/gateway", {"quota_rpm": 3})["quota_rpm"] == 3
    api = core(running_sandbox.base_url)
    for _ in range(3):
        api.list_namespaced_secret("argocd")
    clock.now += 20
    # requests, not the kubernetes client: urllib3 would honour Retry-After by sleeping.
    answer = requests.get(
        running_sandbox.base_url + GATEWAY + "/api/v1/namespaces/argocd/secrets",
        headers={"Authorization": "Bearer sandbox-token"},
        timeout=5,
    )
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "40")
    assert answer.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    clock.now += 41
    assert api.list_namespaced_secret("argocd").items == []


def test_latency_is_added_to_every_call(sandbox, running_sandbox):
    sandbox.ok("POST", "/sandbox/gateway", {"latency_ms": 150})
    api = core(running_sandbox.base_url)
    started = time.monotonic()
    api.list_namespaced_secret("argocd")
    assert time.monotonic() - started >= 0.15
    assert sandbox.ok("POST", "/sandbox/gateway", {"latency_ms": 0}) == {
        "latency_ms": 0,
        "quota_rpm": 0,
    }


def test_knobs_are_reset_and_checked(sandbox):
    sandbox.ok("POST", "/sandbox/gateway", {"quota_rpm": 5})
    sandbox.reset()
    assert sandbox.ok("GET", "/sandbox/gateway") == {"latency_ms": 0.0, "quota_rpm": 0}
    for body in ({"quota_rpm": -1}, {"quota_rpm": 1.5}, {"latency_ms": True}):
        assert sandbox.call("POST", "/sandbox/gateway", body)[0] == 400
