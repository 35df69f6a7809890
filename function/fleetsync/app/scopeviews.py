"""What tenancy reads of GKE Hub: every fleet whole (a resync), or only the scopes an audit
entry can change, so an event's cost does not grow with the number of scopes.

An entry about a membership (or one of its bindings) can change the AppProjects of the scopes
it is bound to now and of those whose AppProject lists it now; an entry about a scope or a
fleet namespace, that scope's. For each such scope, each fleet is asked for its fleet
namespaces and its bound memberships (`scopes.listMemberships` in the gkehub v1 discovery
document): two Hub calls per scope and fleet, after the membership's bindings (taken from
this entry's Secret lanes where they read them: app/seen.py) and, where those answer
nothing, the membership itself. Any other entry (a cluster's, a registration's) reads every
fleet whole, as a resync does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from fleetsync.app.ports import ScopeReader
from fleetsync.app.seen import seen
from fleetsync.core.carryover import fleet_of_server
from fleetsync.core.events import MEMBERSHIP, SCOPE, AuditEvent
from fleetsync.core.model import SCOPE_LABEL, FleetListing, Membership, MembershipRef
from fleetsync.core.tenancy import AppProject, FleetScopes


def whole_fleet(number: str, reader: ScopeReader) -> FleetScopes:
    # Listing before scopes: a scope created in between is seen with no bindings yet.
    listing = reader.list_fleet()
    return FleetScopes(number, reader.list_scopes(), listing)


def scopes_only(number: str, reader: ScopeReader, scopes: Collection[str]) -> FleetScopes:
    """The fleet as far as these scopes go: their namespaces and bound memberships."""
    found: dict[str, tuple[str, ...]] = {}
    members: dict[MembershipRef, Membership] = {}
    complete = True
    for scope in sorted(scopes):
        view = reader.scope_view(scope)
        if view is None:
            continue  # no such scope in this fleet
        found[scope] = view.namespaces
        complete = complete and view.complete
        for member in view.members:
            known = members.get(member.ref)
            both = {*(known.scopes or ()), *(member.scopes or ())} if known else None
            members[member.ref] = (
                replace(known, scopes=tuple(sorted(both))) if known and both else member
            )
    missing = () if complete else ("a location of the scopes' memberships",)
    return FleetScopes(number, found, FleetListing(tuple(members.values()), missing))


def affected_scopes(
    event: AuditEvent,
    existing: Mapping[str, AppProject],
    readers: Mapping[str, ScopeReader],
    owners: Collection[str],
) -> set[str] | None:
    """The scopes whose AppProjects this entry can change; None: any (read everything)."""
    if event.kind == SCOPE:
        return {event.ref.membership}  # a scope's ref holds the scope id
    if event.kind != MEMBERSHIP:
        return None
    # A project ID names no fleet by itself: look for the membership in each.
    numbers = [event.project] if event.project in readers else list(readers)
    ref, bound = event.ref, set[str]()
    for number in numbers:
        reader = readers[number]
        # The bindings first (as this entry's handling read them already, if it did), the
        # membership only to tell "not here" (404) from unreadable.
        scopes = seen(number, ref)
        scopes = reader.scopes_of(ref) if scopes is None else scopes
        if scopes is None:
            if reader.get_membership(ref) is None:
                continue  # not in this fleet (or gone): no bindings of it here
            return None  # the bindings could not all be read: read everything
        bound.update(scopes)
    listed = {
        project.labels[SCOPE_LABEL]
        for project in existing.values()
        if project.owned_by(owners) and SCOPE_LABEL in project.labels
        for destination in project.spec.get("destinations") or ()
        if _names(str(destination.get("server", "")), ref, numbers)
    }
    return bound | listed


def _names(server: str, ref: MembershipRef, numbers: Collection[str]) -> bool:
    """Whether a gateway server URL is this membership's, in one of these fleets."""
    where = f"/locations/{ref.location}/"
    number = fleet_of_server(server)
    return number in numbers and where in server and server.rsplit("/", 1)[-1] == ref.membership
