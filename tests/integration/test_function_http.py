"""The HTTP surface of `fleet_sync`: routing, bad requests, poison events, configuration."""

import contextlib
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sandbox.harness import FUNCTION_DIR, sandbox_env
from tests.cloudevents import audit_event
from tests.integration.functions import start_for

MEMBERSHIP = "projects/acme-fleet/locations/us-central1/memberships/prod-1"
CREATE = "google.cloud.gkehub.v1.GkeHub.CreateMembership"


def post_event(function, headers, body):
    return requests.post(function.url + "/", headers=headers, data=body, timeout=30)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("HEAD", "/healthz", 200),
        ("POST", "/healthz", 405),
        ("GET", "/resync", 405),
        ("DELETE", "/resync", 405),
        ("GET", "/", 404),
        ("POST", "/", 400),
        ("GET", "/admin", 404),
        ("POST", "/resync/extra", 404),
    ],
)
def test_routing(sandbox, function, method, path, status):
    answer = requests.request(method, function.url + path, timeout=30)
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "query",
    [
        {"dry_run": "maybe"},
        {"force": "yes please"},
        {"membership": "../../etc"},
        {"membership": "us-central1/UPPER"},
        {"membership": "x" * 300},
        {"membership": "us-central1/m1\n"},
        {"membership": "us-central1\n/m1"},
        {"dry_run": "true\n"},
        {"everything": "true"},
    ],
)
def test_bad_resync_requests_are_400(sandbox, fn, query):
    status, body = fn.resync(**query)
    assert status == 400 and body["error"]


def test_a_repeated_query_parameter_is_400_not_guessed(sandbox, fn):
    answer = requests.post(fn.url + "/resync?dry_run=true&dry_run=false", timeout=60)
    assert answer.status_code == 400
    assert "more than once: dry_run" in answer.json()["error"]


@pytest.mark.parametrize(
    "headers",
    [{"ce-specversion": "1.0"}, {"Content-Type": "application/cloudevents+json"}],
    ids=["stray ce-specversion", "cloudevents content type"],
)
def test_a_resync_with_cloudevent_headers_is_a_resync_not_an_event(synced, function, headers):
    synced.add_membership("us-central1", "prod-1", emit=False)
    answer = requests.post(function.url + "/resync", headers=headers, data=b"", timeout=60)
    assert answer.status_code == 200, answer.text
    assert "prod-1.us-central1.123456789012" in answer.json()["created"]


def test_a_structured_event_nested_past_the_parsers_depth_is_400(sandbox, function):
    deep = b"[" * 100_000 + b"]" * 100_000
    headers = {"Content-Type": "application/cloudevents+json"}
    answer = requests.post(function.url + "/", headers=headers, data=deep, timeout=60)
    assert answer.status_code == 400 and "nested too deeply" in answer.json()["error"]
    assert "Traceback" not in function.logs()


def test_oversized_body_is_413(sandbox, function):
    answer = requests.post(
        function.url + "/",
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"ce-specversion": "1.0"},
        timeout=30,
    )
    assert answer.status_code == 413


def test_oversized_chunked_body_is_413(sandbox, function):
    """No Content-Length to refuse up front: the limit must hold while reading."""
    host, port = function.url.removeprefix("http://").split(":")
    chunk = b" " * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
    head = (
        b"POST / HTTP/1.1\r\nHost: x\r\nce-specversion: 1.0\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        with contextlib.suppress(OSError):  # the server may stop reading once it has answered
            connection.sendall(head + body)
        status_line = connection.makefile("rb").readline()
    assert status_line.split()[1] == b"413"


def _variants():
    headers, body = audit_event(CREATE, MEMBERSHIP)
    entry = json.loads(body)
    broken_payload = dict(entry, protoPayload={"methodName": 5})
    return [
        ("malformed json", headers, b"{not json"),
        ("empty body", headers, b""),
        (
            "wrong type",
            {**headers, "ce-type": "google.cloud.pubsub.topic.v1.messagePublished"},
            body,
        ),
        ("missing id", {k: v for k, v in headers.items() if k != "ce-id"}, body),
        ("bad specversion", {**headers, "ce-specversion": "0.1"}, body),
        (
            "unrelated method",
            *audit_event("google.cloud.gkehub.v1.GkeHub.GetMembership", MEMBERSHIP),
        ),
        ("status code not a number", *audit_event(CREATE, MEMBERSHIP, status={"code": "9"})),
        (
            "trailing newline",
            headers,
            json.dumps(
                {
                    **entry,
                    "protoPayload": {**entry["protoPayload"], "resourceName": MEMBERSHIP + "\n"},
                }
            ).encode(),
        ),
        (
            "traversal",
            *audit_event(
                CREATE, "projects/acme-fleet/locations/us-central1/memberships/..%2F..%2Fsecrets"
            ),
        ),
        ("uppercase", *audit_event(CREATE, MEMBERSHIP.replace("prod-1", "PROD-1"))),
        ("over-long", *audit_event(CREATE, MEMBERSHIP.replace("prod-1", "p" * 64))),
        ("wrong payload types", headers, json.dumps(broken_payload).encode()),
        ("structured broken", {"Content-Type": "application/cloudevents+json"}, b"[1,2]"),
        (
            "structured without type",
            {"Content-Type": "application/cloudevents+json"},
            json.dumps({"specversion": "1.0", "id": "1", "source": "x", "data": entry}).encode(),
        ),
    ]


@pytest.mark.parametrize(("case", "headers", "body"), _variants(), ids=[v[0] for v in _variants()])
def test_poison_events_are_acknowledged_not_retried(synced, function, case, headers, body):
    answer = post_event(function, headers, body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["acknowledged"] is True and answer.json()["reason"]
    assert synced.secrets() == {}
    assert "Traceback" not in function.logs()


def test_structured_mode_event_is_handled(synced, function):
    synced.add_membership("us-central1", "prod-1", emit=False)
    headers, body = audit_event(CREATE, MEMBERSHIP)
    structured = {
        "specversion": "1.0",
        "type": headers["ce-type"],
        "source": headers["ce-source"],
        "id": "s-1",
        "datacontenttype": "application/json",
        "data": json.loads(body),
    }
    answer = post_event(
        function, {"Content-Type": "application/cloudevents+json"}, json.dumps(structured).encode()
    )
    assert answer.status_code == 200 and answer.json()["created"] == [
        "prod-1.us-central1.123456789012"
    ]


def test_retryable_failure_answers_503_and_a_redelivery_succeeds(synced, function):
    synced.add_membership("us-central1", "prod-1", emit=False)
    synced.fault(match="/memberships/prod-1", status=503, count=3)
    headers, body = audit_event(CREATE, MEMBERSHIP)
    assert post_event(function, headers, body).status_code == 503
    assert post_event(function, headers, body).status_code == 200
    assert "prod-1.us-central1.123456789012" in synced.secrets()


def test_gateway_404_is_never_read_as_a_missing_secret(synced, function):
    synced.add_membership("us-central1", "prod-1")
    synced.wait_idle()
    synced.delete_membership("us-central1", "prod-1", emit=False)
    synced.fault(match="/gkeMemberships/argocd-hub", status=404, count=3)
    headers, body = audit_event("google.cloud.gkehub.v1.GkeHub.DeleteMembership", MEMBERSHIP)
    assert post_event(function, headers, body).status_code == 503
    assert "prod-1.us-central1.123456789012" in synced.secrets()


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"FLEET_PROJECT_NUMBER": "acme"}, "FLEET_PROJECT_NUMBER"),
        ({"ARGOCD_MEMBERSHIP": ""}, "ARGOCD_MEMBERSHIP"),
        ({"MEMBERSHIP_SELECTOR": "env in"}, "MEMBERSHIP_SELECTOR"),
    ],
)
def test_bad_configuration_stops_start_up_naming_the_variable(running_sandbox, env, variable):
    full = {**sandbox_env(running_sandbox.base_url), **env}
    result = subprocess.run(
        [sys.executable, "-c", "import main"],
        env={**full, "PYTHONPATH": str(FUNCTION_DIR)},
        cwd=FUNCTION_DIR,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr  # one line an operator reads, not a crash
    assert len(result.stderr.strip().splitlines()) == 1


def test_static_token_without_overrides_is_refused(running_sandbox):
    env = {
        "FLEET_PROJECT_NUMBER": "1",
        "ARGOCD_MEMBERSHIP": "global/hub",
        "FLEET_SYNC_STATIC_TOKEN": "sandbox-token",
        "PYTHONPATH": str(FUNCTION_DIR),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import main"],
        env=env,
        cwd=FUNCTION_DIR,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "FLEET_SYNC_STATIC_TOKEN" in result.stderr


def test_selector_namespace_and_app_project(sandbox, running_sandbox, tmp_path: Path):
    sandbox.ok("POST", "/sandbox/reset")
    process = start_for(
        running_sandbox,
        tmp_path,
        MEMBERSHIP_SELECTOR="env in (prod),!no-argocd",
        ARGOCD_PROJECT="platform",
    )
    try:
        sandbox.set_sinks(process.url + "/")
        sandbox.add_membership("us-central1", "p1", {"env": "prod"})
        sandbox.add_membership("us-central1", "p2", {"env": "prod", "no-argocd": "true"})
        sandbox.add_membership("us-central1", "d1", {"env": "dev"})
        sandbox.wait_idle()
        secrets = sandbox.secrets()
        assert set(secrets) == {"p1.us-central1.123456789012"}
        assert secrets["p1.us-central1.123456789012"]["data"]["project"] == "platform"
        sandbox.update_membership("us-central1", "p1", labels={"env": "dev"})
        sandbox.wait_idle()
        assert sandbox.secrets() == {}
    finally:
        process.stop()


def test_logs_carry_no_token(synced, function):
    synced.add_membership("us-central1", "prod-1")
    synced.wait_idle()
    requests.post(function.url + "/resync", timeout=30)
    logs = function.logs()
    assert '"action": "create"' in logs
    assert "sandbox-token" not in logs and "Bearer" not in logs


def test_dry_run_deployment_writes_nothing(sandbox, running_sandbox, tmp_path: Path):
    process = start_for(running_sandbox, tmp_path, DRY_RUN="true")
    try:
        sandbox.add_membership("us-central1", "prod-1", emit=False)
        answer = post_event(process, *audit_event(CREATE, MEMBERSHIP))
        assert answer.status_code == 200
        assert answer.json()["dry_run"] is True
        assert answer.json()["created"] == ["prod-1.us-central1.123456789012"]
        report = requests.post(process.url + "/resync", timeout=30).json()
        assert report["dry_run"] is True and len(report["created"]) == 2
        assert sandbox.secrets() == {}
    finally:
        process.stop()
