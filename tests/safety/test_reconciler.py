"""The Reconciler over in-memory adapters: read order, partial views, unknown states, faults.
No network, no sleeps: each case takes milliseconds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fleetsync.app.reconcile import Reconciler
from fleetsync.core.errors import AccessError, ConflictError, RetryableError
from fleetsync.core.model import ClusterSecret, MembershipRef
from tests.safety import simulation
from tests.safety.memory import LOCATION, NUMBER, Member, MemoryFleet, MemorySecrets, World
from tests.safety.simulation import SCOPE, settings, view, wanted


def name(ident: str) -> str:
    return f"{ident}.{LOCATION}.{NUMBER}"


def ref(ident: str) -> MembershipRef:
    return MembershipRef(LOCATION, ident)


def synced(members: dict[str, Member]) -> tuple[World, Reconciler]:
    world = World(members)
    reconciler = Reconciler(settings(), MemoryFleet(world), MemorySecrets(world))
    reconciler.resync()
    world.calls.clear()
    return world, reconciler


def other(world: World) -> Reconciler:
    return Reconciler(settings(), MemoryFleet(world, "other"), MemorySecrets(world, "other"))


def between(world: World, reads: set[str], action: Callable[[], None]) -> None:
    """Run `action` (another worker, in effect) once, between the two `reads`, whichever
    order they come in: the window the read order has to make harmless."""
    made: set[str] = set()

    def hook(worker: str, call: str) -> None:
        if call in reads:
            made.add(call)
        if made == reads:
            world.hook = lambda w, c: None
            action()

    world.hook = hook


def test_resync_lists_secrets_before_the_fleet_and_events_read_the_secret_first():
    world, reconciler = synced({"m1": Member()})
    reconciler.resync()
    assert [c for _, c in world.calls][:2] == ["list_secrets", "list_fleet"]
    world.calls.clear()
    reconciler.reconcile_membership(ref("m1"))
    assert [c for _, c in world.calls][:2] == ["get_secret", "get_membership"]


def test_a_secret_written_by_another_worker_during_a_resync_is_not_deleted():
    world, reconciler = synced({"m1": Member()})
    other = Reconciler(settings(), MemoryFleet(world, "other"), MemorySecrets(world, "other"))

    created = []

    def register_and_handle() -> None:
        world.members["m2"] = Member(uid="u2")
        other.reconcile_membership(ref("m2"))
        created.append(world.secrets[name("m2")].resource_version)

    between(world, {"list_secrets", "list_fleet"}, register_and_handle)
    reconciler.resync()
    written = [c for w, c in world.calls if w == "other" and c in ("create", "update")]
    assert written == ["create"]
    # Not deleted and created again: the resync left the other worker's write alone.
    assert world.secrets[name("m2")].resource_version == created[0]


def test_a_delete_loses_to_a_newer_registration_of_the_same_id():
    world, reconciler = synced({"m1": Member(uid="old")})
    del world.members["m1"]
    other = Reconciler(settings(), MemoryFleet(world, "other"), MemorySecrets(world, "other"))

    def register_again() -> None:
        world.members["m1"] = Member(uid="new")
        other.reconcile_membership(ref("m1"))

    between(world, {"get_secret", "get_membership"}, register_again)
    reconciler.reconcile_membership(ref("m1"))
    assert view(world.secrets[name("m1")]) == wanted(world.members["m1"])
    assert ("w", "delete") not in world.calls, "the new registration's Secret was deleted"


@pytest.mark.parametrize("via", ["event", "resync"])
def test_scope_labels_keep_their_values_when_the_bindings_are_not_all_readable(via):
    world, reconciler = synced({"m1": Member(scopes={"team-a"})})
    world.members["m1"].labels["tier"] = "web"
    world.members["m1"].scopes.clear()
    world.faults.bindings_complete = False
    report = reconciler.reconcile_membership(ref("m1")) if via == "event" else reconciler.resync()
    secret = world.secrets[name("m1")]
    assert secret.labels["tier"] == "web"  # what the complete view says is applied
    assert secret.labels[SCOPE + "team-a"] == "true"  # what the partial one says is not
    assert report.scopes_kept == (name("m1"),) and report.retryable


@pytest.mark.parametrize("state", ["CODE_7", "CODE_UNSPECIFIED"])
def test_an_unknown_state_holds_that_secret_and_syncs_the_rest(state):
    world, reconciler = synced({"m1": Member(), "m2": Member(uid="u2")})
    before = world.secrets[name("m1")]
    world.members["m1"].state = state
    world.members["m1"].labels["tier"] = "web"
    world.members["m2"].labels["tier"] = "db"
    report = reconciler.resync()
    assert world.secrets[name("m1")] == before
    assert world.secrets[name("m2")].labels["tier"] == "db"
    assert report.held == (name("m1"),)
    assert any("m1" in w and state in w for w in report.warnings)
    assert reconciler.reconcile_membership(ref("m1")).held == (name("m1"),)


@pytest.mark.parametrize(
    ("change", "gone"),
    [
        (lambda m: setattr(m, "state", "DELETING"), True),
        (lambda m: setattr(m, "cluster_missing", True), True),
        (lambda m: m.labels.update(env="dev"), True),
        (lambda m: setattr(m, "state", "UPDATING"), False),
        (lambda m: setattr(m, "state", "CREATING"), False),
    ],
)
def test_which_states_remove_a_secret(change, gone):
    world, reconciler = synced({"m1": Member()})
    change(world.members["m1"])
    reconciler.reconcile_membership(ref("m1"))
    assert (name("m1") not in world.secrets) == gone


def test_a_ready_membership_left_by_a_failed_delete_gets_its_secret_back():
    world, reconciler = synced({"m1": Member()})
    world.members["m1"].state = "DELETING"
    reconciler.reconcile_membership(ref("m1"))  # DeleteMembership `first`
    world.members["m1"].state = "READY"  # the operation failed
    reconciler.reconcile_membership(ref("m1"))  # its `last` entry, status code 9
    assert view(world.secrets[name("m1")]) == wanted(world.members["m1"])


def test_access_denied_is_retryable_and_named():
    world, reconciler = synced({"m1": Member()})
    denied = AccessError("Argo CD cluster answered 403 Forbidden: needs an RBAC Role")
    world.faults.queued["get_secret"] = [denied]
    with pytest.raises(RetryableError, match="RBAC"):
        reconciler.reconcile_membership(ref("m1"))


def test_an_unreachable_location_withholds_deletes_but_not_other_changes():
    world, reconciler = synced({"m1": Member(), "m2": Member(uid="u2")})
    world.faults.unreachable = (LOCATION,)
    report = reconciler.resync(force=True)
    assert set(world.secrets) >= {name("m1"), name("m2")}
    assert report.retryable and sorted(report.deletes_withheld) == [name("m1"), name("m2")]


def test_one_failed_write_fails_only_itself():
    world, reconciler = synced({})
    world.members.update({"m1": Member(), "m2": Member(uid="u2")})
    world.faults.queued["create"] = [RetryableError("Connect Gateway answered 503")]
    report = reconciler.resync()
    assert report.retryable and len(report.errors) == 1
    assert len([n for n in world.secrets if n.startswith("m")]) == 1
    reconciler.resync()
    assert {name("m1"), name("m2")} <= set(world.secrets)


def test_a_fleet_that_never_stops_changing_is_retried_later():
    world, reconciler = synced({"m1": Member()})
    flips = iter(range(100))

    def keep_changing(worker: str, call: str) -> None:
        if call in ("create", "update", "delete"):
            world.members["m1"].labels["round"] = str(next(flips))

    world.hook = keep_changing
    world.members["m1"].labels["round"] = "start"
    with pytest.raises(RetryableError, match="kept changing"):
        reconciler.reconcile_membership(ref("m1"))


def test_a_cluster_event_with_a_location_unlisted_is_retried():
    event = simulation.event
    world, reconciler = synced({"m1": Member()})
    world.members["m1"].cluster_missing = True
    world.faults.unreachable = (LOCATION,)
    lost = event("google.container.v1.ClusterManager.DeleteCluster", "m1", kind="cluster")
    report = reconciler.handle_event(lost)
    assert report.retryable and report.unreachable
    assert name("m1") not in world.secrets  # what it could see, it settled


def once_before(world: World, call: str, action, worker: str = "w") -> None:
    """Run `action` once, just before `worker`'s first `call` takes effect."""

    def hook(who: str, what: str) -> None:
        if who == worker and what == call:
            world.hook = lambda w, c: None
            action()

    world.hook = hook


def flip_back_then_service_update(world: World) -> None:
    """The label flips back to env=prod (its event handled at once by another instance: a
    no-op, the Secret still matches) and Google starts a service update, which logs no
    audit entry of the user's (SERVICE_UPDATING -> READY)."""
    world.members["m1"].labels["env"] = "prod"
    other(world).reconcile_membership(ref("m1"))  # UpdateMembership event: nothing to do
    world.members["m1"].state = "SERVICE_UPDATING"


def test_a_delete_followed_by_a_held_state_is_retried():
    """A delete justified by env=dev lands after the label flipped back (its event already
    handled, as a no-op); the re-read after writing sees SERVICE_UPDATING, whose end logs no
    entry of ours. Not converged: the event is retried, so the Secret comes back once READY."""
    world, reconciler = synced({"m1": Member()})
    world.members["m1"].labels["env"] = "dev"
    once_before(world, "delete", lambda: flip_back_then_service_update(world))
    report = reconciler.reconcile_membership(ref("m1"))  # UpdateMembership env=dev
    world.members["m1"].state = "READY"  # service update over, no audit entry
    assert name("m1") in world.secrets or report.retryable, (
        f"READY, selected m1 left without a Secret; event answered 200: {report.to_json()}"
    )


def test_a_resync_delete_followed_by_a_held_state_is_retried():
    """The same for a resync: its confirmed delete, then a held state, answers 503."""
    world, reconciler = synced({"m1": Member(), "m2": Member(uid="u2")})
    world.members["m1"].labels["env"] = "dev"
    once_before(world, "delete", lambda: flip_back_then_service_update(world))
    report = reconciler.resync()
    world.members["m1"].state = "READY"
    assert name("m1") in world.secrets or report.retryable, (
        f"resync deleted a live Secret and answered 200: {report.to_json()}"
    )


def test_an_incomplete_verify_listing_is_reported_and_retried():
    """The resync creates m2's Secret from a listing made before m2 was deleted (its
    DeleteMembership event found nothing to delete yet); the listing after writing misses a
    location, so the delete is withheld: reported, and retried."""
    world, reconciler = synced({"m1": Member()})
    world.members["m2"] = Member(uid="u2")

    def delete_m2() -> None:
        del world.members["m2"]
        other(world).reconcile_membership(ref("m2"))  # DeleteMembership: no Secret yet
        world.faults.unreachable = (LOCATION,)  # the verify listing misses a location

    once_before(world, "create", delete_m2)
    report = reconciler.resync()
    assert name("m2") not in world.secrets or report.retryable, (
        f"stale Secret kept, resync answered success: {report.to_json()}"
    )


def test_delete_cluster_is_retried_until_hub_marks_the_cluster_missing():
    """GKE Hub may set clusterMissing after the DeleteCluster entry, logging nothing of its
    own (nothing public says when): the event is retried until it has."""
    world, reconciler = synced({"m1": Member()})
    event = simulation.event(
        "google.container.v1.ClusterManager.DeleteCluster", "m1", kind=simulation.CLUSTER
    )
    assert reconciler.handle_event(event).retryable  # gone; Hub has not noticed yet
    world.members["m1"].cluster_missing = True  # a little later, with no audit entry
    assert not reconciler.handle_event(event).retryable
    assert name("m1") not in world.secrets
    first = simulation.event(
        "google.container.v1.ClusterManager.DeleteCluster", "m2", "first", kind=simulation.CLUSTER
    )
    assert not reconciler.handle_event(first).retryable  # at `first` the cluster still runs


def test_the_report_lists_what_was_done_not_a_delete_that_lost():
    """The resync plans to delete m2's Secret (gone in its listing); m2 is registered again
    and another instance updates the Secret before the delete: the Secret stays, and the
    report does not claim a delete."""
    world, reconciler = synced({"m1": Member(), "m2": Member(uid="old")})
    del world.members["m2"]

    def register_again() -> None:
        world.members["m2"] = Member(uid="new")
        other(world).reconcile_membership(ref("m2"))

    once_before(world, "delete", register_again)
    report = reconciler.resync()
    assert name("m2") in world.secrets and not report.retryable
    assert name("m2") not in report.to_json()["deleted"], report.to_json()


def test_the_report_does_not_list_a_create_that_failed():
    """A create that failed with 503 is reported as an error, not under `created`."""
    world, reconciler = synced({})
    world.members.update({"m1": Member(), "m2": Member(uid="u2")})
    world.faults.queued["create"] = [RetryableError("Connect Gateway answered 503")]
    report = reconciler.resync()
    claimed = set(report.to_json()["created"])
    assert claimed <= set(world.secrets), f"claimed {claimed}, exist {set(world.secrets)}"


def test_a_human_edit_between_read_and_write_survives():
    """The update conflicts, is read again and merged; the human's label stays."""
    world, reconciler = synced({"m1": Member()})
    world.members["m1"].labels["tier"] = "web"

    def human_edit() -> None:
        cur = world.secrets[name("m1")]
        world.put(
            ClusterSecret(cur.name, {**cur.labels, "owner": "alice"}, cur.annotations, cur.data)
        )

    once_before(world, "update", human_edit)
    reconciler.reconcile_membership(ref("m1"))
    labels = world.secrets[name("m1")].labels
    assert labels["owner"] == "alice" and labels["tier"] == "web"


def test_a_foreign_secret_with_our_name_is_never_touched():
    """A Secret with our name but not our label is a conflict, not a retry."""
    world, reconciler = synced({})
    world.put(ClusterSecret(name("m1"), {"argocd.argoproj.io/secret-type": "cluster"}))
    version = world.secrets[name("m1")].resource_version
    for state in ("READY", None):
        if state:
            world.members["m1"] = Member()
        else:
            world.members.pop("m1")
        report = reconciler.reconcile_membership(ref("m1"))
        assert not report.retryable and not report.changes
        assert report.conflicts == ((name("m1"),) if state else ())
    reconciler.resync(force=True)
    assert world.secrets[name("m1")].resource_version == version


@pytest.mark.parametrize("call", ["get_secret", "get_membership", "scopes_of", "update"])
@pytest.mark.parametrize("err", [RetryableError("503"), AccessError("403 RBAC")])
def test_any_fault_on_the_event_path_is_retried(call, err):
    """A fault at any call of the event path raises a RetryableError (503), and the
    redelivery converges."""
    world, reconciler = synced({"m1": Member()})
    world.members["m1"].labels["tier"] = "web"
    world.faults.queued[call] = [err] * 3
    with pytest.raises(RetryableError):
        reconciler.reconcile_membership(ref("m1"))
    world.faults.queued.clear()
    reconciler.reconcile_membership(ref("m1"))
    assert view(world.secrets[name("m1")]) == wanted(world.members["m1"])


def test_conflicts_on_every_round_end_in_a_retry():
    """Someone else writing on every round ends in a RetryableError after MAX_ROUNDS."""
    world, reconciler = synced({"m1": Member()})
    world.members["m1"].labels["tier"] = "web"
    world.faults.queued["update"] = [ConflictError("409")] * 10
    with pytest.raises(RetryableError, match="kept changing"):
        reconciler.reconcile_membership(ref("m1"))


def test_the_report_says_how_long_writes_waited_for_the_budget():
    world, _ = synced({})
    world.members.update({"m1": Member(), "m2": Member(uid="u2")})

    class PacedSecrets(MemorySecrets):
        """Each write waits 1.5 s for the gateway budget."""

        def paced_seconds(self) -> float:
            return 1.5 * len([c for _, c in self.world.calls if c == "create"])

    progress: list[tuple[int, int, float]] = []
    reconciler = Reconciler(settings(), MemoryFleet(world), PacedSecrets(world))
    report = reconciler.resync(progress=lambda *step: progress.append(step))
    assert report.paced_seconds == 3.0
    assert progress == [(1, 2, 1.5), (2, 2, 3.0)]
    # An event's report says it too: what its own writes waited.
    world.members["m3"] = Member(uid="u3")
    created = simulation.event("google.cloud.gkehub.v1.GkeHub.CreateMembership", "m3")
    assert reconciler.handle_event(created).paced_seconds == 1.5
