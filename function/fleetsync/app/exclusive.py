"""One resync at a time per target, across instances: take the target's Lease first, give it
back after (`core.leases` says who holds it; the store writes conditionally).

Events are not serialized: each converges what it names and is safe beside anything. A resync
lists and writes a whole fleet for minutes; two of them at once (a Scheduler retry, a manual
`POST /resync`) would double the writes against the gateway's quota.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from fleetsync.core.errors import ConflictError, SyncError
from fleetsync.core.leases import Lease

logger = logging.getLogger(__name__)
# Identifies this instance's process as a Lease holder.
INSTANCE = f"fleet-argocd-sync-{uuid.uuid4().hex[:12]}"


def lease_seconds(deadline_s: float) -> int:
    """How long a Lease lasts: past the resync deadline and its last writes (5 minutes), or
    an hour where there is no deadline (the CLI)."""
    return int(deadline_s) + 300 if deadline_s > 0 else 3600


class LeaseStore(Protocol):
    def read(self) -> Lease | None: ...

    def take(self, current: Lease | None, holder: str, duration_s: int, now: datetime) -> Lease: ...

    def release(self, current: Lease) -> None: ...


@dataclass
class ResyncLock:
    store: LeaseStore
    duration_s: int  # how long a holder that died blocks the others: past the resync deadline
    holder: str = INSTANCE
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    held: Lease | None = None  # as we wrote it: given back at that version

    def acquire(self) -> str:
        """Why this instance may not run now, or "" once it may: it holds the target's
        Lease, or the Lease cannot be used at all.

        A Lease held elsewhere stops the run. One that cannot be read or written (a 403 until
        the RBAC manifest with its rule is applied, a 503) does not: the resync runs without
        it, as safe as ever (every write is conditional), only possibly beside another one;
        the log says so."""
        try:
            current = self.store.read()
            now = self.clock()
            if current is not None and (why := current.taken_by_other(self.holder, now)):
                return why
            self.held = self.store.take(current, self.holder, self.duration_s, now)
        except ConflictError:  # another instance took it between our read and our write
            return "a resync of this target started elsewhere just now; retried"
        except SyncError as err:
            logger.warning("resync lease not taken, running without it: %s", err)
        return ""

    def release(self) -> None:
        """Give it back at the version we wrote (a conflict: not ours any more); a failure
        only lets it expire on its own."""
        held, self.held = self.held, None
        try:
            if held is not None:
                self.store.release(held)
        except SyncError as err:
            logger.warning("resync lease not released (it expires on its own): %s", err)
