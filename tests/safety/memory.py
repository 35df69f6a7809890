"""In-memory GKE Hub and Argo CD cluster behind the Reconciler's FleetReader and SecretStore
protocols: for Reconciler-level tests (faults, ordering) and the interleaving explorer.

The fleet's truth is plain data (`Member`), so tests state it directly; every adapter call
first calls `hook(worker, call)`, which the explorer uses to hand control to its scheduler.
Writes follow the Kubernetes rules the Reconciler relies on: an update or delete whose
resourceVersion is stale, and a create of a name that exists, answer a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from fleetsync.core.errors import ConflictError
from fleetsync.core.model import ClusterSecret, FleetListing, Membership, MembershipRef, ScopeView
from fleetsync.core.tenancy import AppProject

NUMBER = "123456789012"
LOCATION = "us-central1"
Hook = Callable[[str, str], None]  # (worker, call name) before every adapter call


@dataclass
class Member:
    """One membership as GKE Hub holds it."""

    state: str = "READY"
    labels: dict[str, str] = field(default_factory=lambda: {"env": "prod"})
    uid: str = "uid-1"
    scopes: set[str] = field(default_factory=set)
    cluster_missing: bool = False


def cluster_link(ident: str) -> str:
    return f"//container.googleapis.com/projects/acme-fleet/locations/{LOCATION}/clusters/{ident}"


@dataclass
class Faults:
    """Exceptions the next calls of a name raise, in order (e.g. {"list_fleet": [err]})."""

    queued: dict[str, list[Exception]] = field(default_factory=dict)
    unreachable: tuple[str, ...] = ()  # locations the fleet listing leaves out
    bindings_complete: bool = True

    def raise_next(self, call: str) -> None:
        pending = self.queued.get(call)
        if pending:
            raise pending.pop(0)


class World:
    """The fleet and the Argo CD namespace, shared by every worker."""

    def __init__(self, members: dict[str, Member], hook: Hook | None = None) -> None:
        self.members = members
        self.secrets: dict[str, ClusterSecret] = {}
        self.number = NUMBER  # the fleet host project these members are in
        self.scopes: dict[str, tuple[str, ...]] | None = {}  # scope -> fleet namespaces
        self.projects: dict[str, AppProject] = {}
        self.version = 0
        self.hook = hook or (lambda worker, call: None)
        self.faults = Faults()
        self.calls: list[tuple[str, str]] = []
        self.on_write: Callable[[str, str, ClusterSecret | None, ClusterSecret | None], None]
        self.on_write = lambda worker, action, before, after: None
        self.on_read: Callable[[str, str, ClusterSecret | None], None]
        self.on_read = lambda worker, name, secret: None
        self.on_hub_read: Callable[[str, str], None] = lambda worker, ident: None

    def enter(self, worker: str, call: str) -> None:
        self.hook(worker, call)
        self.calls.append((worker, call))
        self.faults.raise_next(call)

    def put(self, secret: ClusterSecret) -> ClusterSecret:
        self.version += 1
        stored = ClusterSecret(
            secret.name,
            dict(secret.labels),
            dict(secret.annotations),
            dict(secret.data),
            str(self.version),
        )
        self.secrets[secret.name] = stored
        return stored


def membership(ident: str, member: Member, scopes: bool = True) -> Membership:
    return Membership(
        ref=MembershipRef(LOCATION, ident),
        state=member.state,
        labels=dict(member.labels),
        scopes=tuple(sorted(member.scopes)) if scopes else None,
        unique_id=member.uid,
        cluster=cluster_link(ident),
        cluster_missing=member.cluster_missing,
    )


class MemoryFleet:
    """FleetReader over `World.members`."""

    def __init__(self, world: World, worker: str = "w") -> None:
        self.world, self.worker = world, worker

    def get_membership(self, ref: MembershipRef) -> Membership | None:
        self.world.enter(self.worker, "get_membership")
        self.world.on_hub_read(self.worker, ref.membership)
        member = self.world.members.get(ref.membership)
        return None if member is None else membership(ref.membership, member, scopes=False)

    def scopes_of(self, ref: MembershipRef) -> tuple[str, ...] | None:
        self.world.enter(self.worker, "scopes_of")
        if not self.world.faults.bindings_complete:
            return None
        member = self.world.members.get(ref.membership)
        return tuple(sorted(member.scopes)) if member else ()

    def list_fleet(self) -> FleetListing:
        self.world.enter(self.worker, "list_fleet")
        self.world.on_hub_read(self.worker, "*")
        unreachable = self.world.faults.unreachable
        listed = tuple(
            membership(ident, member, scopes=self.world.faults.bindings_complete)
            for ident, member in sorted(self.world.members.items())
            if LOCATION not in unreachable
        )
        return FleetListing(
            listed, tuple(f"projects/{self.world.number}/locations/{u}" for u in unreachable)
        )

    def list_scopes(self) -> dict[str, tuple[str, ...]] | None:
        self.world.enter(self.worker, "list_scopes")
        return None if self.world.scopes is None else dict(self.world.scopes)

    def scope_view(self, scope: str) -> ScopeView | None:
        """One scope's namespaces and bound memberships, as scopes.listMemberships lists them."""
        self.world.enter(self.worker, "scope_view")
        if self.world.scopes is None:
            return ScopeView((), (), complete=False)
        if scope not in self.world.scopes:
            return None
        unreachable = bool(self.world.faults.unreachable)
        bound = tuple(
            replace(membership(ident, member, scopes=False), scopes=(scope,))
            for ident, member in sorted(self.world.members.items())
            if scope in member.scopes and not unreachable
        )
        return ScopeView(self.world.scopes[scope], bound, complete=not unreachable)


class MemorySecrets:
    """SecretStore over `World.secrets`, with Kubernetes' conditional writes."""

    def __init__(self, world: World, worker: str = "w") -> None:
        self.world, self.worker = world, worker

    def list_cluster_secrets(self) -> dict[str, ClusterSecret]:
        self.world.enter(self.worker, "list_secrets")
        found = dict(self.world.secrets)
        self.world.on_read(self.worker, "*", None)
        return found

    def get(self, name: str) -> ClusterSecret | None:
        self.world.enter(self.worker, "get_secret")
        found = self.world.secrets.get(name)
        self.world.on_read(self.worker, name, found)
        return found

    def create(self, secret: ClusterSecret) -> ClusterSecret:
        self.world.enter(self.worker, "create")
        if secret.name in self.world.secrets:
            raise ConflictError(f"AlreadyExists: secrets {secret.name!r} already exists")
        stored = self.world.put(secret)
        self.world.on_write(self.worker, "create", None, stored)
        return stored

    def update(self, current: ClusterSecret, merged: ClusterSecret) -> ClusterSecret:
        self.world.enter(self.worker, "update")
        before = self._at_version(current)
        stored = self.world.put(merged)
        self.world.on_write(self.worker, "update", before, stored)
        return stored

    def delete(self, current: ClusterSecret) -> None:
        self.world.enter(self.worker, "delete")
        if current.name not in self.world.secrets:
            return  # already gone: the outcome the caller wanted, as the adapter treats 404
        before = self._at_version(current)
        del self.world.secrets[current.name]
        self.world.on_write(self.worker, "delete", before, None)

    def paced_seconds(self) -> float:
        return 0.0  # no gateway here, no budget

    def _at_version(self, current: ClusterSecret) -> ClusterSecret:
        stored = self.world.secrets.get(current.name)
        if stored is None or stored.resource_version != current.resource_version:
            raise ConflictError(f"Conflict: the object {current.name!r} has been modified")
        return stored


class MemoryProjects:
    """The tenancy ProjectStore over `World.projects`, with Kubernetes' conditional writes."""

    def __init__(self, world: World, worker: str = "w") -> None:
        self.world, self.worker = world, worker
        self.replaced: AppProject | None = None

    def list_projects(self) -> dict[str, AppProject]:
        self.world.enter(self.worker, "list_projects")
        return dict(self.world.projects)

    def create(self, project: AppProject) -> AppProject:
        self.world.enter(self.worker, "create_project")
        if project.name in self.world.projects:
            raise ConflictError(f"AlreadyExists: appprojects {project.name!r} already exists")
        return self._put(project)

    def update(self, project: AppProject, stale_labels: Sequence[str] = ()) -> AppProject:
        self.world.enter(self.worker, "update_project")
        self.replaced = self.world.projects.get(project.name)  # what the write overwrites
        self._at_version(project)
        current = self.world.projects[project.name]
        labels = {k: v for k, v in current.labels.items() if k not in stale_labels}
        return self._put(
            AppProject(project.name, {**labels, **project.labels}, {**current.spec, **project.spec})
        )

    def delete(self, project: AppProject) -> None:
        self.world.enter(self.worker, "delete_project")
        self.replaced = self.world.projects.get(project.name)
        if project.name in self.world.projects:
            self._at_version(project)
            del self.world.projects[project.name]

    def _put(self, project: AppProject) -> AppProject:
        self.world.version += 1
        stored = AppProject(
            project.name, dict(project.labels), dict(project.spec), str(self.world.version)
        )
        self.world.projects[project.name] = stored
        return stored

    def _at_version(self, project: AppProject) -> None:
        stored = self.world.projects.get(project.name)
        if stored is None or stored.resource_version != project.resource_version:
            raise ConflictError(f"Conflict: the object {project.name!r} has been modified")
