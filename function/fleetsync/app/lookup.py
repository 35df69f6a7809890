"""Which memberships an audit entry is about, read from our Secrets and from GKE Hub.

A membership's entry names it; a cluster's entry names the memberships registered for that
cluster and those our Secrets say were; a scope's entry the memberships whose Secrets carry
the scope. `reconcile` converges each of them; this module only finds them, and says when
a DeleteCluster has not yet shown in GKE Hub.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from fleetsync.app.ports import FleetReader, SecretStore
from fleetsync.core.events import CLUSTER, SCOPE, AuditEvent
from fleetsync.core.model import (
    CLUSTER_ANNOTATION,
    SCOPE_LABEL_PREFIX,
    ClusterId,
    FleetListing,
    MembershipRef,
)
from fleetsync.core.naming import cluster_id, parse_secret_name
from fleetsync.core.planning import is_ours
from fleetsync.core.rendering import SecretTarget
from fleetsync.core.report import Report
from fleetsync.core.verdicts import cluster_not_yet_missing


def memberships_named(
    event: AuditEvent,
    secrets: SecretStore,
    fleet: FleetReader,
    target: SecretTarget,
    *,
    dry_run: bool,
) -> tuple[list[MembershipRef], Report]:
    """The memberships an entry asks to converge, and a report of what finding them missed."""
    report = Report(dry_run=dry_run)
    if event.kind == CLUSTER:
        refs, listing = memberships_of_cluster(event.cluster, secrets, fleet, target.project_number)
        # A membership of this cluster may sit in a location we could not list.
        return refs, replace(
            report, unreachable=listing.unreachable, retryable=not listing.complete
        )
    if event.kind == SCOPE:
        # A scope deleted (or changed) may take its bindings with it, logging no binding
        # entry: converge every membership whose Secret carries the scope. A fleet
        # namespace changes no Secret (only the AppProjects).
        scope_itself = event.method.endswith("Scope")
        refs = memberships_with_scope(event.ref.membership, secrets, target) if scope_itself else []
        return refs, report
    return [event.ref], report


def memberships_with_scope(
    scope: str, secrets: SecretStore, target: SecretTarget
) -> list[MembershipRef]:
    label = SCOPE_LABEL_PREFIX + scope
    number = target.project_number
    listed = secrets.list_cluster_secrets().values()
    names = (s.name for s in listed if label in s.labels and is_ours(s, number, target.owners))
    refs = {parse_secret_name(name, number) for name in names}
    return sorted((ref for ref in refs if ref is not None), key=str)


def memberships_of_cluster(
    cluster: ClusterId, secrets: SecretStore, fleet: FleetReader, project_number: str
) -> tuple[list[MembershipRef], FleetListing]:
    """Memberships registered for a cluster, and those our Secrets say were: of that
    cluster's project, never a same-named cluster of another project."""
    refs = set()
    for secret in secrets.list_cluster_secrets().values():
        ref = parse_secret_name(secret.name, project_number)
        if ref and cluster.may_be(cluster_id(secret.annotations.get(CLUSTER_ANNOTATION, ""))):
            refs.add(ref)
    listing = fleet.list_fleet()
    refs.update(m.ref for m in listing.memberships if cluster.may_be(cluster_id(m.cluster)))
    return sorted(refs, key=str), listing


def await_cluster_missing(
    event: AuditEvent, refs: Sequence[MembershipRef], fleet: FleetReader, report: Report
) -> Report:
    """Once a DeleteCluster has succeeded, its memberships must say clusterMissing."""
    if event.phase == "first" or event.status_code:
        return report  # the cluster is not gone (yet, or at all)
    waiting = cluster_not_yet_missing(event.cluster, map(fleet.get_membership, refs))
    if not waiting:
        return report
    warning = (
        f"cluster {event.cluster} is deleted but GKE Hub does not yet mark "
        f"{', '.join(waiting)} clusterMissing; retried until it does"
    )
    return replace(report, retryable=True, warnings=(*report.warnings, warning))
