"""One simulated run: a fleet, a mutator changing it, workers handling its audit events or
resyncing, all on the in-memory adapters, each adapter call a step of the explorer.

The oracle here is independent of the product's planning: it knows only the fleet's truth
after every step and reads Secrets by their documented contract (the membership-uid
annotation, the copied labels, `scope.fleet-argocd-sync.io/*`). It checks, at every write:
- a delete is justified by the worker's last read of that membership in GKE Hub, made after
  its read of the Secret, which showed the membership not READY-and-selected. (That the
  membership is not live *at the moment* of the delete no protocol can promise: the fleet
  may change between any read and any write. A change after that read logs an event, and
  the deleting worker reads Hub again after writing, so the Secret comes back.)
- a create or update writes what the fleet said at some moment between the worker's read of
  that Secret and the write (never older);
- a Secret without our managed-by label is never updated or deleted;
and at the end, after every event has been handled: Secrets equal the fleet with no resync,
and a resync then writes nothing.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fleetsync.app.reconcile import Reconciler
from fleetsync.config.settings import Settings
from fleetsync.core.errors import RetryableError
from fleetsync.core.events import CLUSTER, MEMBERSHIP, AuditEvent
from fleetsync.core.labels import parse_selector
from fleetsync.core.model import ClusterSecret, MembershipRef
from tests.safety.explorer import Choice, Scheduler
from tests.safety.memory import LOCATION, NUMBER, Member, MemoryFleet, MemorySecrets, World

FOREIGN = f"foreign.{LOCATION}.{NUMBER}"
UID = "fleet-argocd-sync.io/membership-uid"
SCOPE = "scope.fleet-argocd-sync.io/"
INTERNAL = ("fleet-argocd-sync.io/", SCOPE, "argocd.argoproj.io/", "app.kubernetes.io/")
Op = tuple[str, ...]  # ("create", id) ... see Mutation.apply
View = tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]  # uid, labels, scopes


_SYNCED: dict[str, tuple[dict[str, ClusterSecret], int]] = {}


def synced_secrets(key: str, members: dict[str, Member]) -> tuple[dict[str, ClusterSecret], int]:
    """The Secrets of a fleet in sync (and a foreign one), made once per fleet: every
    schedule of a scenario starts from them."""
    if key not in _SYNCED:
        world = World(copy.deepcopy(members))
        Reconciler(settings(), MemoryFleet(world), MemorySecrets(world)).resync()
        world.put(ClusterSecret(FOREIGN, {"argocd.argoproj.io/secret-type": "cluster"}))
        _SYNCED[key] = (dict(world.secrets), world.version)
    return _SYNCED[key]


@functools.cache
def settings() -> Settings:
    return Settings(
        fleet_project_number=NUMBER,
        argocd_membership=MembershipRef("global", "argocd-hub"),
        membership_selector=parse_selector("env=prod"),
        max_delete_fraction=1.0,
        concurrency=1,  # writes in order, in the worker's own greenlet
    )


def wanted(member: Member | None) -> View | None:
    """What the Secret of this membership must say, or None when it must have none."""
    if member is None or member.state != "READY" or member.cluster_missing:
        return None
    if member.labels.get("env") != "prod":
        return None
    return member.uid, tuple(sorted(member.labels.items())), tuple(sorted(member.scopes))


def view(secret: ClusterSecret) -> View:
    labels = {k: v for k, v in secret.labels.items() if not k.startswith(INTERNAL)}
    scopes = [k.removeprefix(SCOPE) for k in secret.labels if k.startswith(SCOPE)]
    return secret.annotations.get(UID, ""), tuple(sorted(labels.items())), tuple(sorted(scopes))


@dataclass
class Run:
    """The world of one schedule, with the history the invariants need."""

    members: dict[str, Member]
    ops: Sequence[Op]
    workers: Sequence[str]  # "events", "resync" or "resync+events"
    world: World = field(init=False)
    history: list[tuple[int, dict[str, View | None]]] = field(default_factory=list)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)  # (worker, name) -> step
    hub_seen: dict[tuple[str, str], int] = field(default_factory=dict)  # (worker, id) -> step
    events: list[AuditEvent] = field(default_factory=list)
    # Answered 5xx: Eventarc redelivers after a backoff (10 s and more), so after the fleet's
    # next change, not in a tight loop.
    retries: list[AuditEvent] = field(default_factory=list)
    mutator_done: bool = False
    scheduler: Scheduler = field(default_factory=Scheduler)

    def __post_init__(self) -> None:
        self.world = World(copy.deepcopy(self.members), hook=self._hook)
        secrets, version = synced_secrets(repr(sorted(self.members.items())), self.members)
        self.world.secrets, self.world.version = dict(secrets), version
        self.foreign_version = secrets[FOREIGN].resource_version
        self._snapshot()
        self.world.on_read, self.world.on_write = self._read, self._write
        self.world.on_hub_read = self._hub_read

    # --- the schedule -------------------------------------------------------------------

    def play(self, choose: Choice) -> None:
        bodies: list[Callable[[], None]] = [self._mutate]
        bodies += [
            lambda kind=kind, n=n: self._work(f"w{n}", kind) for n, kind in enumerate(self.workers)
        ]
        self.scheduler.run(bodies, choose, lambda: bool(self.events) or self.mutator_done)
        self.world.hook = lambda worker, call: None
        self._work("drain", "events")
        self.check_converged()

    def _hook(self, worker: str, call: str) -> None:
        self.scheduler.point()

    def _mutate(self) -> None:
        for op in self.ops:
            self.scheduler.point()
            self.events.extend(apply(self.world.members, op))
            self._snapshot()
            self.events.extend(self.retries)
            self.retries.clear()
        self.mutator_done = True

    def _work(self, worker: str, kind: str) -> None:
        reconciler = Reconciler(
            settings(), MemoryFleet(self.world, worker), MemorySecrets(self.world, worker)
        )
        if kind.startswith("resync"):
            reconciler.resync()
            if kind == "resync":
                return
        attempts = 0
        while self.events or not self.mutator_done:
            if not self.events:
                self.scheduler.wait()
                continue
            event = self.events.pop(0)
            try:
                report = reconciler.handle_event(event)
                failed = report.retryable
            except RetryableError:
                failed = True
            if failed:  # Eventarc redelivers a 5xx answer
                attempts += 1
                assert attempts < 20, f"{event.ref} never settles"
                (self.events if self.mutator_done else self.retries).append(event)

    # --- invariants ---------------------------------------------------------------------

    def _snapshot(self) -> None:
        truth = {ident: wanted(m) for ident, m in self.world.members.items()}
        self.history.append((self.scheduler.steps, truth))

    def _views_since(self, step: int, ident: str) -> list[View | None]:
        start = max(i for i, (at, _) in enumerate(self.history) if at <= step)
        return [truth.get(ident) for _, truth in self.history[start:]]

    def _hub_read(self, worker: str, ident: str) -> None:
        self.hub_seen[(worker, ident)] = self.scheduler.steps  # "*": a listing of them all

    def _truth_at(self, step: int, ident: str) -> View | None:
        return [truth for at, truth in self.history if at <= step][-1].get(ident)

    def _read(self, worker: str, name: str, secret: ClusterSecret | None) -> None:
        self.seen[(worker, name)] = self.scheduler.steps  # "*": a list, of every name

    def _write(
        self, worker: str, action: str, before: ClusterSecret | None, after: ClusterSecret | None
    ) -> None:
        name = (before or after).name  # type: ignore[union-attr]
        ident = name.split(".")[0]
        reads = [self.seen.get((worker, name)), self.seen.get((worker, "*"))]
        assert reads != [None, None], f"{worker} wrote {name} without reading it"
        read_at = max(r for r in reads if r is not None)
        views = self._views_since(read_at, ident)
        if before is not None:
            managed = before.labels.get("app.kubernetes.io/managed-by") == "fleet-argocd-sync"
            assert managed, f"{worker} {action}d {name}, which is not ours"
        if after is None:
            hub_reads = [self.hub_seen.get((worker, k)) for k in (ident, "*")]
            hub_at = max((r for r in hub_reads if r is not None), default=-1)
            assert hub_at >= read_at, f"{worker} deleted {name} with no Hub read after its read"
            assert self._truth_at(hub_at, ident) is None, (
                f"{worker} deleted {name} although its last Hub read showed it live"
            )
        else:
            assert view(after) in views, f"{worker} wrote {view(after)} for {name}, not in {views}"
        self.seen[(worker, name)] = self.scheduler.steps

    def _ids(self) -> set[str]:
        return {i for _, truth in self.history for i in truth} | set(self.world.members)

    def check_converged(self) -> None:
        ours = {n.split(".")[0]: s for n, s in self.world.secrets.items() if n != FOREIGN}
        for ident in self._ids():
            member = self.world.members.get(ident)
            if member is not None and member.state not in ("READY", "DELETING"):
                # A state in motion or unknown: its Secret is left as it is, but never one
                # written for an earlier membership of the same id.
                kept = ours.get(ident)
                assert kept is None or view(kept)[0] == member.uid, f"{ident}: stale Secret"
                continue
            expected = wanted(member)
            actual = view(ours[ident]) if ident in ours else None
            assert actual == expected, f"after all events {ident}: {actual} != {expected}"
        foreign = self.world.secrets[FOREIGN].resource_version
        assert foreign == self.foreign_version, "the foreign Secret was touched"
        writes = len([c for c in self.world.calls if c[1] in ("create", "update", "delete")])
        Reconciler(settings(), MemoryFleet(self.world), MemorySecrets(self.world)).resync()
        after = len([c for c in self.world.calls if c[1] in ("create", "update", "delete")])
        assert after == writes, "a resync after the events still had something to write"


def event(
    method: str, ident: str, phase: str = "", code: int = 0, kind: str = MEMBERSHIP
) -> AuditEvent:
    collection = "clusters" if kind == CLUSTER else "memberships"
    return AuditEvent(
        method=method,
        kind=kind,
        ref=MembershipRef(LOCATION, ident),
        resource_name=f"projects/{NUMBER}/locations/{LOCATION}/{collection}/{ident}",
        status_code=code,
        first=phase == "first",
        last=phase == "last",
    )


def apply(members: dict[str, Member], op: Op) -> list[AuditEvent]:  # noqa: PLR0911
    """Change the fleet as GKE Hub would; the audit entries it logs."""
    verb, ident, *args = op
    member = members.get(ident)
    hub = "google.cloud.gkehub.v1.GkeHub."
    if verb == "create":
        members[ident] = Member(state="CREATING", uid=args[0] if args else f"{ident}-new")
        return [event(hub + "CreateMembership", ident, "first")]
    assert member is not None, op
    if verb == "ready":
        member.state = "READY"
        return [event(hub + "CreateMembership", ident, "last")]
    if verb == "delete":
        member.state = "DELETING"
        return [event(hub + "DeleteMembership", ident, "first")]
    if verb == "gone":
        del members[ident]
        return [event(hub + "DeleteMembership", ident, "last")]
    if verb == "fail":  # the delete failed: READY again, a `last` entry with code 9
        member.state = "READY"
        return [event(hub + "DeleteMembership", ident, "last", code=9)]
    if verb == "label":
        member.labels = dict(pair.split("=") for pair in args)
        return [event(hub + "UpdateMembership", ident)]
    if verb == "updating":  # UpdateMembership as a long-running operation: `first`...
        member.state = "UPDATING"
        return [event(hub + "UpdateMembership", ident, "first")]
    if verb == "updated":  # ... and `last`, with the new labels
        member.state, member.labels = "READY", dict(pair.split("=") for pair in args)
        return [event(hub + "UpdateMembership", ident, "last")]
    if verb == "unknown":  # a state newer than this version; Hub logs nothing of the user's
        member.state = "CODE_7"
        return []
    if verb in ("service-update", "service-done"):  # Google's own update: no entry of ours
        member.state = "SERVICE_UPDATING" if verb == "service-update" else "READY"
        return []
    if verb in ("bind", "unbind"):
        (member.scopes.add if verb == "bind" else member.scopes.discard)(args[0])
        method = "CreateMembershipBinding" if verb == "bind" else "DeleteMembershipBinding"
        return [event(hub + method, ident)]
    if verb == "lose-cluster":
        member.cluster_missing = True
        return [event("google.container.v1.ClusterManager.DeleteCluster", ident, kind=CLUSTER)]
    raise AssertionError(f"unknown op {op}")
