"""Audit-log CloudEvents for tests: the sandbox's own builder, for the fleet the tests use."""

from __future__ import annotations

from typing import Any

from sandbox.events.auditlog import audit_cloudevent


def audit_event(
    method: str,
    resource: str,
    *,
    phase: str = "last",
    status: dict[str, Any] | None = None,
    event_id: str = "evt-1",
) -> tuple[dict[str, str], bytes]:
    """A binary-mode audit-log CloudEvent as Eventarc sends it (the sandbox's own builder)."""
    return audit_cloudevent(
        "acme-fleet", method, resource, phase=phase, status=status, insert_id=event_id
    )
