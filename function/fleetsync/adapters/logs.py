"""Structured logs for Cloud Logging: one JSON object per line with `severity` and `message`.

google-cloud-logging's StructuredLogHandler adds the trace of the current request on Cloud
Run, so every line of one event shows together. Extra fields go in `json_fields`.
"""

from __future__ import annotations

import logging
import threading

_configured = threading.Event()
_lock = threading.Lock()


def configure_logging(project_id: str = "", level: int = logging.INFO) -> None:
    """Install the JSON handler on the root logger once. Imported lazily: it is not cheap."""
    if _configured.is_set():
        return
    with _lock:
        if _configured.is_set():
            return
        from google.cloud.logging_v2.handlers import StructuredLogHandler

        handler = StructuredLogHandler(project_id=project_id or None)  # type: ignore[no-untyped-call]
        root = logging.getLogger()
        root.handlers = [h for h in root.handlers if not isinstance(h, StructuredLogHandler)]
        root.addHandler(handler)
        root.setLevel(level)
        for noisy in ("urllib3", "google", "kubernetes"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        _configured.set()
