"""Tenancy over the in-memory adapters (no network, no sleeps), from an adversarial review:
an AppProject is deleted only when its scope is gone from every fleet, and Secrets point
only at AppProjects of ours."""

from __future__ import annotations

from dataclasses import replace

from fleetsync.core.model import MANAGED_BY_LABEL, MANAGED_BY_VALUE, SCOPE_LABEL, TARGET_LABEL
from fleetsync.core.tenancy import AppProject
from tests.safety.memory import Member, World
from tests.safety.test_sync import TEAM, A, B, config, fleets, secret, wire

ROLES = [
    {
        "name": "deployers",
        "policies": ["p, proj:team-pay:deployers, applications, *, team-pay/*, allow"],
    }
]


def test_a_scope_moving_from_fleet_b_to_fleet_a_never_loses_its_appproject():
    """The team `pay` moves from fleet B to fleet A: CreateScope in A first, then DeleteScope
    in B, so at every moment the scope exists in some fleet. A worker that reads fleet A
    before the create and fleet B after the delete sees `pay` nowhere; the read of every
    fleet right before the delete sees it again, so team-pay (and its hand-added roles) stays."""
    hub = fleets({"a1": Member()}, {"b1": Member(scopes={"pay"})})
    hub[A].scopes, hub[B].scopes = {}, {"pay": ("web",)}
    clusters = {"all": World({})}
    sync = wire(config(TEAM), hub, clusters)
    sync.resync()
    projects = clusters["all"].projects
    assert "team-pay" in projects
    # An administrator adds a role by hand (kept by our merge patches, as documented).
    clusters["all"].version += 1
    projects["team-pay"] = replace(
        projects["team-pay"],
        spec={**projects["team-pay"].spec, "roles": ROLES},
        resource_version=str(clusters["all"].version),
    )

    def migrate(worker: str, call: str) -> None:
        # Between this worker's read of fleet A and its read of fleet B.
        if call == "list_fleet":
            hub[B].hook = lambda w, c: None
            assert hub[A].scopes is not None and hub[B].scopes is not None
            hub[A].scopes["pay"] = ("web",)  # CreateScope in A ...
            hub[A].members["a1"].scopes.add("pay")
            del hub[B].scopes["pay"]  # ... then DeleteScope in B
            hub[B].members["b1"].scopes.discard("pay")

    hub[B].hook = migrate
    tenancy = sync.targets[0].projects
    assert tenancy is not None
    tenancy.reconcile()
    deletes = [c for c in clusters["all"].calls if c[1] == "delete_project"]
    assert deletes == [], "team-pay was deleted although scope pay existed all along"
    assert projects["team-pay"].spec.get("roles") == ROLES


def test_cluster_project_never_points_a_secret_at_a_foreign_appproject():
    """With cluster_project, a cluster bound to one scope gets `project: prefix+scope` only
    when that AppProject is ours: one of that name made by someone else (a conflict, left
    untouched) never receives the cluster."""
    hub = fleets({"a1": Member(scopes={"pay"})}, {})
    hub[A].scopes, hub[B].scopes = {"pay": ("web",)}, {}
    clusters = {"all": World({})}
    foreign = AppProject(
        "team-pay",
        {"owner": "someone-else"},
        {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}]},
        "1",
    )
    clusters["all"].projects["team-pay"] = foreign
    report = wire(config(TEAM), hub, clusters).resync()
    assert "AppProject team-pay" in report.conflicts
    assert clusters["all"].projects["team-pay"] == foreign
    data = clusters["all"].secrets[secret("a1", A)].data
    assert data.get("project") != "team-pay", "the Secret points at a foreign AppProject"


def test_an_appproject_of_another_target_is_never_deleted():
    """Control: an AppProject labelled for another target in our namespace stays."""
    hub = fleets({"a1": Member()}, {})
    hub[A].scopes, hub[B].scopes = {}, {}
    clusters = {"all": World({})}
    other = AppProject(
        "team-gone",
        {MANAGED_BY_LABEL: MANAGED_BY_VALUE, TARGET_LABEL: "other", SCOPE_LABEL: "gone"},
        {},
        "1",
    )
    clusters["all"].projects["team-gone"] = other
    wire(config(TEAM), hub, clusters).resync()
    assert clusters["all"].projects["team-gone"] == other
