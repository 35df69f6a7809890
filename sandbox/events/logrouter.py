"""Cloud Logging's Log Router: where every audit entry the sandbox logs goes.

Each entry goes to Eventarc (whose Cloud Audit Logs triggers are themselves fed by the router)
and to every Pub/Sub sink whose filter admits it, whatever fleet project logged it, as a sink
at a folder or organization sees every project below it
(https://cloud.google.com/logging/docs/routing/overview). Delivery is `eventarc`'s and
`logsinks`' concern.
"""

from __future__ import annotations

from typing import Any

from sandbox.events.eventarc import Eventarc
from sandbox.events.logsinks import LogSinks


class LogRouter:
    def __init__(self, eventarc: Eventarc, logsinks: LogSinks) -> None:
        self.eventarc, self.logsinks = eventarc, logsinks

    def publish(self, project_id: str, entry: dict[str, Any]) -> None:
        """Write one entry of `project_id`'s audit log: to Eventarc and to the log sinks."""
        self.eventarc.publish(project_id, entry)
        self.logsinks.route(entry)
