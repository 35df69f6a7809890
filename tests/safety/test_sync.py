"""Several fleets into several targets, and tenancy, over in-memory adapters: which lane
writes what, one target's failure never stopping another, each fleet's completeness on its
own, and AppProjects converging under a concurrent writer. No network, no sleeps."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

from fleetsync.app.projects import ProjectReconciler
from fleetsync.app.reconcile import Reconciler
from fleetsync.app.sync import Sync, TargetSync
from fleetsync.config.settings import Settings
from fleetsync.core.errors import AccessError, RetryableError
from fleetsync.core.events import AuditEvent
from fleetsync.core.model import (
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    TARGET_LABEL,
    ClusterSecret,
    MembershipRef,
)
from fleetsync.core.planning import projects_named
from fleetsync.core.tenancy import AppProject
from tests.safety.memory import (
    LOCATION,
    Member,
    MemoryFleet,
    MemoryProjects,
    MemorySecrets,
    World,
)

A, B = "111111111111", "222222222222"
HUB = f"projects/{A}/locations/global/memberships/argocd-hub"


def config(*targets: dict[str, object]) -> Settings:
    document = {"fleets": [A, B], "targets": list(targets)}
    return Settings.from_env({"FLEET_SYNC_CONFIG": json.dumps(document)})


PROD = {"name": "prod", "argocd_membership": HUB, "selector": "env=prod"}
ALL = {"name": "all", "argocd_membership": HUB, "namespace": "argocd-all"}


def fleets(a: dict[str, Member], b: dict[str, Member]) -> dict[str, World]:
    worlds = {A: World(a), B: World(b)}
    for number, world in worlds.items():
        world.number = number
    return worlds


def wire(settings: Settings, hub: dict[str, World], clusters: dict[str, World]) -> Sync:
    """A Sync as `wiring.connect` builds it, over worlds: hub by fleet, clusters by target."""
    sync = Sync(settings)
    for target in settings.targets:
        cluster = clusters[target.name]
        store = MemorySecrets(cluster)
        projects = None
        if target.tenancy.enabled:
            readers = {n: MemoryFleet(hub[n]) for n in settings.fleets}
            view = settings.lane(target, A)
            named = partial(projects_named_in, store, settings.fleets, target.owners)
            projects = ProjectReconciler(view, readers, MemoryProjects(cluster), named)
        ours = projects.our_projects if projects else None
        lanes = {
            n: Reconciler(settings.lane(target, n), MemoryFleet(hub[n]), store, ours)
            for n in settings.fleets
        }
        sync.targets.append(TargetSync(target, lanes, projects))
    return sync


def projects_named_in(store: MemorySecrets, fleets: tuple[str, ...], owners: tuple[str, ...]):
    """What `wiring` asks before deleting an AppProject, over this store."""
    return projects_named(store.list_cluster_secrets(), fleets, owners)


def secret(ident: str, number: str) -> str:
    return f"{ident}.{LOCATION}.{number}"


def test_each_target_gets_what_its_selector_matches_from_every_fleet():
    hub = fleets({"a1": Member(), "a2": Member(labels={"env": "dev"})}, {"b1": Member()})
    clusters = {"prod": World({}), "all": World({})}
    report = wire(config(PROD, ALL), hub, clusters).resync()
    assert sorted(clusters["prod"].secrets) == [secret("a1", A), secret("b1", B)]
    assert sorted(clusters["all"].secrets) == [secret("a1", A), secret("a2", A), secret("b1", B)]
    assert clusters["prod"].secrets[secret("b1", B)].labels[TARGET_LABEL] == "prod"
    assert {c.target for c in report.changes} == {"prod", "all"}
    assert [name for name, _ in report.targets] == ["prod", "all"]
    assert not report.errors and not report.retryable


def test_one_target_failing_never_stops_the_other_and_the_answer_names_it():
    hub = fleets({"a1": Member()}, {"b1": Member()})
    clusters = {"prod": World({}), "all": World({})}
    broken = RetryableError("Connect Gateway answered 503: agent disconnected")
    clusters["prod"].faults.queued["list_secrets"] = [broken, broken]
    report = wire(config(PROD, ALL), hub, clusters).resync()
    assert clusters["prod"].secrets == {}
    assert len(clusters["all"].secrets) == 2
    assert report.retryable and report.to_json()["failed_targets"] == ["prod"]
    assert all("agent disconnected" in e for e in dict(report.targets)["prod"].errors)
    assert not dict(report.targets)["all"].errors


def test_an_unreachable_fleet_withholds_its_own_deletes_not_the_others():
    hub = fleets({"a1": Member(), "a2": Member()}, {"b1": Member(), "b2": Member()})
    clusters = {"all": World({})}
    sync = wire(config(ALL), hub, clusters)
    sync.resync()
    del hub[A].members["a2"], hub[B].members["b2"]
    hub[B].faults.unreachable = (LOCATION,)
    report = sync.resync()
    assert secret("a2", A) not in clusters["all"].secrets  # fleet A complete: deleted
    assert {secret("b1", B), secret("b2", B)} <= set(clusters["all"].secrets)  # B: withheld
    assert secret("b2", B) in report.deletes_withheld and report.retryable


def test_an_event_names_its_fleet_by_number_and_every_fleet_by_project_id():
    hub = fleets({"m1": Member()}, {"m1": Member()})
    clusters = {"all": World({})}
    sync = wire(config(ALL), hub, clusters)
    ref = MembershipRef(LOCATION, "m1")
    by_number = AuditEvent(
        "google.cloud.gkehub.v1.GkeHub.CreateMembership", "membership", ref, "", B
    )
    sync.handle_event(by_number)
    assert list(clusters["all"].secrets) == [secret("m1", B)]
    assert hub[A].calls == []
    by_id = AuditEvent(
        "google.cloud.gkehub.v1.GkeHub.CreateMembership", "membership", ref, "", "acme"
    )
    sync.handle_event(by_id)
    assert sorted(clusters["all"].secrets) == [secret("m1", A), secret("m1", B)]


def test_a_secret_of_another_target_in_the_namespace_is_never_touched():
    hub = fleets({}, {})
    clusters = {"all": World({})}
    labels = {MANAGED_BY_LABEL: MANAGED_BY_VALUE, TARGET_LABEL: "someone-else"}
    clusters["all"].put(ClusterSecret(secret("gone", A), labels))
    report = wire(config(ALL), hub, clusters).resync()
    assert secret("gone", A) in clusters["all"].secrets and not report.changes


TEAM = {**ALL, "tenancy": {"enabled": True, "prefix": "team-", "cluster_project": True}}


def tenancy_world() -> tuple[dict[str, World], dict[str, World], Sync]:
    hub = fleets({"a1": Member(scopes={"pay"})}, {"b1": Member(scopes={"pay", "ops"})})
    hub[A].scopes = {"pay": ("web",)}
    hub[B].scopes = {"pay": ("web",), "ops": ("tools",)}
    clusters = {"all": World({})}
    return hub, clusters, wire(config(TEAM), hub, clusters)


def test_tenancy_follows_bindings_and_namespaces_and_deletes_a_gone_scope():
    hub, clusters, sync = tenancy_world()
    report = sync.resync()
    projects = clusters["all"].projects
    assert sorted(projects) == ["team-ops", "team-pay"]
    assert len(projects["team-pay"].spec["destinations"]) == 2
    assert report.to_json()["app_projects"][0]["target"] == "all"
    # One scope: its AppProject in the Secret; two: the target's project ("" here).
    assert clusters["all"].secrets[secret("a1", A)].data["project"] == "team-pay"
    assert "project" not in clusters["all"].secrets[secret("b1", B)].data
    hub[A].scopes = {"pay": ("web", "api")}
    hub[B].members["b1"].scopes = {"ops"}
    sync.resync()
    pay = [
        d["server"].rsplit("/", 1)[1] + "/" + d["namespace"]
        for d in projects["team-pay"].spec["destinations"]
    ]
    assert pay == ["a1/api", "a1/web"]
    del hub[B].scopes["ops"]
    hub[B].members["b1"].scopes = set()
    sync.resync()
    assert sorted(projects) == ["team-pay"]


def test_a_fleet_only_partly_seen_keeps_its_destinations_and_the_others_follow_their_own():
    """A cluster's destination goes when its own fleet's view is complete, whatever another
    fleet's view lacks; the partly read fleet keeps what it gave, until it is read whole."""
    hub, clusters, sync = tenancy_world()
    sync.resync()
    projects = clusters["all"].projects
    hub[B].scopes = None  # fleet B's scopes cannot be read
    hub[A].scopes = {}  # fleet A, read completely, has no scope any more
    report = sync.resync()
    assert sorted(projects) == ["team-ops", "team-pay"]  # B still gives both
    pay = [d["server"].rsplit("/", 1)[1] for d in projects["team-pay"].spec["destinations"]]
    assert pay == ["b1"]  # a1 (fleet A) is gone, b1 (fleet B) is kept
    assert f"fleet.fleet-argocd-sync.io/{A}" not in projects["team-pay"].labels
    assert report.retryable and any("could not be read completely" in w for w in report.warnings)
    hub[B].scopes = {"ops": ("tools",)}  # B read whole again: its own view decides
    sync.resync()
    assert sorted(projects) == ["team-ops"]


def test_a_foreign_appproject_of_the_same_name_is_left_untouched():
    _, clusters, sync = tenancy_world()
    foreign = AppProject("team-pay", {"team": "payments"}, {"sourceRepos": ["mine"]})
    stored = clusters["all"]
    stored.projects["team-pay"] = foreign
    report = sync.resync()
    assert stored.projects["team-pay"] == foreign
    assert "AppProject team-pay" in report.conflicts


def concurrently(world: World, call: str, action: Callable[[], object]) -> None:
    """Run `action` once, right before the next `call` of any worker."""

    def hook(worker: str, name: str) -> None:
        if name == call:
            world.hook = lambda w, c: None
            action()

    world.hook = hook


def test_appprojects_converge_when_another_instance_writes_between_read_and_write():
    hub, clusters, sync = tenancy_world()
    other = wire(config(TEAM), hub, clusters)
    # The other instance creates the AppProjects after we listed them, before we create.
    target = other.targets[0].projects
    assert target is not None
    concurrently(clusters["all"], "create_project", target.reconcile)
    report = sync.resync()
    assert sorted(clusters["all"].projects) == ["team-ops", "team-pay"]
    assert not report.errors and not report.conflicts
    # And a scope deleted while we write: the next round reads GKE Hub again and deletes.
    concurrently(clusters["all"], "update_project", lambda: hub[B].scopes.pop("ops"))  # type: ignore[union-attr]
    hub[A].scopes = {"pay": ("web", "api")}
    hub[B].members["b1"].scopes = {"pay"}
    sync.resync()
    assert sorted(clusters["all"].projects) == ["team-pay"]


def test_a_target_not_connected_at_start_up_fails_alone_and_connects_on_a_later_run():
    hub = fleets({"a1": Member()}, {})
    clusters = {"prod": World({}), "all": World({})}
    wired = wire(config(PROD, ALL), hub, clusters)
    attempts: list[int] = []

    def connect() -> TargetSync:
        attempts.append(1)
        if len(attempts) == 1:
            raise RetryableError("GKE Hub answered 503: fleet 111111111111 unavailable")
        return wired.targets[0]

    sync = Sync(
        wired.settings, [TargetSync(wired.targets[0].target, {}, connect=connect), wired.targets[1]]
    )
    first = sync.resync()
    assert first.retryable and first.to_json()["failed_targets"] == ["prod"]
    assert clusters["prod"].secrets == {} and len(clusters["all"].secrets) == 1
    second = sync.resync()
    assert not second.errors and len(clusters["prod"].secrets) == 1 and len(attempts) == 2


def test_each_target_has_its_own_mass_delete_guard():
    hub = fleets({f"a{i}": Member() for i in range(4)}, {})
    clusters = {"prod": World({}), "all": World({})}
    sync = wire(config(PROD, ALL), hub, clusters)
    sync.resync()
    for i in range(3):  # prod would lose 3 of its 4 Secrets; all keeps every one
        hub[A].members[f"a{i}"].labels = {"env": "dev"}
    report = sync.resync()
    by_target = dict(report.targets)
    assert "would delete 3 of 4" in by_target["prod"].refused
    assert len(clusters["prod"].secrets) == 4  # withheld
    assert not by_target["all"].refused and len(by_target["all"].changes) == 3
    assert clusters["all"].secrets[secret("a0", A)].labels["env"] == "dev"


def test_every_write_is_logged_with_its_target_and_fleet(caplog):
    hub = fleets({"a1": Member()}, {"b1": Member()})
    clusters = {"prod": World({}), "all": World({})}
    with caplog.at_level("INFO", logger="fleetsync"):
        wire(config(PROD, ALL), hub, clusters).resync()
    writes = [r.json_fields for r in caplog.records if r.getMessage().startswith("create Secret")]
    where = sorted((f["target"], f["fleet"], f["membership"]) for f in writes)
    assert where == [
        ("all", A, f"{LOCATION}/a1"),
        ("all", B, f"{LOCATION}/b1"),
        ("prod", A, f"{LOCATION}/a1"),
        ("prod", B, f"{LOCATION}/b1"),
    ]
    summaries = [r.json_fields for r in caplog.records if r.getMessage() == "resync done"]
    assert sorted((f["target"], f["fleet"]) for f in summaries) == [
        ("all", A),
        ("all", B),
        ("prod", A),
        ("prod", B),
    ]


def test_appprojects_that_cannot_be_listed_never_stop_the_secrets_that_do_not_depend_on_them():
    """With cluster_project, only a Secret whose `project` is its one scope's AppProject
    depends on them: it keeps its project; every other Secret is written as ever."""
    hub, clusters, sync = tenancy_world()
    sync.resync()
    denied = AccessError("Argo CD cluster answered 403 Forbidden: appprojects is forbidden")
    clusters["all"].faults.queued["list_projects"] = [denied] * 50
    hub[A].members["a2"] = Member()  # no scope: its Secret depends on no AppProject
    hub[A].members["a1"].labels = {"env": "staging"}  # one scope: its project is kept
    report = sync.resync()
    stored = clusters["all"].secrets
    assert secret("a2", A) in stored and "project" not in stored[secret("a2", A)].data
    assert stored[secret("a1", A)].labels["env"] == "staging"
    assert stored[secret("a1", A)].data["project"] == "team-pay"
    assert report.retryable and not report.complete
    assert any("project left as it is" in w and "a1" in w for w in report.warnings)
    assert any("AppProjects" in e and "403" in e for e in report.errors)  # said, once, loudly
