"""What the function relies on from Pub/Sub push, shown on the real emulator: a push answered
with 503 is delivered again, the same message, and a 2xx acknowledges it."""

from __future__ import annotations

import base64
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sandbox.emulator import PubSubEmulator
from tests.pubsub.conftest import fresh


class Receiver:
    """A local push endpoint that answers each delivery with the next status of `answers`."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[float, int, dict[str, Any]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = (
                    receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                )
                receiver.seen.append((time.monotonic(), status, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    answering = Receiver([503, 200])
    yield answering
    answering.server.shutdown()


def test_a_push_answered_503_is_delivered_again_until_acknowledged(
    pubsub: PubSubEmulator, receiver: Receiver
) -> None:
    topic, subscription = fresh("topics"), fresh("subscriptions")
    pubsub.create_topic(topic)
    pubsub.create_push_subscription(subscription, topic, receiver.url)
    message_id = pubsub.publish(
        topic, b'{"hello": "fleet"}', {"logging.googleapis.com/timestamp": "t"}
    )
    deadline = time.monotonic() + 20
    while len(receiver.seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # an acknowledged message is not pushed again
    pubsub.delete_subscription(subscription)
    assert [status for _, status, _ in receiver.seen] == [503, 200]
    for _, _, body in receiver.seen:
        assert body["subscription"] == subscription
        assert body["message"]["messageId"] == message_id
        assert base64.b64decode(body["message"]["data"]) == b'{"hello": "fleet"}'
        assert body["message"]["attributes"] == {"logging.googleapis.com/timestamp": "t"}
        assert body["message"]["publishTime"]


def test_ci_with_the_cloud_sdk_finds_the_emulator(emulator_path: Path | None) -> None:
    """Where CI has gcloud, the emulator tests must run, not skip."""
    if not os.environ.get("CI") or shutil.which("gcloud") is None:
        pytest.skip("only checked in CI with gcloud on PATH")
    assert emulator_path is not None, "gcloud is on PATH but its Pub/Sub emulator was not found"
