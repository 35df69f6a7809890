"""Every interleaving of two workers converging AppProjects while the fleet's scopes, fleet
namespaces and bindings change (the explorer of `test_explorer`, for tenancy).

Invariants, checked by an oracle that does not use the planner's rules:
- an AppProject is deleted only after a GKE Hub read, made after that worker listed the
  AppProjects, in which its scope did not exist;
- an AppProject that is not ours (a foreign one with a scope's name) is never written;
- once every event is handled, the AppProjects are exactly what the final fleet asks for.
Workers converge either every AppProject on each event, or, as the function does for an audit
entry, only those of the scopes it can change (`app/scopeviews.py`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import pytest

from fleetsync.app.projects import ProjectReconciler
from fleetsync.config.outputs import Tenancy as TenancyOptions
from fleetsync.config.settings import Settings
from fleetsync.core.errors import RetryableError
from fleetsync.core.events import MEMBERSHIP, SCOPE, AuditEvent
from fleetsync.core.model import SCOPE_LABEL, MembershipRef
from fleetsync.core.tenancy import AppProject
from tests.safety.explorer import Choice, Scheduler, explore, sample
from tests.safety.memory import LOCATION, NUMBER, Member, MemoryFleet, MemoryProjects, World
from tests.safety.simulation import settings as base_settings

Change = Callable[[World], None]
Op = tuple[Change, AuditEvent]  # a change to the fleet and the audit entry it logs
FOREIGN = AppProject("team-x", {"owner": "hand"}, {"sourceRepos": ["mine"]}, "0")


def settings() -> Settings:
    tenancy = TenancyOptions(enabled=True, prefix="team-")
    return replace(base_settings(), tenancy=tenancy, max_delete_fraction=1.0)


class RecordingFleet(MemoryFleet):
    """Remembers what each worker's latest scopes read returned, and at which step."""

    def __init__(self, world: World, worker: str, run: Run) -> None:
        super().__init__(world, worker)
        self.run = run

    def list_scopes(self) -> dict[str, tuple[str, ...]] | None:
        found = super().list_scopes()
        self.run.scopes_read[self.worker] = (self.run.scheduler.steps, set(found or {}))
        return found


class RecordingProjects(MemoryProjects):
    def __init__(self, world: World, worker: str, run: Run) -> None:
        super().__init__(world, worker)
        self.run = run

    def list_projects(self) -> dict[str, AppProject]:
        found = super().list_projects()  # the read happens once the scheduler lets it
        self.run.listed_at[self.worker] = self.run.scheduler.steps
        for name, project in found.items():
            self.run.seen[(self.worker, name)] = project.resource_version
        return found

    def update(self, project: AppProject, stale_labels: Sequence[str] = ()) -> AppProject:
        stored = super().update(project, stale_labels)
        self._overwrote(self.replaced)
        return stored

    def delete(self, project: AppProject) -> None:
        step, scopes = self.run.scopes_read.get(self.worker, (-1, set()))
        assert step >= self.run.listed_at[self.worker], "delete without a Hub read after the list"
        assert project.labels[SCOPE_LABEL] not in scopes, f"{project.name} deleted while live"
        super().delete(project)
        if project.name not in self.world.projects:
            self._overwrote(self.replaced)

    def _overwrote(self, before: AppProject | None) -> None:
        """What a write replaced must be what this worker read: nothing newer is undone."""
        if before is not None:
            read = self.run.seen.get((self.worker, before.name))
            assert before.resource_version == read, f"{before.name}: a newer version was undone"

    def _put(self, project: AppProject) -> AppProject:
        assert project.name != FOREIGN.name, "the foreign AppProject was written"
        return super()._put(project)


@dataclass
class Run:
    members: dict[str, Member]
    scopes: dict[str, tuple[str, ...]]
    ops: list[Op]
    per_event: bool = False
    scheduler: Scheduler = field(default_factory=Scheduler)
    events: list[AuditEvent] = field(default_factory=list)  # logged, not yet handled
    mutator_done: bool = False
    listed_at: dict[str, int] = field(default_factory=dict)
    scopes_read: dict[str, tuple[int, set[str]]] = field(default_factory=dict)
    seen: dict[tuple[str, str], str] = field(default_factory=dict)  # (worker, name) -> version

    def __post_init__(self) -> None:
        self.world = World(copy.deepcopy(self.members), hook=lambda w, c: self.scheduler.point())
        self.world.scopes = dict(self.scopes)
        self.world.projects[FOREIGN.name] = FOREIGN
        self.tenancy("setup").reconcile()  # synced before the schedule starts

    def tenancy(self, worker: str) -> ProjectReconciler:
        fleet = RecordingFleet(self.world, worker, self)
        projects = RecordingProjects(self.world, worker, self)
        return ProjectReconciler(settings(), {NUMBER: fleet}, projects)

    def play(self, choose: Choice) -> None:
        workers = [self._mutate, lambda: self._work("w0"), lambda: self._work("w1")]
        self.scheduler.run(workers, choose, lambda: bool(self.events) or self.mutator_done)
        self.world.hook = lambda w, c: None
        self._work("drain")
        settled = self.tenancy("check")
        done = settled.reconcile(dry_run=True)
        assert not done.app_projects, f"not converged: {[p.name for p in done.app_projects]}"
        assert self.world.projects[FOREIGN.name] == FOREIGN

    def _mutate(self) -> None:
        for change, entry in self.ops:
            self.scheduler.point()
            change(self.world)
            self.events.append(entry)  # each change logs an audit entry: one event
        self.mutator_done = True

    def _work(self, worker: str) -> None:
        tenancy = self.tenancy(worker)
        attempts = 0
        while self.events or (worker != "drain" and not self.mutator_done):
            if not self.events:
                self.scheduler.wait()
                continue
            entry = self.events.pop(0)
            try:
                failed = tenancy.reconcile(event=entry if self.per_event else None).retryable
            except RetryableError:
                failed = True
            if failed:
                attempts += 1
                assert attempts < 20, "never settles"
                self.events.append(entry)


def entry(verb: str, kind: str, ident: str) -> AuditEvent:
    where = ("global", f"scopes/{ident}") if kind == SCOPE else (LOCATION, f"memberships/{ident}")
    name = f"projects/{NUMBER}/locations/{where[0]}/{where[1]}"
    ref = MembershipRef(where[0], ident)
    return AuditEvent(f"google.cloud.gkehub.v1.GkeHub.{verb}", kind, ref, name, NUMBER)


def bind(ident: str, scope: str) -> Op:
    change: Change = lambda world: world.members[ident].scopes.add(scope)  # noqa: E731
    return change, entry("CreateMembershipBinding", MEMBERSHIP, ident)


def unbind(ident: str, scope: str) -> Op:
    change: Change = lambda world: world.members[ident].scopes.discard(scope)  # noqa: E731
    return change, entry("DeleteMembershipBinding", MEMBERSHIP, ident)


def set_scope(scope: str, *namespaces: str) -> Op:
    def change(world: World) -> None:
        assert world.scopes is not None
        world.scopes[scope] = namespaces

    return change, entry("CreateScopeNamespace", SCOPE, scope)


def delete_scope(scope: str) -> Op:
    def change(world: World) -> None:
        assert world.scopes is not None
        world.scopes.pop(scope, None)
        for member in world.members.values():
            member.scopes.discard(scope)

    return change, entry("DeleteScope", SCOPE, scope)


SCENARIOS: dict[str, tuple[dict[str, Member], dict[str, tuple[str, ...]], list[Op]]] = {
    "bind, add a namespace, unbind": (
        {"m1": Member()},
        {"pay": ("web",)},
        [bind("m1", "pay"), set_scope("pay", "web", "api"), unbind("m1", "pay")],
    ),
    "a scope deleted and created again": (
        {"m1": Member(scopes={"pay"})},
        {"pay": ("web",), "ops": ()},
        [delete_scope("pay"), set_scope("pay", "api"), bind("m1", "pay")],
    ),
    "two scopes deleted while one is created": (
        {"m1": Member(scopes={"pay", "ops"})},
        {"pay": ("web",), "ops": ("tools",)},
        [set_scope("x", "web"), delete_scope("ops"), delete_scope("pay")],
    ),
}


@pytest.mark.parametrize("per_event", [False, True], ids=["every scope", "the entry's scopes"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_interleaving_of_tenancy_is_safe(name: str, per_event: bool) -> None:
    members, scopes, ops = SCENARIOS[name]

    def run_one(choose: Choice) -> None:
        Run(members, scopes, ops, per_event).play(choose)

    # The per-entry reads are the newer path; the whole-fleet one is explored deeper.
    limit, samples = (2000, 500) if per_event else (4000, 1000)
    count, _ = explore(run_one, limit=limit)
    count += sample(run_one, samples, seed=13)
    assert count == limit + samples, f"{name}: only {count} schedules"
