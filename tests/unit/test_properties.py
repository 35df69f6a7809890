"""Planner properties over arbitrary fleets and clusters (hypothesis)."""

from hypothesis import given
from hypothesis import strategies as st

from fleetsync.core.model import MANAGED_BY_LABEL, ClusterSecret, Membership, MembershipRef
from fleetsync.core.planning import DELETE, is_ours, plan_changes
from fleetsync.core.rendering import SecretTarget, render_secret

NUMBER = "123456789012"
TARGET = SecretTarget(NUMBER)
ids = st.sampled_from(["a", "b", "c", "d", "e"])
label_maps = st.dictionaries(
    st.sampled_from(["env", "tier", "team", "Bad Key", "x_"]),
    st.sampled_from(["prod", "dev", "", "bad value"]),
    max_size=3,
)
memberships = st.dictionaries(
    ids, st.tuples(label_maps, st.lists(st.sampled_from(["s1", "s2"]), unique=True)), max_size=5
)


def as_written(secret: ClusterSecret, rv: str) -> ClusterSecret:
    return ClusterSecret(
        secret.name, dict(secret.labels), dict(secret.annotations), dict(secret.data), rv
    )


existing_secret = st.builds(
    lambda ident, ours, labels, data: ClusterSecret(
        f"{ident}.us-central1.{NUMBER}",
        {**labels, **({MANAGED_BY_LABEL: "fleet-argocd-sync"} if ours else {})},
        {},
        data,
        "1",
    ),
    ids,
    st.booleans(),
    label_maps,
    st.dictionaries(st.sampled_from(["server", "shard"]), st.text(max_size=5), max_size=2),
)


def desired_of(fleet):
    secrets = {}
    for ident, (labels, scopes) in fleet.items():
        membership = Membership(MembershipRef("us-central1", ident), "READY", labels, tuple(scopes))
        secret, _ = render_secret(membership, TARGET)
        secrets[secret.name] = secret
    return secrets


@given(fleet=memberships, existing=st.lists(existing_secret, max_size=5), complete=st.booleans())
def test_plan_is_idempotent_and_never_touches_foreign_secrets(fleet, existing, complete):
    desired = desired_of(fleet)
    cluster = {s.name: s for s in existing}
    plan = plan_changes(desired, cluster, project_number=NUMBER, complete=complete)
    for change in plan.changes:
        if change.secret.name in cluster:
            assert is_ours(cluster[change.secret.name], NUMBER)
        if change.action == DELETE:
            assert complete
    after = dict(cluster)
    for change in plan.changes:
        if change.action == DELETE:
            del after[change.secret.name]
        else:
            after[change.secret.name] = as_written(change.secret, "2")
    again = plan_changes(desired, after, project_number=NUMBER, complete=complete)
    assert again.changes == ()
    assert set(again.conflicts) == set(plan.conflicts)
