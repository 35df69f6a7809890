"""Events the way issue 22 routes them: the sandbox's log sink publishes every fleet change to a
topic on the real emulator, whose push subscription delivers each to the function at `POST /`.

What the wiring assumes of the function (its side of issue 22): `POST /` takes a Pub/Sub push
body, `{"message": {"data": base64(LogEntry JSON), "attributes", "messageId", "publishTime"},
"subscription"}` with `Content-Type: application/json`; 2xx acknowledges, 503 asks for the
message again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.emulator import PubSubEmulator
from tests.pubsub.conftest import fresh

AUDIT_METHODS = Path(__file__).resolve().parents[2] / "function/fleetsync/audit_methods.json"


def sink_filter() -> str:
    """The filter the Terraform module puts on the sink: admin activity of the product's methods."""
    methods = [m["methodName"] for m in json.loads(AUDIT_METHODS.read_text())["methods"]]
    listed = " OR ".join(f'"{m}"' for m in methods)
    return f'logName:"cloudaudit.googleapis.com%2Factivity" AND protoPayload.methodName=({listed})'


@dataclass
class Pipeline:
    topic: str
    subscription: str

    def wait_for(
        self, sandbox: SandboxClient, secret: str, present: bool = True, timeout_s: float = 20.0
    ) -> bool:
        """Whether the Argo CD cluster got (or lost) `secret` within `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (secret in sandbox.secrets()) is present:
                return True
            time.sleep(0.05)
        return False


def connect(
    sandbox: SandboxClient, pubsub: PubSubEmulator, function_url: str, query: str | None = None
) -> Pipeline:
    """A log sink on a new topic, and a push subscription from it to the function."""
    topic, subscription = fresh("topics"), fresh("subscriptions")
    pubsub.create_topic(topic)
    pubsub.create_push_subscription(
        subscription, topic, function_url.rstrip("/") + "/", min_backoff_s=0.1, max_backoff_s=1.0
    )
    sandbox.add_logsink(topic, sink_filter() if query is None else query)
    return Pipeline(topic, subscription)
