"""Run the Google Cloud CLI's Pub/Sub emulator next to the sandbox, and set up its topics and
push subscriptions through its REST API (the Pub/Sub v1 REST surface the emulator serves:
https://cloud.google.com/pubsub/docs/emulator, https://cloud.google.com/pubsub/docs/reference/rest).

The emulator is Google's own, shipped with the Cloud SDK (`platform/pubsub-emulator` under the
SDK root that `gcloud info --format='value(installation.sdk_root)'` prints); nothing here
imitates it. Used by the tests and the benchmarks; `fleet-sandbox --pubsub-emulator HOST:PORT`
publishes to one started this way or by `gcloud beta emulators pubsub start`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STARTUP_TIMEOUT_S = 60.0
RELATIVE_BINARY = Path("platform/pubsub-emulator/bin/cloud-pubsub-emulator")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def emulator_binary() -> Path | None:
    """The emulator's start script, or None where the Cloud SDK or its emulator is absent."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    try:
        root = subprocess.run(
            [gcloud, "info", "--format=value(installation.sdk_root)"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    binary = Path(root) / RELATIVE_BINARY
    return binary if binary.is_file() and os.access(binary, os.X_OK) else None


@dataclass
class PubSubEmulator:
    """A running emulator: its `host:port`, and REST calls on it."""

    host_port: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host_port}/v1"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else {}

    def create_topic(self, topic: str) -> None:
        """`projects/P/topics/T`; one that exists already is kept."""
        try:
            self.call("PUT", topic, {})
        except urllib.error.HTTPError as err:
            if err.code != 409:
                raise

    def create_push_subscription(
        self,
        subscription: str,
        topic: str,
        endpoint: str,
        *,
        min_backoff_s: float = 0.1,
        max_backoff_s: float = 1.0,
        ack_deadline_s: int = 10,
    ) -> None:
        """A push subscription (`projects/P/subscriptions/S`) on `topic` to `endpoint`."""
        self.call(
            "PUT",
            subscription,
            {
                "topic": topic,
                "pushConfig": {"pushEndpoint": endpoint},
                "ackDeadlineSeconds": ack_deadline_s,
                "retryPolicy": {
                    "minimumBackoff": f"{min_backoff_s}s",
                    "maximumBackoff": f"{max_backoff_s}s",
                },
            },
        )

    def delete_subscription(self, subscription: str) -> None:
        try:
            self.call("DELETE", subscription)
        except urllib.error.HTTPError as err:
            if err.code != 404:
                raise

    def create_pull_subscription(
        self, subscription: str, topic: str, ack_deadline_s: int = 10
    ) -> None:
        self.call("PUT", subscription, {"topic": topic, "ackDeadlineSeconds": ack_deadline_s})

    def publish(self, topic: str, data: bytes, attributes: dict[str, str] | None = None) -> str:
        """Publish one message; its message ID."""
        message = {"data": base64.b64encode(data).decode(), "attributes": attributes or {}}
        answer = self.call("POST", f"{topic}:publish", {"messages": [message]})
        return str(answer["messageIds"][0])

    def pull(self, subscription: str, max_messages: int = 100) -> list[dict[str, Any]]:
        """Received messages (`ackId`, `message`), acknowledged; [] when none is waiting."""
        answer = self.call(
            "POST", f"{subscription}:pull", {"maxMessages": max_messages, "returnImmediately": True}
        )
        received = list(answer.get("receivedMessages", []))
        if received:
            ack_ids = [r["ackId"] for r in received]
            self.call("POST", f"{subscription}:acknowledge", {"ackIds": ack_ids})
        return received

    def pull_until(
        self, subscription: str, count: int, timeout_s: float = 10.0
    ) -> list[dict[str, Any]]:
        """Pull until `count` messages came or `timeout_s` passed; every message pulled."""
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        while len(messages) < count and time.monotonic() < deadline:
            batch = self.pull(subscription)
            messages.extend(batch)
            if not batch:
                time.sleep(0.05)
        return messages


def start_emulator(binary: Path, log_path: Path, port: int = 0) -> PubSubEmulator:
    """Start the emulator on 127.0.0.1 and wait until it answers."""
    port = port or _free_port()
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [str(binary), "--host=127.0.0.1", f"--port={port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    emulator = PubSubEmulator(f"127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Pub/Sub emulator exited:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return emulator
        except urllib.error.HTTPError:
            return emulator  # it answers: up
        except OSError:
            time.sleep(0.1)
    emulator.stop()
    raise RuntimeError(f"the Pub/Sub emulator did not answer within {STARTUP_TIMEOUT_S}s")
