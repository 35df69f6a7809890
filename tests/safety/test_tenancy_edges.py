"""Tenancy over the in-memory adapters, from a second adversarial review: the mass-delete
guard per fleet, a change of prefix, a labelled copy, and a DeleteScope's effect on the
Secrets. No network, no sleeps."""

from __future__ import annotations

from fleetsync.core.events import SCOPE, AuditEvent
from fleetsync.core.model import MembershipRef
from fleetsync.core.tenancy import AppProject
from tests.safety.memory import Member, World
from tests.safety.test_sync import ALL, TEAM, A, B, config, fleets, secret, wire

SCOPE_LABEL_OF_PAY = "scope.fleet-argocd-sync.io/pay"


def deletes(world: World) -> list[tuple[str, str]]:
    return [c for c in world.calls if c[1] == "delete_project"]


def test_a_fleet_that_suddenly_lists_no_scopes_cannot_take_its_teams_without_force():
    """Fleet A holds 3 of the target's 10 teams and its scopes list answers an empty list (not
    an error): the guard counts per fleet too (3 of 3 of fleet A), so nothing is deleted
    without `force`, although 3 of 10 over all fleets would pass."""
    hub = fleets({}, {})
    hub[A].scopes = {f"a{i}": ("web",) for i in range(3)}
    hub[B].scopes = {f"b{i}": ("web",) for i in range(7)}
    clusters = {"all": World({})}
    sync = wire(config(TEAM), hub, clusters)
    sync.resync()
    assert len(clusters["all"].projects) == 10
    hub[A].scopes = {}  # fleet A's scopes list suddenly answers []
    report = sync.resync()
    assert deletes(clusters["all"]) == [], "fleet A's teams deleted without force"
    assert report.refused and len(report.deletes_withheld) == 3
    forced = sync.resync(force=True)
    assert sorted(clusters["all"].projects) == [f"team-b{i}" for i in range(7)], forced


def test_changing_the_prefix_replaces_the_appprojects_instead_of_failing_every_run():
    """Tenancy's prefix changes from team- to t-: t-pay is created and team-pay, ours and no
    longer asked for, is deleted. The read before a delete confirms by name, so the live scope
    pay does not hold team-pay back round after round (which made every run answer 503)."""
    hub = fleets({"a1": Member(scopes={"pay"})}, {})
    hub[A].scopes = {"pay": ("web",)}
    clusters = {"all": World({})}
    wire(config(TEAM), hub, clusters).resync()
    assert sorted(clusters["all"].projects) == ["team-pay"]
    renamed = {**TEAM, "tenancy": {**TEAM["tenancy"], "prefix": "t-"}}  # type: ignore[dict-item]
    report = wire(config(renamed), hub, clusters).resync()
    assert not report.errors and not report.retryable, report.to_json()
    assert sorted(clusters["all"].projects) == ["t-pay"]


def test_an_appproject_copied_with_our_labels_never_makes_every_run_fail():
    """A copy of team-pay that keeps our labels is ours by those labels and asked for by no
    scope: it is deleted like any of ours, and the run settles instead of failing for ever."""
    hub = fleets({"a1": Member(scopes={"pay"})}, {})
    hub[A].scopes = {"pay": ("web",)}
    clusters = {"all": World({})}
    sync = wire(config(TEAM), hub, clusters)
    sync.resync()
    original = clusters["all"].projects["team-pay"]
    clusters["all"].version += 1
    clusters["all"].projects["team-pay-copy"] = AppProject(
        "team-pay-copy", dict(original.labels), dict(original.spec), str(clusters["all"].version)
    )
    report = sync.resync()
    assert not report.errors and not report.retryable, report.to_json()


def test_a_deleted_scope_leaves_no_secret_naming_it_once_its_event_is_handled():
    """Events alone converge. DeleteScope takes the scope's bindings with it (the sandbox does
    so; nothing public says the real API keeps them) and logs only DeleteScope: its event
    converges the memberships whose Secrets carry the scope, after the AppProjects, so the
    scope label and `project: team-pay` leave the Secret with it."""
    hub = fleets({"m1": Member(scopes={"pay"})}, {})
    hub[A].scopes = {"pay": ("web",)}
    clusters = {"all": World({})}
    sync = wire(config(TEAM), hub, clusters)
    sync.resync()
    name = secret("m1", A)
    assert clusters["all"].secrets[name].data["project"] == "team-pay"
    # DeleteScope pay in fleet A: the scope, its namespaces and its bindings go.
    del hub[A].scopes["pay"]
    hub[A].members["m1"].scopes.clear()
    event = AuditEvent(
        "google.cloud.gkehub.v1.GkeHub.DeleteScope",
        SCOPE,
        MembershipRef("global", "pay"),
        f"projects/{A}/locations/global/scopes/pay",
        A,
        last=True,
    )
    report = sync.handle_event(event)
    assert not report.retryable and not report.errors
    assert "team-pay" not in clusters["all"].projects
    stored = clusters["all"].secrets[name]
    assert stored.data.get("project", "") != "team-pay", "the Secret names a deleted AppProject"
    assert SCOPE_LABEL_OF_PAY not in stored.labels
    assert not sync.resync(dry_run=True).pending


def test_a_deleted_scope_updates_the_scope_labels_of_a_target_without_tenancy():
    """The same DeleteScope with no tenancy at all: the scope label leaves the Secret."""
    hub = fleets({"m1": Member(scopes={"pay"})}, {})
    hub[A].scopes = {"pay": ()}
    clusters = {"all": World({})}
    sync = wire(config(ALL), hub, clusters)
    sync.resync()
    assert SCOPE_LABEL_OF_PAY in clusters["all"].secrets[secret("m1", A)].labels
    del hub[A].scopes["pay"]
    hub[A].members["m1"].scopes.clear()
    event = AuditEvent(
        "google.cloud.gkehub.v1.GkeHub.DeleteScope",
        SCOPE,
        MembershipRef("global", "pay"),
        f"projects/{A}/locations/global/scopes/pay",
        A,
        last=True,
    )
    sync.handle_event(event)
    assert SCOPE_LABEL_OF_PAY not in clusters["all"].secrets[secret("m1", A)].labels
    assert not sync.resync(dry_run=True).pending
