"""Tenancy chooses an entry's scopes from the bindings the entry's handling read already
(app/seen.py), and reads them itself only where nothing was read, or outside an entry."""

from fleetsync.app.scopeviews import affected_scopes
from fleetsync.app.seen import one_entry, saw
from fleetsync.core.events import MEMBERSHIP, AuditEvent
from fleetsync.core.model import Membership, MembershipRef

A, B = "123456789012", "210987654321"
REF = MembershipRef("us-central1", "app")


class Reader:
    """A fleet whose membership `app` is bound to `bound`, counting what it is asked."""

    def __init__(self, bound: tuple[str, ...] | None) -> None:
        self.bound, self.calls = bound, []

    def get_membership(self, ref):
        self.calls.append("get")
        return None if self.bound is None else Membership(ref, "READY")

    def scopes_of(self, ref):
        self.calls.append("bindings")
        return self.bound


def relabel(project: str = A) -> AuditEvent:
    name = f"projects/{project}/locations/us-central1/memberships/app"
    return AuditEvent(
        "google.cloud.gkehub.v1.GkeHub.UpdateMembership", MEMBERSHIP, REF, name, project
    )


def test_bindings_a_secret_lane_read_for_this_entry_are_not_read_again():
    readers = {A: Reader(("payments",))}
    with one_entry():
        saw(A, REF, ("payments", "search"))
        assert affected_scopes(relabel(), {}, readers, ("teams",)) == {"payments", "search"}
    assert readers[A].calls == []


def test_no_bindings_read_is_kept_past_its_entry_or_outside_one():
    readers = {A: Reader(("payments",))}
    with one_entry():
        saw(A, REF, ("search",))
    saw(A, REF, ("search",))  # outside an entry (a resync): kept nowhere
    assert affected_scopes(relabel(), {}, readers, ("teams",)) == {"payments"}
    assert readers[A].calls == ["bindings"]


def test_an_entry_naming_no_fleet_reads_where_nothing_was_read():
    """A project ID: each fleet is asked, but not where the entry's handling read already;
    a fleet without the membership answers its bindings with nothing, then its absence."""
    readers = {A: Reader(("payments",)), B: Reader(None)}
    with one_entry():
        saw(A, REF, ("payments",))
        saw(A, REF, None)  # an incomplete read keeps nothing (and forgets nothing)
        assert affected_scopes(relabel("acme-fleet"), {}, readers, ("teams",)) == {"payments"}
    assert readers[A].calls == [] and readers[B].calls == ["bindings", "get"]
