"""Eventarc delivery of audit-log CloudEvents, the control API, and the fleet-sandbox command."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from cloudevents.http import from_http

BIN = Path(sys.executable).parent


class Sink:
    """An HTTP receiver that fails its first `failures` deliveries with `status`."""

    def __init__(self, failures=0, status=500):
        self.received, self.failures, self.status = [], failures, status
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sink.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                failing = len(sink.received) <= sink.failures
                self.send_response(sink.status if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def sink(sandbox):
    receiver = Sink()
    sandbox.set_sinks(receiver.url)
    yield receiver
    receiver.close()


def test_membership_create_is_delivered_as_first_and_last_entries(sandbox, sink):
    sandbox.add_membership("us-central1", "prod-1", {"env": "prod"})
    sandbox.wait_idle()
    assert len(sink.received) == 2
    phases = []
    for headers, body in sink.received:
        event = from_http(headers, body)
        assert event["type"] == "google.cloud.audit.log.v1.written"
        assert event["source"] == "//cloudaudit.googleapis.com/projects/acme-fleet/logs/activity"
        assert event["methodname"] == "google.cloud.gkehub.v1.GkeHub.CreateMembership"
        assert event["servicename"] == "gkehub.googleapis.com"
        resource = "projects/acme-fleet/locations/us-central1/memberships/prod-1"
        assert event["resourcename"] == resource
        assert event["subject"] == f"gkehub.googleapis.com/{resource}"
        assert event["dataschema"].endswith("LogEntryData.json")
        assert event["recordedtime"] and event["time"] and event["id"]
        entry = event.data
        assert entry["protoPayload"]["methodName"] == event["methodname"]
        assert entry["logName"] == "projects/acme-fleet/logs/cloudaudit.googleapis.com%2Factivity"
        phases.append([key for key in ("first", "last") if entry["operation"].get(key)])
    assert phases == [["first"], ["last"]]
    first, last = (from_http(h, b).data for h, b in sink.received)
    assert first["operation"]["id"] == last["operation"]["id"]


@pytest.mark.parametrize(
    ("change", "method"),
    [
        (lambda s: s.update_membership("us-central1", "m", labels={"a": "b"}), "UpdateMembership"),
        (lambda s: s.delete_membership("us-central1", "m"), "DeleteMembership"),
        (lambda s: s.bind("us-central1/m", "team-a"), "CreateMembershipBinding"),
        (
            lambda s: s.delete_membership("us-central1", "m", api_version="v1beta1"),
            "v1beta1.GkeHubMembershipService.DeleteMembership",
        ),
    ],
)
def test_every_change_is_logged(sandbox, sink, change, method):
    sandbox.add_membership("us-central1", "m", emit=False)
    change(sandbox)
    sandbox.wait_idle()
    assert [h["ce-methodname"].endswith(method) for h, _ in sink.received] == [True, True]


def test_project_number_in_resource_names_on_request(sandbox, sink):
    sandbox.add_membership("us-central1", "m", audit_project="number")
    sandbox.wait_idle()
    assert sink.received[0][0]["ce-resourcename"].startswith("projects/123456789012/")


def test_cluster_registered_at_creation(sandbox, sink):
    made = sandbox.ok("POST", "/sandbox/clusters", {"location": "europe-west1", "name": "c1"})
    sandbox.wait_idle()
    assert made["name"].endswith("/locations/europe-west1/memberships/c1")
    assert {h["ce-methodname"] for h, _ in sink.received} == {
        "google.container.v1.ClusterManager.CreateCluster"
    }
    assert sink.received[0][0]["ce-servicename"] == "container.googleapis.com"


def test_failed_deliveries_are_retried_until_accepted(sandbox):
    receiver = Sink(failures=2, status=500)
    try:
        sandbox.set_sinks(receiver.url)
        sandbox.add_membership("us-central1", "m")
        events = sandbox.wait_idle()["events"]
        deliveries = [e["deliveries"][0] for e in events]
        assert sum(d["attempts"] for d in deliveries) == 4
        assert all(d["delivered"] and d["status"] == 204 for d in deliveries)
        received = [h["ce-id"] for h, _ in receiver.received]
        for event, delivery in zip(events, deliveries, strict=True):
            assert received.count(event["id"]) == delivery["attempts"]  # the same event again
    finally:
        receiver.close()


def test_membership_with_another_cluster(sandbox):
    link = "//container.googleapis.com/projects/other-proj/locations/us-east1/clusters/real-name"
    made = sandbox.add_membership("global", "alias", cluster=link)
    assert made["endpoint"]["gkeCluster"]["resourceLink"] == link


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/sandbox/memberships", "{broken", 400),
        ("POST", "/sandbox/memberships", "[1, 2]", 400),
        ("POST", "/sandbox/memberships", '{"location": "us-central1", "id": "Bad_Id"}', 400),
        ("POST", "/sandbox/memberships", '{"location": "../x", "id": "a"}', 400),
        (
            "POST",
            "/sandbox/memberships",
            '{"location": "us-central1", "id": "a", "state": "X"}',
            400,
        ),
        (
            "POST",
            "/sandbox/memberships",
            '{"location": "us-central1", "id": "a", "labels": [1]}',
            400,
        ),
        ("POST", "/sandbox/memberships", '{"location": "global", "id": "argocd-hub"}', 409),
        (
            "POST",
            "/sandbox/memberships",
            '{"location": "us-central1", "id": "a", "api_version": "v9"}',
            400,
        ),
        ("PATCH", "/sandbox/memberships/us-central1/ghost", "{}", 404),
        ("DELETE", "/sandbox/memberships/us-central1/ghost", "", 404),
        ("POST", "/sandbox/bindings", '{"membership": "us-central1/ghost", "scope": "a"}', 404),
        ("POST", "/sandbox/faults", '{"status": "soon"}', 400),
        ("POST", "/sandbox/faults", '{"status": 200}', 400),
        ("POST", "/sandbox/faults", '{"count": 0}', 400),
        ("POST", "/sandbox/tokens", '{"token": ""}', 400),
        ("POST", "/sandbox/sinks", '{"url": "file:///etc/passwd"}', 400),
        ("GET", "/sandbox/unknown", None, 404),
        ("PUT", "/sandbox/memberships", "{}", 405),
        ("GET", "/elsewhere", None, 404),
    ],
)
def test_bad_control_requests_get_a_clear_4xx(sandbox, running_sandbox, method, path, body, status):
    answer = requests.request(method, running_sandbox.base_url + path, data=body, timeout=5)
    assert answer.status_code == status
    payload = answer.json()
    assert "error" in payload
    assert "Traceback" not in answer.text
    assert sandbox.ok("GET", "/sandbox/secrets") == []
    listing = requests.get(
        f"{running_sandbox.base_url}/v1/projects/acme-fleet/locations/-/memberships",
        headers={"Authorization": "Bearer sandbox-token"},
        timeout=5,
    ).json()["resources"]
    assert [m["name"].rsplit("/", 1)[1] for m in listing] == ["argocd-hub"]  # nothing moved


def test_oversized_bodies_are_refused(sandbox, running_sandbox):
    answer = requests.post(
        running_sandbox.base_url + "/sandbox/memberships", data=b"x" * (4 * 1024 * 1024), timeout=10
    )
    assert answer.status_code == 413


def test_fleet_sandbox_command_prints_ready_and_serves(tmp_path):
    process = subprocess.Popen(
        [
            str(BIN / "fleet-sandbox"),
            "--port",
            "0",
            "--project-id",
            "other-proj",
            "--project-number",
            "42",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert "ready" in line
        url = line.split()[-1]
        assert requests.get(url + "/healthz", timeout=5).json()["projectNumber"] == "42"
        listing = requests.get(
            url + "/v1/projects/other-proj/locations/-/memberships",
            headers={"Authorization": "Bearer sandbox-token"},
            timeout=5,
        )
        assert [m["name"] for m in listing.json()["resources"]] == [
            "projects/other-proj/locations/global/memberships/argocd-hub"
        ]
        assert (
            json.loads(requests.get(url + "/sandbox/requests", timeout=5).text)[0]["status"] == 200
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
