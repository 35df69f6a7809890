"""The sandbox's Cloud Logging sinks, read back through the real Pub/Sub emulator."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from sandbox.client import SandboxClient
from sandbox.emulator import PubSubEmulator
from sandbox.events.logsinks import TIMESTAMP_ATTRIBUTE
from sandbox.server import start
from tests.pubsub.conftest import BETA, PROJECT_ID, fresh

REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference/google/LogEntryData.json"


def entries(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(base64.b64decode(m["message"]["data"])) for m in messages]


def test_every_change_of_every_fleet_is_published_as_log_entry_json(
    fleets: SandboxClient, pubsub: PubSubEmulator, topic: str, reader: str
) -> None:
    fleets.add_logsink(topic)
    fleets.add_membership("us-central1", "prod-1")
    fleets.add_membership("europe-west1", "beta-1", project_number=BETA.project_number)
    fleets.wait_published()
    messages = pubsub.pull_until(reader, 4)
    logged = entries(messages)
    assert len(logged) == 4
    assert {e["logName"] for e in logged} == {
        f"projects/{p}/logs/cloudaudit.googleapis.com%2Factivity"
        for p in (PROJECT_ID, BETA.project_id)
    }
    assert sorted(
        (e["protoPayload"]["resourceName"], next(iter(e["operation"].keys() - {"id", "producer"})))
        for e in logged
    ) == sorted(
        [
            (f"projects/{PROJECT_ID}/locations/us-central1/memberships/prod-1", "first"),
            (f"projects/{PROJECT_ID}/locations/us-central1/memberships/prod-1", "last"),
            (f"projects/{BETA.project_id}/locations/europe-west1/memberships/beta-1", "first"),
            (f"projects/{BETA.project_id}/locations/europe-west1/memberships/beta-1", "last"),
        ]
    )
    for message, entry in zip(messages, logged, strict=True):
        assert message["message"]["attributes"] == {TIMESTAMP_ATTRIBUTE: entry["timestamp"]}
    assert fleets.logsinks()[0] | {"last_error": ""} == {
        "topic": topic,
        "filter": "",
        "pubsub_emulator": pubsub.host_port,
        "from_flags": False,
        "published": 4,
        "failed": 0,
        "pending": 0,
        "last_error": "",
    }


def test_the_entries_carry_only_fields_of_the_published_log_entry(
    fleets: SandboxClient, pubsub: PubSubEmulator, topic: str, reader: str
) -> None:
    if not REFERENCE.is_file():
        pytest.skip(f"Google's LogEntryData.json schema is not at {REFERENCE}")
    schema = json.loads(REFERENCE.read_text())["definitions"]
    fleets.add_logsink(topic)
    fleets.add_membership("us-central1", "prod-1")
    (entry, *_) = entries(pubsub.pull_until(reader, 1))
    assert set(entry) <= set(schema["LogEntryData"]["properties"])
    assert set(entry["protoPayload"]) - {"@type"} <= set(schema["AuditLog"]["properties"])
    assert set(entry["operation"]) <= set(schema["LogEntryOperation"]["properties"])


def test_a_filter_admits_only_the_entries_it_matches(
    fleets: SandboxClient, pubsub: PubSubEmulator, topic: str, reader: str
) -> None:
    deletes = (
        'logName:"cloudaudit.googleapis.com%2Factivity" AND protoPayload.methodName=('
        '"google.cloud.gkehub.v1.GkeHub.DeleteMembership" OR "x.y.Z") operation.last=true'
    )
    fleets.add_logsink(topic, deletes)
    fleets.add_membership("us-central1", "prod-1")
    fleets.add_membership("us-central1", "beta-1", project_number=BETA.project_number)
    fleets.delete_membership("us-central1", "prod-1")
    fleets.delete_membership("us-central1", "beta-1", project_number=BETA.project_number)
    assert fleets.wait_published()[0]["published"] == 2
    logged = entries(pubsub.pull_until(reader, 2))
    assert sorted(e["protoPayload"]["resourceName"] for e in logged) == [
        f"projects/{PROJECT_ID}/locations/us-central1/memberships/prod-1",
        f"projects/{BETA.project_id}/locations/us-central1/memberships/beta-1",
    ]
    assert pubsub.pull(reader) == []


def test_two_sinks_each_get_what_their_filter_admits(
    fleets: SandboxClient, pubsub: PubSubEmulator
) -> None:
    topics = [fresh("topics"), fresh("topics")]
    readers = [fresh("subscriptions"), fresh("subscriptions")]
    for topic, reader in zip(topics, readers, strict=True):
        pubsub.create_topic(topic)
        pubsub.create_pull_subscription(reader, topic)
    fleets.add_logsink(topics[0], f"resource.labels.project_id={BETA.project_id}")
    fleets.add_logsink(topics[1])
    fleets.add_membership("us-central1", "prod-1")
    fleets.add_membership("us-central1", "beta-1", project_number=BETA.project_number)
    fleets.wait_published()
    assert len(pubsub.pull_until(readers[1], 4)) == 4
    only_beta = entries(pubsub.pull_until(readers[0], 2))
    assert {e["resource"]["labels"]["project_id"] for e in only_beta} == {BETA.project_id}


def test_publishing_is_retried_until_the_topic_takes_it_and_never_holds_a_change(
    fleets: SandboxClient, pubsub: PubSubEmulator
) -> None:
    topic, reader = fresh("topics"), fresh("subscriptions")
    fleets.add_logsink(topic)  # the topic does not exist yet: every publish is a 404
    started = time.monotonic()
    fleets.add_membership("us-central1", "prod-1")
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 5
    while (sink := fleets.logsinks()[0])["failed"] < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink["failed"] >= 2 and sink["published"] == 0 and sink["pending"] == 2
    assert sink["last_error"].startswith("404")
    pubsub.create_topic(topic)
    pubsub.create_pull_subscription(reader, topic)
    # Messages published before a subscription exists are not kept for it: wait for the next try.
    assert fleets.wait_published(timeout_s=15)[0]["published"] == 2
    assert len(pubsub.pull_until(reader, 2)) == 2


def test_an_unreachable_emulator_is_counted_not_fatal(fleets: SandboxClient, topic: str) -> None:
    fleets.add_logsink(topic, pubsub_emulator="127.0.0.1:9")  # discard port: nothing listens
    fleets.add_membership("us-central1", "prod-1")
    deadline = time.monotonic() + 5
    while fleets.logsinks()[0]["failed"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    sink = fleets.logsinks()[0]
    assert sink["failed"] >= 1 and sink["pending"] == 2 and sink["last_error"]
    assert fleets.wait_idle()["pending"] == 0  # Eventarc is not held up by it


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"topic": "topics/t"}, "topic must be projects/PROJECT/topics/TOPIC"),
        ({"topic": "projects/acme-logs/topics/ab"}, "invalid topic id 'ab'"),
        ({"topic": "projects/acme-logs/topics/goog-x"}, "invalid topic id 'goog-x'"),
        ({"topic": "projects/acme-logs/topics/fleet", "filter": "severity>=ERROR"},
         "invalid filter: operator '>=' is outside the subset at position 9"),
        ({"topic": "projects/acme-logs/topics/fleet", "pubsub_emulator": "nohost"},
         "pubsub emulator must be HOST:PORT"),
        ({"filter": ""}, "topic and filter must be strings"),
    ],
)  # fmt: skip
def test_a_bad_sink_is_refused(fleets: SandboxClient, body: dict[str, Any], message: str) -> None:
    status, answer = fleets.call("POST", "/sandbox/logsinks", body)
    assert status == 400
    assert message in answer["error"]
    assert fleets.logsinks() == []


def test_sinks_given_as_flags_outlive_a_reset_and_need_an_emulator(
    pubsub: PubSubEmulator, topic: str, reader: str
) -> None:
    running = start(pubsub_emulator=pubsub.host_port, log_sink_topics=[topic])
    try:
        client = SandboxClient(running.base_url)
        client.add_membership("us-central1", "prod-1")
        client.wait_published()
        client.reset()
        (sink,) = client.logsinks()
        assert sink["from_flags"] and sink["published"] == 0  # counts start again, as events do
        client.add_membership("us-central1", "prod-2")
        assert client.wait_published()[0]["published"] == 2
        assert len(pubsub.pull_until(reader, 4)) == 4
    finally:
        running.stop()
    with pytest.raises(ValueError, match="need a Pub/Sub emulator"):
        start(log_sink_topics=[topic])


def test_a_sandbox_without_an_emulator_refuses_a_sink_that_names_none() -> None:
    running = start()
    try:
        status, answer = SandboxClient(running.base_url).call(
            "POST", "/sandbox/logsinks", {"topic": "projects/acme-logs/topics/fleet"}
        )
        assert status == 400 and "--pubsub-emulator" in answer["error"]
    finally:
        running.stop()
