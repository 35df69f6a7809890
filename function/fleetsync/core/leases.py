"""Whether this instance may run a target's resync: a `coordination.k8s.io/v1` Lease in the
target's Argo CD namespace says who runs one, until when.

Cloud Run runs several instances, and a manual `POST /resync` or a Scheduler retry may land on
another while one runs. The Lease is taken by a conditional write (a create, or a replace at
the resourceVersion read), so of two instances at most one gets it; it expires on its own if
its holder dies, after `leaseDurationSeconds` from `renewTime`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LEASE_NAME = "fleet-argocd-sync-resync"  # one per target: one target per namespace


@dataclass(frozen=True)
class Lease:
    holder: str
    renewed: datetime | None
    duration_s: int
    resource_version: str = ""
    transitions: int = 0

    def until(self) -> datetime | None:
        return self.renewed + timedelta(seconds=self.duration_s) if self.renewed else None

    def taken_by_other(self, me: str, now: datetime) -> str:
        """Why `me` may not run now ("" if it may): held by someone else, not yet expired."""
        until = self.until()
        if not self.holder or self.holder == me or until is None or until <= now:
            return ""
        return (
            f"a resync of this target is running elsewhere (lease {LEASE_NAME} held by "
            f"{self.holder} until {until.isoformat(timespec='seconds')}); retried"
        )


def micro_time(moment: datetime) -> str:
    """metav1.MicroTime, as the API server reads it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_micro_time(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
