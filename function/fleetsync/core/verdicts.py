"""Decide what each membership asks for: want, drop or hold its Secret; and the Secrets wanted.

Pure: data in, data out. The rules:
- only READY, selected memberships with a cluster get a Secret; only a membership that is
  gone (or registered again under a new uniqueId), DELETING, missing its cluster or no
  longer selected loses it; any other state (transitional, unspecified, unknown to this
  version) leaves the Secret as it is;
- scope labels keep their current values when the bindings could not all be read.
`planning` compares what is wanted here with the Secrets there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from fleetsync.core.labels import Selector
from fleetsync.core.model import (
    DELETING,
    READY,
    SCOPE_LABEL_PREFIX,
    TRANSITIONAL_STATES,
    UNIQUE_ID_ANNOTATION,
    ClusterId,
    ClusterSecret,
    Membership,
)
from fleetsync.core.naming import cluster_id, secret_name
from fleetsync.core.rendering import SecretTarget, render_secret

WANT, DROP, HOLD = "want", "drop", "hold"
# States of an operation a user started: its `last` audit entry will tell us when it ends.
OPERATIONS_WITH_LAST_ENTRY = frozenset({"CREATING", "UPDATING"})


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
    # `project` left as it was: it depends on AppProjects that could not be read.
    projects_kept: tuple[str, ...] = ()


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
    projects_kept: list[str] = []
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
            scopes = tuple(sorted(rendered.scopes or ()))
            if target.our_projects is None and target.scope_project(scopes):
                # Only this Secret's project depends on the unreadable AppProjects: keep it.
                projects_kept.append(name)
                current = existing.get(name)
                as_now = frozenset({current.data.get("project", "")} if current else ())
                secrets[name], found = render_secret(rendered, replace(target, our_projects=as_now))
            else:
                secrets[name], found = render_secret(rendered, target)
            warnings.extend(found)
    return Desired(
        secrets, tuple(hold), tuple(warnings), tuple(kept), tuple(unsettled), tuple(projects_kept)
    )


def cluster_not_yet_missing(
    cluster: ClusterId, memberships: Iterable[Membership | None]
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
        and cluster.may_be(cluster_id(m.cluster))
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
    owned = secret.owned_labels
    return tuple(
        sorted(
            key.removeprefix(SCOPE_LABEL_PREFIX)
            for key in secret.labels
            if key.startswith(SCOPE_LABEL_PREFIX) and key in owned
        )
    )
