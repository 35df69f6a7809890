"""Team tenancy from fleet scopes: one Argo CD AppProject per scope. Pure: data in, data out.

A scope's AppProject lets its team deploy exactly where the fleet says the team lives: the
clusters bound to the scope (their gateway URLs, as in their Secrets) crossed with the
scope's fleet namespaces. Scopes of the same id in several fleets are one team, one
AppProject. Safety rules, as for Secrets:
- nothing is written while any fleet's view is incomplete (an unreachable location, a
  partial bindings list, unreadable scopes): a smaller view would revoke destinations;
- only AppProjects we own (our managed-by label, this target's label, a scope label) are
  updated or deleted; a foreign one of the same name is a conflict, left untouched;
- an AppProject is deleted only when no scope of any fleet asks for it (its scope gone, or
  the prefix changed), and the mass-delete guard withholds deletes when they are too many
  of the target's, or of one fleet's;
- fields of the spec that are not ours (roles, sync windows, ...) survive updates.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fleetsync.core.descriptions import project_description
from fleetsync.core.labels import Selector
from fleetsync.core.model import (
    FLEET_LABEL_PREFIX,
    GKE,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    SCOPE_LABEL,
    TARGET_LABEL,
    FleetListing,
)
from fleetsync.core.naming import gateway_url
from fleetsync.core.planning import CREATE, DELETE, UPDATE, exceeds_fraction
from fleetsync.core.verdicts import DROP, verdict

# The spec fields we write; every other field of an AppProject's spec is someone else's.
OWNED_SPEC = ("description", "sourceRepos", "destinations", "clusterResourceWhitelist")
ALL_CLUSTER_RESOURCES = ({"group": "*", "kind": "*"},)


@dataclass(frozen=True)
class AppProject:
    """An Argo CD AppProject, reduced to what we compare; `spec` holds plain JSON values."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    spec: Mapping[str, Any] = field(default_factory=dict)
    resource_version: str = ""

    def owned_by(self, owners: Collection[str]) -> bool:
        """Ours, for a target of these names (its name and those before a rename)."""
        labels = self.labels
        return (
            labels.get(MANAGED_BY_LABEL) == MANAGED_BY_VALUE
            and labels.get(TARGET_LABEL, "") in owners
            and SCOPE_LABEL in labels
        )

    @property
    def fleets(self) -> set[str]:
        """The fleets whose scope it was made from (their labels)."""
        return {k.removeprefix(FLEET_LABEL_PREFIX) for k in _fleet_labels(self)}


@dataclass(frozen=True)
class FleetScopes:
    """One fleet as tenancy sees it: its scopes with their fleet namespaces, its memberships."""

    project_number: str
    scopes: Mapping[str, tuple[str, ...]] | None  # None: the scopes could not all be read
    listing: FleetListing

    @property
    def complete(self) -> bool:
        return (
            self.scopes is not None
            and self.listing.complete
            and all(m.scopes is not None for m in self.listing.memberships)
        )


@dataclass(frozen=True)
class TenancyRules:
    """What a target's AppProjects are made of."""

    target_name: str
    prefix: str = ""
    source_repos: tuple[str, ...] = ("*",)
    cluster_resources: bool = False
    selector: Selector = field(default_factory=Selector)
    gateway_endpoint: str = ""


@dataclass(frozen=True)
class ProjectChange:
    action: str
    project: AppProject
    scope: str
    stale_labels: tuple[str, ...] = ()  # our labels the update removes (a fleet left)


@dataclass(frozen=True)
class ProjectPlan:
    changes: tuple[ProjectChange, ...] = ()
    unchanged: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    deletes_withheld: tuple[str, ...] = ()
    refused: str = ""


def desired_projects(views: Sequence[FleetScopes], rules: TenancyRules) -> dict[str, AppProject]:
    """One AppProject per scope id found in any fleet, destinations from every fleet."""
    destinations: dict[str, set[tuple[str, str]]] = {}
    fleets: dict[str, list[str]] = {}
    for view in views:
        for scope, namespaces in (view.scopes or {}).items():
            destinations.setdefault(scope, set())
            fleets.setdefault(scope, []).append(view.project_number)
            for membership in view.listing.memberships:
                if scope not in (membership.scopes or ()):
                    continue
                if verdict(membership, rules.selector)[0] == DROP:
                    continue  # no Secret in this target: Argo CD cannot deploy there
                server = gateway_url(
                    membership.ref,
                    view.project_number,
                    rules.gateway_endpoint,
                    gke=membership.platform == GKE,
                )
                destinations[scope].update((server, ns) for ns in namespaces)
    return {
        rules.prefix + scope: _project(scope, sorted(found), fleets[scope], rules)
        for scope, found in destinations.items()
    }


def _project(
    scope: str, destinations: list[tuple[str, str]], fleets: list[str], rules: TenancyRules
) -> AppProject:
    labels = {MANAGED_BY_LABEL: MANAGED_BY_VALUE, SCOPE_LABEL: scope}
    labels.update({FLEET_LABEL_PREFIX + number: "true" for number in fleets})
    if rules.target_name:
        labels[TARGET_LABEL] = rules.target_name
    spec = {
        "description": project_description(scope, fleets),
        "sourceRepos": list(rules.source_repos),
        "destinations": [{"server": s, "namespace": ns} for s, ns in destinations],
        "clusterResourceWhitelist": [
            dict(kind) for kind in (ALL_CLUSTER_RESOURCES if rules.cluster_resources else ())
        ],
    }
    return AppProject(rules.prefix + scope, labels, spec)


def plan_projects(
    desired: Mapping[str, AppProject],
    existing: Mapping[str, AppProject],
    owners: Collection[str],
    *,
    max_fraction: float,
    force: bool = False,
) -> ProjectPlan:
    """Compare by name; call only with a desired set built from complete views."""
    changes: list[ProjectChange] = []
    unchanged: list[str] = []
    conflicts: list[str] = []
    for name in sorted(desired):
        want, current = desired[name], existing.get(name)
        scope = want.labels[SCOPE_LABEL]
        if current is None:
            changes.append(ProjectChange(CREATE, want, scope))
        elif not current.owned_by(owners):
            conflicts.append(name)
        elif same_project(want, current):
            unchanged.append(name)
        else:
            merged = replace(want, resource_version=current.resource_version)
            stale = tuple(sorted(set(_fleet_labels(current)) - set(_fleet_labels(want))))
            changes.append(ProjectChange(UPDATE, merged, scope, stale))
    owned = [p for p in existing.values() if p.owned_by(owners)]
    deletes = [
        ProjectChange(DELETE, p, p.labels[SCOPE_LABEL]) for p in owned if p.name not in desired
    ]
    plan = ProjectPlan(tuple(changes + deletes), tuple(unchanged), tuple(conflicts))
    refused = "" if force else _too_many(owned, [c.project for c in deletes], max_fraction)
    if not refused:
        return plan
    withheld = tuple(sorted(c.project.name for c in deletes))
    return replace(plan, changes=tuple(changes), deletes_withheld=withheld, refused=refused)


def _too_many(owned: list[AppProject], deletes: list[AppProject], max_fraction: float) -> str:
    """Why the guard withholds these deletes, or "": too many of all our AppProjects, or of
    those of one fleet (a fleet whose scopes list suddenly comes back empty)."""
    groups = {"": (owned, deletes)}
    for label in {key for p in owned for key in _fleet_labels(p)}:
        number = label.removeprefix(FLEET_LABEL_PREFIX)
        groups[number] = (
            [p for p in owned if label in p.labels],
            [p for p in deletes if label in p.labels],
        )
    for number, (mine, going) in sorted(groups.items()):
        if exceeds_fraction(len(going), len(mine), max_fraction):
            where = f" of fleet {number}" if number else ""
            return (
                f"would delete {len(going)} of {len(mine)} AppProjects{where}, "
                f"more than {max_fraction:.0%}"
            )
    return ""


def _fleet_labels(project: AppProject) -> list[str]:
    return [key for key in project.labels if key.startswith(FLEET_LABEL_PREFIX)]


def same_project(want: AppProject, current: AppProject) -> bool:
    """Our labels and our spec fields are as wanted (an absent list equals an empty one)."""
    labels_same = all(current.labels.get(k) == v for k, v in want.labels.items())
    labels_same = labels_same and set(_fleet_labels(current)) == set(_fleet_labels(want))
    return labels_same and all(
        (current.spec.get(key) or None) == (want.spec.get(key) or None) for key in OWNED_SPEC
    )
