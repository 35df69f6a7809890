"""The CLI's exit codes and DRY_RUN in the multi form, over the in-memory adapters (the CLI's
`_reconciler` replaced by a Sync wired to in-memory worlds): one target failing, one target
pending, DRY_RUN writing no AppProject. These held in round two."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fleetsync.core.errors import RetryableError
from fleetsync_cli import main as cli
from tests.safety.memory import Member, World
from tests.safety.test_sync import ALL, HUB, A, fleets, wire

PROD = {"name": "prod", "argocd_membership": HUB, "selector": "env=prod"}
TEAM = {**ALL, "tenancy": {"enabled": True, "prefix": "team-", "cluster_project": True}}
ENV = {"FLEET_SYNC_CONFIG": json.dumps({"fleets": [A, "222222222222"], "targets": [PROD, TEAM]})}


@pytest.fixture
def worlds(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, World], dict[str, World]]:
    hub = fleets({"a1": Member(labels={"env": "dev"}, scopes={"pay"})}, {})
    hub[A].scopes = {"pay": ("web",)}
    clusters = {"prod": World({}), "all": World({})}
    monkeypatch.setattr(cli, "_reconciler", lambda settings: wire(settings, hub, clusters))
    return hub, clusters


def run(*argv: str, **env: str) -> int:
    return cli.main(list(argv), {**ENV, **env})


def test_plan_exits_2_when_only_one_target_has_pending_changes(worlds: Any) -> None:
    _, clusters = worlds
    assert run("resync") == 0
    assert run("plan") == 0
    clusters["all"].secrets.clear()  # only target "all" is behind now
    assert run("plan") == 2


def test_resync_exits_1_when_one_target_fails(worlds: Any) -> None:
    _, clusters = worlds
    broken = RetryableError("Connect Gateway answered 503")
    clusters["prod"].faults.queued["list_secrets"] = [broken] * 4
    assert run("resync") == 1
    assert clusters["all"].secrets and clusters["all"].projects  # the other target synced


def test_dry_run_in_the_multi_form_writes_no_appproject(worlds: Any) -> None:
    _, clusters = worlds
    assert run("resync", DRY_RUN="true") == 0
    assert clusters["all"].projects == {} and clusters["all"].secrets == {}
    writes = {"create_project", "update_project", "delete_project", "create", "update", "delete"}
    assert not [c for c in clusters["all"].calls if c[1] in writes]
