"""Decide which Secrets to create, update and delete. Pure: data in, data out.

Safety rules live here, where they can be read and tested on their own:
- only READY, selected memberships with a cluster get a Secret; only a membership that is
  gone (or registered again under a new uniqueId), DELETING, missing its cluster or no
  longer selected loses it; any other state (transitional, unspecified, unknown to this
  version) leaves the Secret as it is;
- only Secrets we own are updated or deleted; a foreign Secret of the same name is a conflict;
- nothing is deleted when the fleet listing was incomplete, and scope labels keep their
  current values when the bindings could not all be read;
- labels, annotations and data keys that someone else added to our Secret survive updates;
- the mass-delete guard withholds a plan's deletes when they are too many.
The order of reads that makes these decisions safe under concurrency is `reconcile`'s.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from fleetsync.core.labels import Selector
from fleetsync.core.model import (
    DELETING,
    LABEL_PREFIX,
    OWNED_DATA_ANNOTATION,
    OWNED_LABELS_ANNOTATION,
    PLUGIN_ANNOTATION,
    READY,
    SCOPE_LABEL_PREFIX,
    TARGET_LABEL,
    TRANSITIONAL_STATES,
    UNIQUE_ID_ANNOTATION,
    ClusterSecret,
    Membership,
    MembershipRef,
)
from fleetsync.core.naming import cluster_ref, parse_secret_name, secret_name
from fleetsync.core.rendering import SecretTarget, render_secret

CREATE, UPDATE, DELETE = "create", "update", "delete"
WANT, DROP, HOLD = "want", "drop", "hold"
# States of an operation a user started: its `last` audit entry will tell us when it ends.
OPERATIONS_WITH_LAST_ENTRY = frozenset({"CREATING", "UPDATING"})


@dataclass(frozen=True)
class Change:
    action: str
    secret: ClusterSecret
    labels_changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...] = ()
    unchanged: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    deletes_withheld: tuple[str, ...] = ()

    def names(self, action: str) -> list[str]:
        return [c.secret.name for c in self.changes if c.action == action]


@dataclass(frozen=True)
class Desired:
    """What a set of memberships asks for: Secrets, names to leave alone, and why."""

    secrets: Mapping[str, ClusterSecret]
    hold: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    scopes_kept: tuple[str, ...] = ()  # scope labels not derived: the bindings view was partial
    # Held, selected, with no Secret, in a state whose end may log no audit entry of ours
    # (SERVICE_UPDATING, unknown): only a retry will see it settle.
    unsettled: tuple[str, ...] = ()


def verdict(membership: Membership | None, selector: Selector) -> tuple[str, str]:
    """WANT, DROP or HOLD a membership's Secret (None: GKE Hub says it does not exist).

    The second value is a warning for a state this version does not know.
    """
    if membership is None or membership.state == DELETING:
        return DROP, ""
    if membership.state in TRANSITIONAL_STATES:
        return HOLD, ""
    if membership.state != READY:
        return HOLD, (
            f"membership {membership.ref} is in state {membership.state}, which this version "
            "does not act on; its Secret is left as it is"
        )
    if membership.cluster_missing or not selector.matches(membership.labels):
        return DROP, ""
    return WANT, ""


def desired_secrets(
    memberships: Iterable[Membership],
    existing: Mapping[str, ClusterSecret],
    selector: Selector,
    target: SecretTarget,
) -> Desired:
    """The Secrets these memberships should have, given the Secrets there are now."""
    secrets: dict[str, ClusterSecret] = {}
    hold: list[str] = []
    warnings: list[str] = []
    kept: list[str] = []
    unsettled: list[str] = []
    for membership in memberships:
        name = secret_name(membership.ref, target.project_number)
        decision, warning = verdict(membership, selector)
        if warning:
            warnings.append(warning)
        if decision == HOLD and not replaced(membership, existing.get(name)):
            hold.append(name)
            if (
                membership.state not in OPERATIONS_WITH_LAST_ENTRY
                and name not in existing
                and selector.matches(membership.labels)
            ):
                unsettled.append(name)
        elif decision == WANT:
            rendered = membership
            if membership.scopes is None:
                kept.append(name)
                rendered = replace(membership, scopes=current_scopes(existing.get(name)))
            secrets[name], found = render_secret(rendered, target)
            warnings.extend(found)
    return Desired(secrets, tuple(hold), tuple(warnings), tuple(kept), tuple(unsettled))


def cluster_not_yet_missing(
    cluster: MembershipRef, memberships: Iterable[Membership | None]
) -> list[str]:
    """Memberships still READY with a cluster that a DeleteCluster entry says is deleted.

    GKE Hub marks `clusterMissing` on its own schedule and logs no entry of ours for it,
    so the DeleteCluster event is retried until it has.
    """
    return [
        str(m.ref)
        for m in memberships
        if m is not None
        and m.state == READY
        and not m.cluster_missing
        and cluster_ref(m.cluster) == cluster
    ]


def replaced(membership: Membership, secret: ClusterSecret | None) -> bool:
    """The Secret was written for an earlier membership of the same id (another uniqueId):
    that membership is gone, whatever state the new one is in."""
    written_for = secret.annotations.get(UNIQUE_ID_ANNOTATION, "") if secret else ""
    return bool(written_for and membership.unique_id and written_for != membership.unique_id)


def current_scopes(secret: ClusterSecret | None) -> tuple[str, ...]:
    """The scopes a Secret of ours carries now (those we wrote, not someone else's labels)."""
    if secret is None:
        return ()
    owned = _key_list(secret.annotations.get(OWNED_LABELS_ANNOTATION, ""))
    return tuple(
        sorted(
            key.removeprefix(SCOPE_LABEL_PREFIX)
            for key in secret.labels
            if key.startswith(SCOPE_LABEL_PREFIX) and key in owned
        )
    )


def guard_deletes(
    plan: Plan, owned_count: int, max_fraction: float, *, force: bool
) -> tuple[Plan, str]:
    """The plan with its deletes withheld when they are too many, and the reason (or "")."""
    deletes = plan.names(DELETE)
    if force or not exceeds_delete_guard(plan, owned_count, max_fraction):
        return plan, ""
    reason = f"would delete {len(deletes)} of {owned_count} Secrets, more than {max_fraction:.0%}"
    kept = tuple(c for c in plan.changes if c.action != DELETE)
    withheld = tuple(sorted({*plan.deletes_withheld, *deletes}))
    return replace(plan, changes=kept, deletes_withheld=withheld), reason


def is_ours(secret: ClusterSecret, project_number: str, target_name: str = "") -> bool:
    """A Secret of this fleet that carries our managed-by label and this target's label (or
    none: the single form's), or a fleet-argocd-plugin Secret of this fleet."""
    if parse_secret_name(secret.name, project_number) is None:
        return False
    if secret.managed:
        return secret.labels.get(TARGET_LABEL, "") in ("", target_name)
    return secret.from_plugin


def plan_changes(
    desired: Mapping[str, ClusterSecret],
    existing: Mapping[str, ClusterSecret],
    *,
    project_number: str,
    complete: bool,
    hold: Collection[str] = (),
    target_name: str = "",
) -> Plan:
    """Compare desired and existing Secrets by name.

    `hold` names Secrets to leave as they are (their membership is changing state).
    Deletes only Secrets we own, and only when the fleet listing was complete.
    """
    changes: list[Change] = []
    unchanged: list[str] = []
    conflicts: list[str] = []
    withheld: list[str] = []
    for name in sorted(desired):
        if name in hold:
            continue
        current = existing.get(name)
        if current is None:
            changes.append(Change(CREATE, desired[name], _label_diff({}, desired[name].labels)))
        elif not is_ours(current, project_number, target_name):
            conflicts.append(name)
        else:
            merged = merge_secret(desired[name], current)
            if _same_content(merged, current):
                unchanged.append(name)
            else:
                changes.append(Change(UPDATE, merged, _label_diff(current.labels, merged.labels)))
    for name in sorted(set(existing) - set(desired) - set(hold)):
        if not is_ours(existing[name], project_number, target_name):
            continue
        if complete:
            changes.append(Change(DELETE, existing[name], _label_diff(existing[name].labels, {})))
        else:
            withheld.append(name)
    return Plan(
        tuple(changes), tuple(unchanged), tuple(conflicts), tuple(sorted(hold)), tuple(withheld)
    )


def merge_secret(desired: ClusterSecret, current: ClusterSecret) -> ClusterSecret:
    """Our desired content laid over the current Secret, keeping what others added."""
    owned_labels = _key_list(current.annotations.get(OWNED_LABELS_ANNOTATION, ""))
    owned_data = _key_list(current.annotations.get(OWNED_DATA_ANNOTATION, ""))
    labels = {k: v for k, v in current.labels.items() if k not in owned_labels}
    annotations = {
        k: v
        for k, v in current.annotations.items()
        if not k.startswith(LABEL_PREFIX) and k != PLUGIN_ANNOTATION
    }
    data = {k: v for k, v in current.data.items() if k not in owned_data}
    return ClusterSecret(
        name=desired.name,
        labels={**labels, **desired.labels},
        annotations={**annotations, **desired.annotations},
        data={**data, **desired.data},
        resource_version=current.resource_version,
    )


def exceeds_delete_guard(plan: Plan, owned_count: int, max_fraction: float) -> bool:
    """True when the plan deletes more than `max_fraction` of our Secrets (and more than one)."""
    return exceeds_fraction(len(plan.names(DELETE)), owned_count, max_fraction)


def exceeds_fraction(deletes: int, owned_count: int, max_fraction: float) -> bool:
    """The mass-delete guard's rule, for Secrets and AppProjects alike."""
    return deletes > 1 and deletes > max_fraction * owned_count


def _same_content(a: ClusterSecret, b: ClusterSecret) -> bool:
    return (
        dict(a.labels) == dict(b.labels)
        and dict(a.annotations) == dict(b.annotations)
        and dict(a.data) == dict(b.data)
    )


def _key_list(text: str) -> set[str]:
    return {key for key in text.split(",") if key}


def _label_diff(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[str, ...]:
    added = [f"+{k}={after[k]}" for k in sorted(after) if before.get(k) != after[k]]
    removed = [f"-{k}" for k in sorted(before) if k not in after]
    return tuple(added + removed)
