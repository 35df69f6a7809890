"""Decide which Secrets to create, update and delete. Pure: data in, data out.

`verdicts` says which Secrets the memberships ask for; this module compares them with the
Secrets there are. Safety rules live here, where they can be read and tested on their own:
- only Secrets we own are updated or deleted; a foreign Secret of the same name is a conflict;
- nothing is deleted when the fleet listing was incomplete, nor a Secret that is held;
- labels, annotations and data keys that someone else added to our Secret survive updates;
- the mass-delete guard withholds a plan's deletes when they are too many.
The order of reads that makes these decisions safe under concurrency is `reconcile`'s.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from fleetsync.core.model import LABEL_PREFIX, PLUGIN_ANNOTATION, TARGET_LABEL, ClusterSecret
from fleetsync.core.naming import parse_secret_name

CREATE, UPDATE, DELETE = "create", "update", "delete"


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


def is_ours(secret: ClusterSecret, project_number: str, owners: Collection[str] = ()) -> bool:
    """A Secret of this fleet that carries our managed-by label and a target label of
    `owners` (the target's name and its names before a rename) or none (the single form's);
    or a fleet-argocd-plugin Secret of this fleet."""
    if parse_secret_name(secret.name, project_number) is None:
        return False
    if secret.managed:
        return secret.labels.get(TARGET_LABEL, "") in ("", *owners)
    return secret.from_plugin


def orphaned_secrets(
    existing: Mapping[str, ClusterSecret], fleets: Collection[str], owners: Collection[str]
) -> list[str]:
    """Our Secrets in this namespace that no lane owns any more: of a fleet no longer
    configured, or labelled for a target of another name (renamed without `previous_names`).
    They are reported, never deleted: a configuration change is no unregistration."""
    return sorted(
        name
        for name, secret in existing.items()
        if secret.managed
        and (
            name.rsplit(".", 1)[-1] not in fleets
            or secret.labels.get(TARGET_LABEL, "") not in ("", *owners)
        )
    )


def projects_named(
    existing: Mapping[str, ClusterSecret], fleets: Collection[str], owners: Collection[str]
) -> set[str]:
    """The AppProjects that Secrets which stay as they are name in `project`: someone else's
    and our orphaned ones. Those our lanes own are left out: they are converged in the same
    run, after the AppProjects, and stop naming an AppProject whose scope is gone."""
    orphans = set(orphaned_secrets(existing, fleets, owners))
    staying = (s for name, s in existing.items() if not s.managed or name in orphans)
    return {s.data.get("project", "") for s in staying} - {""}


def plan_changes(
    desired: Mapping[str, ClusterSecret],
    existing: Mapping[str, ClusterSecret],
    *,
    project_number: str,
    complete: bool,
    hold: Collection[str] = (),
    owners: Collection[str] = (),
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
        elif not is_ours(current, project_number, owners):
            conflicts.append(name)
        else:
            merged = merge_secret(desired[name], current)
            if _same_content(merged, current):
                unchanged.append(name)
            else:
                changes.append(Change(UPDATE, merged, _label_diff(current.labels, merged.labels)))
    for name in sorted(set(existing) - set(desired) - set(hold)):
        if not is_ours(existing[name], project_number, owners):
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
    owned_labels, owned_data = current.owned_labels, current.owned_data
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


def _label_diff(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[str, ...]:
    added = [f"+{k}={after[k]}" for k in sorted(after) if before.get(k) != after[k]]
    removed = [f"-{k}" for k in sorted(before) if k not in after]
    return tuple(added + removed)
