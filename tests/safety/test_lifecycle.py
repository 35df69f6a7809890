"""What a configuration change leaves behind (a fleet or target removed, a target renamed),
one rule for Secrets and AppProjects: nothing is deleted that a remaining object still
names; a rename declared in `previous_names` is adopted; what no lane owns any more is
reported as orphaned and kept."""

from __future__ import annotations

import json
from typing import Any

from fleetsync.config.settings import Settings
from fleetsync.core.model import TARGET_LABEL
from tests.safety.memory import Member, World
from tests.safety.test_sync import TEAM, A, B, fleets, secret, tenancy_world, wire


def only(*targets: dict[str, Any], fleets_: tuple[str, ...] = (A, B)) -> Settings:
    document = {"fleets": list(fleets_), "targets": list(targets)}
    return Settings.from_env({"FLEET_SYNC_CONFIG": json.dumps(document)})


def test_a_renamed_target_adopts_its_secrets_and_appprojects_and_keeps_converging_them():
    hub, clusters, sync = tenancy_world()
    sync.resync()
    renamed = {**TEAM, "name": "teams", "previous_names": ["all"]}
    clusters["teams"] = clusters["all"]
    sync = wire(only(renamed), hub, clusters)
    del hub[B].members["b1"]  # unregistered after the rename: its Secret must go
    report = sync.resync()
    stored = clusters["teams"]
    assert secret("b1", B) not in stored.secrets
    assert stored.secrets[secret("a1", A)].labels[TARGET_LABEL] == "teams"
    assert stored.projects["team-pay"].labels[TARGET_LABEL] == "teams"
    assert report.complete and not report.orphaned and not report.conflicts


def test_a_target_renamed_without_previous_names_reports_its_objects_orphaned_and_keeps_them():
    hub, clusters, sync = tenancy_world()
    sync.resync()
    clusters["teams"] = clusters["all"]
    sync = wire(only({**TEAM, "name": "teams"}), hub, clusters)
    report = sync.resync()
    orphaned = report.to_json()["orphaned"]
    assert f"teams/{secret('a1', A)}" in orphaned and f"teams/{secret('b1', B)}" in orphaned
    assert clusters["teams"].secrets[secret("a1", A)].labels[TARGET_LABEL] == "all"  # kept
    assert "AppProject team-pay" in report.conflicts  # another target's name: not touched


def test_removing_a_fleet_keeps_its_secrets_and_appprojects_reported_and_refuses_nothing():
    """Fleet B's scopes `ops` and `only-b` exist only there: removing B from `fleets` once
    deleted their AppProjects (or, with the guard, refused every resync with 409) while B's
    Secrets still named them."""
    hub = fleets({"a1": Member(scopes={"pay"})}, {"b1": Member(scopes={"ops"}), "b2": Member()})
    hub[B].members["b2"].scopes = {"only-b"}
    hub[A].scopes = {"pay": ("web",)}
    hub[B].scopes = {"ops": ("tools",), "only-b": ("x",)}
    clusters = {"all": World({})}
    wire(only(TEAM), hub, clusters).resync()
    stored = clusters["all"]
    assert {"team-pay", "team-ops", "team-only-b"} <= set(stored.projects)
    report = wire(only(TEAM, fleets_=(A,)), {A: hub[A]}, clusters).resync()
    assert {"team-ops", "team-only-b"} <= set(stored.projects)  # kept
    assert secret("b1", B) in stored.secrets and secret("b2", B) in stored.secrets  # kept
    body = report.to_json()
    assert not report.refused and not body["deleted"]
    assert {"all/AppProject team-ops", "all/AppProject team-only-b"} <= set(body["orphaned"])
    assert {f"all/{secret('b1', B)}", f"all/{secret('b2', B)}"} <= set(body["orphaned"])


def test_an_appproject_a_secret_still_names_is_not_deleted_and_the_run_says_it_is_stuck():
    hub, clusters, sync = tenancy_world()
    sync.resync()
    stored = clusters["all"]
    foreign = stored.secrets[secret("a1", A)]
    # Someone else's Secret (not ours) naming our AppProject, e.g. a cluster added by hand.
    stored.secrets["by-hand"] = type(foreign)(
        "by-hand", {"argocd.argoproj.io/secret-type": "cluster"}, data={"project": "team-ops"}
    )
    del hub[B].scopes["ops"]
    hub[B].members["b1"].scopes = {"pay"}
    report = sync.resync()
    assert "team-ops" in stored.projects
    assert report.stuck == ("AppProject team-ops: a Secret still names it",)
    assert not report.complete
    del stored.secrets["by-hand"]
    again = sync.resync()
    assert "team-ops" not in stored.projects and again.complete
