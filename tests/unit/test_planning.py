import pytest

from fleetsync.core.labels import Selector, parse_selector
from fleetsync.core.model import (
    CLUSTER_PROFILE_ORIGIN_LABEL,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    OWNED_DATA_ANNOTATION,
    OWNED_LABELS_ANNOTATION,
    PLUGIN_ANNOTATION,
    SECRET_TYPE_LABEL,
    ClusterSecret,
    Membership,
    MembershipRef,
)
from fleetsync.core.planning import (
    CREATE,
    DELETE,
    UPDATE,
    Change,
    Plan,
    exceeds_delete_guard,
    guard_deletes,
    merge_secret,
    plan_changes,
)
from fleetsync.core.rendering import SecretTarget, render_secret
from fleetsync.core.verdicts import DROP, HOLD, WANT, desired_secrets, verdict

NUMBER = "123456789012"
TARGET = SecretTarget(NUMBER)


def desired(ident, labels=None, scopes=()):
    membership = Membership(MembershipRef("us-central1", ident), "READY", labels or {}, scopes)
    return render_secret(membership, TARGET)[0]


def applied(secret, rv="1", **changes):
    """What the API server would hold after writing `secret`."""
    return ClusterSecret(
        secret.name, dict(secret.labels), dict(secret.annotations), dict(secret.data), rv
    )


def foreign(name):
    return ClusterSecret(name, {SECRET_TYPE_LABEL: "cluster"}, {}, {"server": "https://x"}, "7")


A, B = desired("a", {"env": "prod"}), desired("b")


@pytest.mark.parametrize(
    ("want", "have", "complete", "creates", "updates", "deletes", "conflicts"),
    [
        ({A.name: A}, {}, True, [A.name], [], [], []),
        ({A.name: A}, {A.name: applied(A)}, True, [], [], [], []),
        ({}, {A.name: applied(A)}, True, [], [], [A.name], []),
        ({}, {A.name: applied(A)}, False, [], [], [], []),
        ({A.name: A}, {A.name: foreign(A.name)}, True, [], [], [], [A.name]),
        ({}, {A.name: foreign(A.name)}, True, [], [], [], []),
        ({A.name: desired("a", {"env": "dev"})}, {A.name: applied(A)}, True, [], [A.name], [], []),
        ({A.name: A, B.name: B}, {B.name: applied(B)}, False, [A.name], [], [], []),
    ],
)
def test_plan_changes(want, have, complete, creates, updates, deletes, conflicts):
    plan = plan_changes(want, have, project_number=NUMBER, complete=complete)
    assert plan.names(CREATE) == creates
    assert plan.names(UPDATE) == updates
    assert plan.names(DELETE) == deletes
    assert list(plan.conflicts) == conflicts


def test_incomplete_listing_reports_withheld_deletes():
    plan = plan_changes({}, {A.name: applied(A)}, project_number=NUMBER, complete=False)
    assert plan.deletes_withheld == (A.name,)


def test_held_secrets_are_neither_changed_nor_deleted():
    plan = plan_changes(
        {A.name: desired("a", {"env": "dev"})},
        {A.name: applied(A)},
        project_number=NUMBER,
        complete=True,
        hold=[A.name],
    )
    assert plan.changes == ()
    plan = plan_changes(
        {}, {A.name: applied(A)}, project_number=NUMBER, complete=True, hold=[A.name]
    )
    assert plan.changes == ()


def test_plugin_secret_of_this_fleet_is_adopted_and_loses_the_plugin_mark():
    plugin = ClusterSecret(
        A.name,
        {SECRET_TYPE_LABEL: "cluster"},
        {PLUGIN_ANNOTATION: "true"},
        {"name": A.name, "server": A.data["server"], "config": "{}"},
        "3",
    )
    plan = plan_changes({A.name: A}, {A.name: plugin}, project_number=NUMBER, complete=True)
    (change,) = plan.changes
    assert change.action == UPDATE
    assert change.secret.labels[MANAGED_BY_LABEL] == MANAGED_BY_VALUE
    assert PLUGIN_ANNOTATION not in change.secret.annotations
    assert change.secret.resource_version == "3"


def test_a_secret_argo_cds_cluster_profile_controller_made_is_never_ours():
    """The controller copies a ClusterProfile's labels onto its Secret `cluster-<profile>`
    (argo-cd `mutateSecret`), ours too if the ClusterProfile had them; that name reads as
    membership `cluster-a` of this fleet, which no listing holds: without the rule, a delete."""
    made = ClusterSecret(
        f"cluster-a.us-central1.{NUMBER}",
        {
            SECRET_TYPE_LABEL: "cluster",
            MANAGED_BY_LABEL: MANAGED_BY_VALUE,
            CLUSTER_PROFILE_ORIGIN_LABEL: f"fleet-cluster-inventory-a.us-central1.{NUMBER}",
        },
        {},
        {"name": f"a.us-central1.{NUMBER}", "server": "https://gw"},
        "3",
    )
    assert not made.managed
    plan = plan_changes({}, {made.name: made}, project_number=NUMBER, complete=True)
    assert plan.changes == ()


def test_plugin_secret_of_another_fleet_is_not_ours():
    other = ClusterSecret(
        "a.us-central1.999", {SECRET_TYPE_LABEL: "cluster"}, {PLUGIN_ANNOTATION: "true"}, {}, "3"
    )
    plan = plan_changes({}, {other.name: other}, project_number=NUMBER, complete=True)
    assert plan.changes == ()


def test_merge_keeps_what_others_added_and_drops_labels_the_membership_lost():
    current = applied(desired("a", {"env": "prod", "tier": "web"}, scopes=("team-a",)))
    current = ClusterSecret(
        current.name,
        {**current.labels, "added-by-operator": "yes"},
        {**current.annotations, "argocd.argoproj.io/refresh": "now"},
        {**current.data, "shard": "2"},
        "5",
    )
    merged = merge_secret(desired("a", {"env": "prod"}), current)
    assert "tier" not in merged.labels
    assert "scope.fleet-argocd-sync.io/team-a" not in merged.labels
    assert merged.labels["added-by-operator"] == "yes"
    assert merged.annotations["argocd.argoproj.io/refresh"] == "now"
    assert merged.data["shard"] == "2"
    assert merged.annotations[OWNED_LABELS_ANNOTATION] == "env"
    assert merged.annotations[OWNED_DATA_ANNOTATION] == "config,name,server"


def test_second_plan_after_applying_writes_nothing():
    current = ClusterSecret(A.name, {"x": "1"}, {}, {"extra": "v"}, "1")
    current = ClusterSecret(
        A.name, {**current.labels, MANAGED_BY_LABEL: MANAGED_BY_VALUE}, {}, dict(current.data), "1"
    )
    first = plan_changes({A.name: A}, {A.name: current}, project_number=NUMBER, complete=True)
    (change,) = first.changes
    second = plan_changes(
        {A.name: A}, {A.name: applied(change.secret, "2")}, project_number=NUMBER, complete=True
    )
    assert second.changes == ()
    assert second.unchanged == (A.name,)


@pytest.mark.parametrize(
    ("deletes", "owned", "fraction", "refused"),
    [
        (1, 1, 0.5, False),
        (2, 2, 0.5, True),
        (2, 4, 0.5, False),
        (3, 4, 0.5, True),
        (3, 4, 1.0, False),
        (2, 10, 0.0, True),
    ],
)
def test_delete_guard(deletes, owned, fraction, refused):
    existing = {f"m{i}.us-central1.{NUMBER}": applied(desired(f"m{i}")) for i in range(deletes)}
    plan = plan_changes({}, existing, project_number=NUMBER, complete=True)
    assert exceeds_delete_guard(plan, owned, fraction) is refused


def member(state="READY", labels=None, scopes=(), cluster_missing=False):
    return Membership(
        MembershipRef("us-central1", "m1"),
        state,
        {"env": "prod", **(labels or {})},
        scopes,
        "uid",
        cluster_missing=cluster_missing,
    )


@pytest.mark.parametrize(
    ("membership", "expected", "warns"),
    [
        (member(), WANT, False),
        (None, DROP, False),
        (member("DELETING"), DROP, False),
        (member(cluster_missing=True), DROP, False),
        (member(labels={"env": "dev"}), DROP, False),
        (member("CREATING"), HOLD, False),
        (member("UPDATING"), HOLD, False),
        (member("SERVICE_UPDATING"), HOLD, False),
        (member("CODE_UNSPECIFIED"), HOLD, True),
        (member("CODE_7"), HOLD, True),
    ],
)
def test_verdict(membership, expected, warns):
    decision, warning = verdict(membership, parse_selector("env=prod"))
    assert decision == expected
    assert bool(warning) == warns
    if warns:
        assert "us-central1/m1" in warning and membership.state in warning


def test_scopes_from_a_partial_view_keep_the_current_scope_labels():
    current = applied(desired("m1", {"env": "prod"}, scopes=("team-a",)))
    found = desired_secrets(
        [member(labels={"tier": "web"}, scopes=None)], {current.name: current}, Selector(), TARGET
    )
    secret = found.secrets[current.name]
    assert secret.labels["scope.fleet-argocd-sync.io/team-a"] == "true"
    assert secret.labels["tier"] == "web"
    assert found.scopes_kept == (current.name,)
    plan = plan_changes(
        found.secrets, {current.name: current}, project_number=NUMBER, complete=True
    )
    assert plan.names(UPDATE) == [current.name]
    assert "-scope.fleet-argocd-sync.io/team-a" not in plan.changes[0].labels_changed


def test_a_scope_label_someone_else_set_is_not_taken_for_ours():
    current = applied(desired("m1", {"env": "prod"}))
    hand_made = ClusterSecret(
        current.name,
        {**current.labels, "scope.fleet-argocd-sync.io/x": "true"},
        current.annotations,
        current.data,
        "1",
    )
    found = desired_secrets([member(scopes=None)], {current.name: hand_made}, Selector(), TARGET)
    assert "scope.fleet-argocd-sync.io/x" not in found.secrets[current.name].labels


@pytest.mark.parametrize(("force", "withheld"), [(False, 3), (True, 0)])
def test_guard_deletes_moves_deletes_to_withheld_unless_forced(force, withheld):
    deletes = tuple(Change(DELETE, applied(desired(f"d{i}"))) for i in range(3))
    keep = (Change(CREATE, desired("new")),)
    plan, reason = guard_deletes(Plan(deletes + keep), 4, 0.5, force=force)
    assert len(plan.deletes_withheld) == withheld
    assert plan.names(CREATE) == [keep[0].secret.name]
    assert bool(reason) == (not force) and (not reason or "3 of 4" in reason)
