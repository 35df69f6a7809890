"""AppProjects from fleet scopes: destinations, ownership, deletes only for scopes gone."""

from __future__ import annotations

from dataclasses import replace

from fleetsync.core.labels import parse_selector
from fleetsync.core.model import (
    FLEET_LABEL_PREFIX,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    SCOPE_LABEL,
    TARGET_LABEL,
    FleetListing,
    Membership,
    MembershipRef,
)
from fleetsync.core.planning import CREATE, DELETE, UPDATE
from fleetsync.core.tenancy import (
    AppProject,
    FleetScopes,
    TenancyRules,
    desired_projects,
    plan_projects,
    same_project,
)

A, B = "111111111111", "222222222222"
GATEWAY = "http://gw"
RULES = TenancyRules("prod", "team-", ("https://git.example/a",), gateway_endpoint=GATEWAY)


def member(ident: str, *scopes: str, env: str = "prod", state: str = "READY") -> Membership:
    return Membership(MembershipRef("us-central1", ident), state, {"env": env}, tuple(scopes))


def fleet(number: str, scopes: dict[str, tuple[str, ...]], *members: Membership) -> FleetScopes:
    return FleetScopes(number, scopes, FleetListing(tuple(members)))


def server(number: str, ident: str) -> str:
    return f"{GATEWAY}/v1/projects/{number}/locations/us-central1/gkeMemberships/{ident}"


def test_destinations_are_bound_clusters_times_fleet_namespaces_across_fleets():
    views = [
        fleet(A, {"pay": ("web", "api"), "ops": ()}, member("a1", "pay"), member("a2")),
        fleet(B, {"pay": ("web",)}, member("b1", "pay", "ops")),
    ]
    projects = desired_projects(views, RULES)
    assert sorted(projects) == ["team-ops", "team-pay"]
    pay = projects["team-pay"]
    assert pay.spec["destinations"] == [
        {"server": server(A, "a1"), "namespace": "api"},
        {"server": server(A, "a1"), "namespace": "web"},
        {"server": server(B, "b1"), "namespace": "web"},
    ]
    assert pay.spec["sourceRepos"] == ["https://git.example/a"]
    assert pay.spec["clusterResourceWhitelist"] == []
    assert pay.labels == {
        MANAGED_BY_LABEL: MANAGED_BY_VALUE,
        SCOPE_LABEL: "pay",
        TARGET_LABEL: "prod",
        FLEET_LABEL_PREFIX + A: "true",  # the fleets the scope is in, for the delete guard
        FLEET_LABEL_PREFIX + B: "true",
    }
    # ops has no namespace in fleet A and is not a scope of fleet B: no destination at all.
    assert projects["team-ops"].spec["destinations"] == []


def test_clusters_the_target_does_not_select_or_that_are_going_are_no_destinations():
    rules = replace(RULES, selector=parse_selector("env=prod"), cluster_resources=True)
    views = [
        fleet(
            A,
            {"pay": ("web",)},
            member("dev1", "pay", env="dev"),
            member("gone", "pay", state="DELETING"),
            member("busy", "pay", state="UPDATING"),  # held: keeps its Secret, and its place
        )
    ]
    pay = desired_projects(views, rules)["team-pay"]
    assert pay.spec["destinations"] == [{"server": server(A, "busy"), "namespace": "web"}]
    assert pay.spec["clusterResourceWhitelist"] == [{"group": "*", "kind": "*"}]


def ours(name: str, scope: str, fleets: tuple[str, ...] = (A,), **spec: object) -> AppProject:
    labels = {MANAGED_BY_LABEL: MANAGED_BY_VALUE, SCOPE_LABEL: scope, TARGET_LABEL: "prod"}
    labels.update({FLEET_LABEL_PREFIX + number: "true" for number in fleets})
    return AppProject(name, labels, spec, resource_version="7")


def test_a_foreign_appproject_of_the_same_name_is_a_conflict_and_never_written():
    desired = desired_projects([fleet(A, {"pay": ("web",)})], RULES)
    foreign = AppProject("team-pay", {"owner": "someone"}, {"sourceRepos": ["x"]}, "3")
    other_target = replace(
        ours("team-pay", "pay"), labels={**ours("t", "pay").labels, TARGET_LABEL: "dev"}
    )
    for existing in (foreign, other_target):
        plan = plan_projects(desired, {"team-pay": existing}, "prod", max_fraction=0.5)
        assert plan.conflicts == ("team-pay",) and plan.changes == ()


def test_only_ours_whose_scope_is_gone_is_deleted():
    desired = desired_projects([fleet(A, {"pay": ()})], RULES)
    existing = {
        "team-pay": ours("team-pay", "pay", **desired["team-pay"].spec),
        "team-old": ours("team-old", "old"),
        "hand-made": AppProject("hand-made", {}, {}, "1"),
        "unlabelled": AppProject("unlabelled", {MANAGED_BY_LABEL: MANAGED_BY_VALUE}, {}, "1"),
    }
    plan = plan_projects(desired, existing, "prod", max_fraction=1.0)
    assert [(c.action, c.project.name) for c in plan.changes] == [(DELETE, "team-old")]
    assert plan.unchanged == ("team-pay",)


def test_the_mass_delete_guard_withholds_appproject_deletes():
    existing = {f"team-{s}": ours(f"team-{s}", s) for s in ("a", "b", "c")}
    plan = plan_projects({}, existing, "prod", max_fraction=0.5)
    assert plan.changes == () and plan.deletes_withheld == ("team-a", "team-b", "team-c")
    assert "would delete 3 of 3 AppProjects" in plan.refused
    forced = plan_projects({}, existing, "prod", max_fraction=0.5, force=True)
    assert {c.action for c in forced.changes} == {DELETE}


def test_updates_carry_the_version_read_and_ignore_fields_that_are_not_ours():
    desired = desired_projects([fleet(A, {"pay": ("web",)}, member("a1", "pay"))], RULES)
    current = ours("team-pay", "pay", **{**desired["team-pay"].spec, "roles": [{"name": "ci"}]})
    assert same_project(desired["team-pay"], current)
    stale = ours("team-pay", "pay", **{**current.spec, "destinations": []})
    (change,) = plan_projects(desired, {"team-pay": stale}, "prod", max_fraction=0.5).changes
    assert (change.action, change.project.resource_version) == (UPDATE, "7")
    created = plan_projects(desired, {}, "prod", max_fraction=0.5).changes
    assert [c.action for c in created] == [CREATE]


def test_a_view_is_incomplete_when_any_part_could_not_be_read():
    assert fleet(A, {}, member("a1")).complete
    assert not FleetScopes(A, None, FleetListing()).complete
    assert not FleetScopes(A, {}, FleetListing((), ("projects/1/locations/x",))).complete
    assert not fleet(A, {}, replace(member("a1"), scopes=None)).complete


def test_the_guard_counts_per_fleet_and_an_update_drops_a_fleet_the_scope_left():
    existing = {f"team-{s}": ours(f"team-{s}", s, fleets=(B,)) for s in "abc"}
    existing |= {f"team-{s}": ours(f"team-{s}", s) for s in "defghij"}  # fleet A: 7 of 10
    desired = {n: p for n, p in existing.items() if FLEET_LABEL_PREFIX + A in p.labels}
    plan = plan_projects(desired, existing, "prod", max_fraction=0.5)
    assert plan.changes == () and "3 of 3 AppProjects of fleet 222222222222" in plan.refused
    moved = desired_projects([fleet(A, {"pay": ()})], RULES)["team-pay"]
    both = ours("team-pay", "pay", fleets=(A, B), **moved.spec)
    (change,) = plan_projects(
        {"team-pay": moved}, {"team-pay": both}, "prod", max_fraction=0.5
    ).changes
    assert (change.action, change.stale_labels) == (UPDATE, (FLEET_LABEL_PREFIX + B,))


def test_the_description_keeps_to_the_crds_255_characters_however_many_fleets_share_a_scope():
    scope = "s" * 63  # the longest scope id: an RFC 1123 label
    numbers = [str(10**11 + n) for n in range(20)]  # twenty 12-digit project numbers
    views = [fleet(number, {scope: ()}) for number in reversed(numbers)]
    description = desired_projects(views, RULES)["team-" + scope].spec["description"]
    assert len(description) <= 255 and len(description.encode()) <= 255
    listed, _, more = description.partition(" ... and ")
    shown = listed.removeprefix(f"Fleet scope {scope} of fleet ").rstrip(",").split(", ")
    assert shown == numbers[: len(shown)]  # the first ones, sorted: stable from run to run
    assert more == f"{len(numbers) - len(shown)} more; managed by fleet-argocd-sync"
    for count in (*range(1, 40), 1000):  # numbers of the longest form the config accepts
        many = [fleet(str(10**19 + n), {scope: ()}) for n in range(count)]
        assert len(desired_projects(many, RULES)["team-" + scope].spec["description"]) <= 255
    few = desired_projects([fleet(B, {"pay": ()}), fleet(A, {"pay": ()})], RULES)["team-pay"]
    assert few.spec["description"] == (
        f"Fleet scope pay of fleet {A}, {B}; managed by fleet-argocd-sync"  # as before: no update
    )
