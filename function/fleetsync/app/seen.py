"""The bindings already read while handling one audit entry, for tenancy to choose by.

Tenancy reads a membership's bindings only to choose which scopes an entry can change
(`scopeviews.affected_scopes`); what it writes is decided from those scopes' own reads, made
after the AppProjects'. Every read made while handling an entry comes after the change the
entry reports, so a Secret lane's read of the bindings chooses as well as a fresh one (a
change made since is another entry's, and that entry's handling reads it). The Secret lanes
never use what is kept here: each reads the membership after its own Secret, as
`reconcile`'s order requires. Outside `one_entry` (a resync, a test) nothing is kept; what a
registration entry's resync keeps is never asked for, as such an entry reads every fleet whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from fleetsync.core.model import MembershipRef

Bindings = dict[tuple[str, MembershipRef], tuple[str, ...]]  # by (fleet number, membership)
_SEEN: ContextVar[Bindings | None] = ContextVar("bindings_seen", default=None)


@contextmanager
def one_entry() -> Iterator[None]:
    token = _SEEN.set({})
    try:
        yield
    finally:
        _SEEN.reset(token)


def saw(number: str, ref: MembershipRef, scopes: tuple[str, ...] | None) -> None:
    """Keep a complete read of a membership's bindings for the rest of this entry."""
    kept = _SEEN.get()
    if kept is not None and scopes is not None:
        kept[(number, ref)] = scopes


def seen(number: str, ref: MembershipRef) -> tuple[str, ...] | None:
    """The bindings this entry's handling read already, or None when it read none."""
    kept = _SEEN.get()
    return None if kept is None else kept.get((number, ref))
