"""An HTTP endpoint that records what the sandbox sends it: Eventarc's pushes (POST /) and the
log sinks' Pub/Sub `topics.publish` calls (POST /v1/{topic}:publish), answering as a push
endpoint and as Pub/Sub do (204; `{"messageIds": [...]}`). It stands where the function and the
Pub/Sub emulator would, so the suite sees the sandbox's bytes and nothing else's."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.server.server_port}"

    def pushes(self) -> list[Received]:
        return [r for r in self.received if r.path == "/"]

    def published(self) -> list[dict[str, Any]]:
        """Every PubsubMessage published, in order."""
        return [
            message
            for r in self.received
            if r.path.endswith(":publish")
            for message in json.loads(r.body)["messages"]
        ]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_recorder() -> Recorder:
    recorder: Recorder

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            recorder.received.append(Received(self.path, dict(self.headers.items()), body))
            if self.path.endswith(":publish"):
                count = len(json.loads(body)["messages"])
                answer = json.dumps({"messageIds": [str(i) for i in range(count)]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            else:
                self.send_response(204)
                self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    recorder = Recorder(ThreadingHTTPServer(("127.0.0.1", 0), Handler))
    threading.Thread(target=recorder.server.serve_forever, daemon=True).start()
    return recorder
