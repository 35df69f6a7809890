"""Eventarc delivery of audit-log CloudEvents, the control API, and the fleet-sandbox command.

Delivery schedules are checked on a simulated clock (`SimulatedTime`): a whole day of
retries runs in well under a second, and each push's time is exact, so nothing sleeps for luck.
"""

import datetime
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from cloudevents.http import from_http

from sandbox.events.auditlog import audit_entry
from sandbox.events.eventarc import Eventarc

BIN = Path(sys.executable).parent
DAY_S = 24 * 3600


class SimulatedTime:
    """Eventarc's clock in virtual seconds: waiting for the next due push jumps to it at once.

    While `paused`, time stands still, so a test can publish a batch before anything is sent.
    """

    def __init__(self):
        self.t, self.paused = 0.0, False

    def now(self):
        return self.t

    def wait(self, condition, timeout):
        if timeout is None or self.paused:
            condition.wait()
        else:
            self.t += timeout


class Sink:
    """An HTTP receiver that fails its first `failures` deliveries with `status`.

    `times` holds `clock()` at each receipt, in step with `received`.
    """

    def __init__(self, failures=0, status=500, clock=time.monotonic):
        self.received, self.times, self.failures, self.status = [], [], failures, status
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sink.times.append(clock())
                sink.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                failing = len(sink.received) <= sink.failures
                self.send_response(sink.status if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def ids(self):
        return [headers["ce-id"] for headers, _ in self.received]

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
        # Asked by project ID, Hub names the fleet's resources by its number.
        assert [m["name"] for m in listing.json()["resources"]] == [
            "projects/42/locations/global/memberships/argocd-hub"
        ]
        assert (
            json.loads(requests.get(url + "/sandbox/requests", timeout=5).text)[0]["status"] == 200
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- delivery on a simulated clock ---------------------------------------------------------


class Simulated:
    """An Eventarc of its own on simulated time, with sinks that read the same clock."""

    def __init__(self, time_scale=1.0, seed=11, failures=0):
        self.clock = SimulatedTime()
        self.eventarc = Eventarc([], time_scale, clock=self.clock, seed=seed)
        self.sink = Sink(failures=failures, clock=self.clock.now)
        self.eventarc.sinks.append(self.sink.url)

    def publish(self, count):
        """Publish `count` entries while time stands still; answer their ids in order."""
        self.clock.paused = True
        for n in range(count):
            entry = audit_entry(
                "acme-fleet", "gkehub.googleapis.com", "google.cloud.gkehub.v1.GkeHub.X",
                f"projects/acme-fleet/locations/global/memberships/m{n}", f"op-{n}", "last",
                {}, {},
            )  # fmt: skip
            self.eventarc.publish("acme-fleet", entry)
        self.clock.paused = False
        self.eventarc.wake()
        return [event.headers["ce-id"] for event in self.eventarc.events]

    def wait_idle(self):
        deadline = time.monotonic() + 30
        while self.eventarc.pending():
            assert time.monotonic() < deadline, "deliveries still pending"
            time.sleep(0.01)
        return [d for event in self.eventarc.events for d in event.deliveries]

    def close(self):
        self.eventarc.stop()
        self.sink.close()


@pytest.fixture
def simulated():
    made = []

    def make(**options):
        made.append(Simulated(**options))
        return made[-1]

    yield make
    for world in made:
        world.close()


def pubsub_schedule(scale):
    """Push times for a message never acknowledged: 10 s doubling to 600 s, within 24 h."""
    times, failures = [0.0], 0
    while True:
        failures += 1
        wait = min(600.0, 10.0 * 2 ** (failures - 1))
        if times[-1] + wait >= DAY_S:
            return [t * scale for t in times]
        times.append(times[-1] + wait)


@pytest.mark.parametrize("scale", [1.0, 0.001])
def test_an_unacknowledged_event_is_retried_on_pubsub_backoff_for_a_day(simulated, scale):
    world = simulated(time_scale=scale, failures=10**6)
    world.publish(1)
    (delivery,) = world.wait_idle()
    expected = pubsub_schedule(scale)
    assert world.sink.times == pytest.approx(expected)
    assert expected[:8] == pytest.approx([t * scale for t in (0, 10, 30, 70, 150, 310, 630, 1230)])
    assert delivery.attempts == len(expected) == 7 + 142  # 630 s, then every 600 s
    assert delivery.backoff_s[:7] == pytest.approx(
        [t * scale for t in (10, 20, 40, 80, 160, 320, 600)]
    )
    assert delivery.backoff_s[6:] == pytest.approx([600 * scale] * (len(expected) - 7))
    assert delivery.gave_up and not delivery.delivered and delivery.status == 500
    assert len(set(world.sink.ids())) == 1  # the same event every time


def test_an_event_accepted_after_failures_stops_being_pushed(simulated):
    world = simulated(time_scale=0.01, failures=3)
    world.publish(1)
    (delivery,) = world.wait_idle()
    assert world.sink.times == pytest.approx([0, 0.1, 0.3, 0.7])
    assert (delivery.attempts, delivery.delivered, delivery.gave_up) == (4, True, False)


def test_without_options_events_go_out_once_in_publish_order(simulated):
    world = simulated()
    published = world.publish(12)
    world.wait_idle()
    assert world.sink.ids() == published


def shuffled_order(simulated, seed):
    world = simulated(seed=seed)
    world.eventarc.shuffle = True
    published = world.publish(12)
    world.wait_idle()
    received = world.sink.ids()
    assert sorted(received) == sorted(published)  # each once
    assert max(world.sink.times) < 10  # within the shuffle window
    return [published.index(event_id) for event_id in received]


def test_shuffle_sends_events_out_of_order_reproducibly(simulated):
    order = shuffled_order(simulated, seed=5)
    assert order != sorted(order)
    assert shuffled_order(simulated, seed=5) == order
    assert shuffled_order(simulated, seed=6) != order


def duplicated(simulated, seed):
    world = simulated(seed=seed)
    world.eventarc.duplicates = True
    published = world.publish(20)
    deliveries = world.wait_idle()
    received = world.sink.ids()
    counts = [received.count(event_id) for event_id in published]
    assert counts == [1 + d.duplicates for d in deliveries]
    assert all(d.attempts == 1 and d.delivered for d in deliveries)
    return counts


def test_duplicates_push_some_accepted_events_twice_reproducibly(simulated):
    counts = duplicated(simulated, seed=3)
    assert set(counts) == {1, 2}
    assert duplicated(simulated, seed=3) == counts


# --- through the control API and the running sandbox ----------------------------------------


def test_control_api_sets_delivery_and_reset_restores_it(sandbox):
    assert sandbox.ok("GET", "/sandbox/eventarc") == {
        "time_scale": 0.005, "shuffle": False, "duplicates": False, "seed": 0,
    }  # fmt: skip
    changed = {"time_scale": 0.5, "shuffle": True, "duplicates": True, "seed": 9}
    assert sandbox.ok("POST", "/sandbox/eventarc", changed) == changed
    for bad in ({"time_scale": 0}, {"shuffle": "yes"}, {"seed": -1}, {"ordered": True}):
        assert sandbox.call("POST", "/sandbox/eventarc", bad)[0] == 400
    sandbox.reset()
    assert sandbox.ok("GET", "/sandbox/eventarc")["time_scale"] == 0.005


def test_time_scale_set_through_the_control_api_shapes_the_retries(sandbox):
    receiver = Sink(failures=3)
    try:
        sandbox.set_sinks(receiver.url)
        sandbox.ok("POST", "/sandbox/eventarc", {"time_scale": 0.002})
        sandbox.add_membership("us-central1", "m")
        events = sandbox.wait_idle()["events"]
        assert sum(e["deliveries"][0]["attempts"] for e in events) == 2 + 3
        for event in events:
            (delivery,) = event["deliveries"]
            waits = delivery["backoff_s"]
            assert waits == pytest.approx([0.02, 0.04, 0.08][: delivery["attempts"] - 1])
            times = [
                t for t, i in zip(receiver.times, receiver.ids(), strict=True) if i == event["id"]
            ]
            # Never early: each push comes at least its backoff after the one before.
            assert all(
                b - a >= wait for a, b, wait in zip(times[:-1], times[1:], waits, strict=True)
            )
    finally:
        receiver.close()


def test_the_running_sandbox_gives_up_after_a_scaled_day(sandbox):
    receiver = Sink(failures=10**6, status=503)
    try:
        sandbox.set_sinks(receiver.url)
        sandbox.ok("POST", "/sandbox/eventarc", {"time_scale": 1e-5})  # a day in 0.9 s
        sandbox.bind("global/argocd-hub", "team-a")
        events = sandbox.wait_idle()["events"]
        deliveries = [e["deliveries"][0] for e in events]
        assert all(d["gave_up"] and not d["delivered"] and d["attempts"] > 1 for d in deliveries)
    finally:
        receiver.close()


def test_shuffle_and_duplicates_through_the_control_api_deliver_everything(sandbox, sink):
    sandbox.ok("POST", "/sandbox/eventarc", {"shuffle": True, "duplicates": True, "seed": 4})
    for n in range(6):
        sandbox.add_membership("us-central1", f"m{n}")
    events = sandbox.wait_idle()["events"]
    received = [h["ce-id"] for h, _ in sink.received]
    for event in events:
        (delivery,) = event["deliveries"]
        assert delivery["delivered"]
        assert received.count(event["id"]) == delivery["attempts"] + delivery["duplicates"]
    assert sum(e["deliveries"][0]["duplicates"] for e in events) > 0


def test_attributes_are_the_documented_and_recorded_ones(sandbox, sink):
    sandbox.add_membership("us-central1", "m")
    sandbox.wait_idle()
    headers, body = sink.received[0]
    entry = json.loads(body)
    assert {k for k in headers if k.startswith("ce-")} == {
        "ce-specversion", "ce-type", "ce-source", "ce-subject", "ce-id", "ce-time",
        "ce-dataschema", "ce-methodname", "ce-servicename", "ce-resourcename", "ce-recordedtime",
    }  # fmt: skip
    assert headers["content-type"] == "application/json; charset=utf-8"
    written = datetime.datetime.fromisoformat(entry["timestamp"])
    micros = int(written.timestamp()) * 10**6 + written.microsecond
    assert headers["ce-id"] == f"{entry['logName']}{entry['insertId']}{micros}"
    assert headers["ce-time"] == entry["receiveTimestamp"] >= entry["timestamp"]
    assert headers["ce-recordedtime"] == entry["timestamp"]


def test_fleet_sandbox_command_takes_the_eventarc_time_scale():
    command = [str(BIN / "fleet-sandbox"), "--port", "0", "--eventarc-time-scale", "0.25"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().split()[-1]
        assert requests.get(url + "/sandbox/eventarc", timeout=5).json()["time_scale"] == 0.25
    finally:
        process.terminate()
        process.wait(timeout=10)
