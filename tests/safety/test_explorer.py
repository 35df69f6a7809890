"""Every interleaving of two workers and a changing fleet (exhaustively where the count
allows, else a seeded sample): no wrongful delete, no rollback, nothing foreign touched, and
events alone converge. The figures printed here are quoted in docs/safety.md."""

from __future__ import annotations

import os
import time

import pytest

from tests.safety.conftest import EXPLORED
from tests.safety.explorer import explore, sample
from tests.safety.memory import Member
from tests.safety.simulation import Run

# `make explore` raises both (FLEET_EXPLORE_LIMIT, FLEET_EXPLORE_SAMPLES) for a deeper run.
EXHAUSTIVE_LIMIT = int(os.environ.get("FLEET_EXPLORE_LIMIT", "6000"))
SAMPLES = int(os.environ.get("FLEET_EXPLORE_SAMPLES", "1000"))


def prod(**labels: str) -> dict[str, str]:
    return {"env": "prod", **labels}


# name: (fleet before, mutator's changes, workers)
SCENARIOS = {
    "recreated under the same id": (
        {"m1": Member(uid="old")},
        [("delete", "m1"), ("gone", "m1"), ("create", "m1", "new"), ("ready", "m1")],
        ["events", "events"],
    ),
    "label flipped away and back": (
        {"m1": Member()},
        [("label", "m1", "env=dev"), ("label", "m1", "env=prod")],
        ["events", "events"],
    ),
    "scope unbound and bound again": (
        {"m1": Member(scopes={"a"})},
        [("unbind", "m1", "a"), ("bind", "m1", "a")],
        ["events", "events"],
    ),
    "scope bound and unbound": (
        {"m1": Member()},
        [("bind", "m1", "b"), ("unbind", "m1", "b")],
        ["events", "events"],
    ),
    "delete that failed": (
        {"m1": Member()},
        [("delete", "m1"), ("fail", "m1")],
        ["events", "events"],
    ),
    "cluster deleted, membership kept": (
        {"m1": Member(), "m2": Member(uid="u2")},
        [("lose-cluster", "m1"), ("label", "m2", "env=prod", "tier=web")],
        ["events", "events"],
    ),
    "resync against events": (
        {"m1": Member(), "m2": Member(uid="u2")},
        [("create", "m3"), ("ready", "m3"), ("delete", "m2"), ("gone", "m2")],
        ["resync", "events"],
    ),
    "resync against a re-registration": (
        {"m1": Member(uid="old"), "m2": Member(uid="u2")},
        [("delete", "m1"), ("gone", "m1"), ("create", "m1", "new"), ("ready", "m1")],
        ["resync", "events"],
    ),
    "two resyncs and a label edit": (
        {"m1": Member(), "m2": Member(uid="u2"), "m3": Member(uid="u3")},
        [("label", "m1", "env=dev"), ("label", "m2", "env=prod", "team=a")],
        ["resync+events", "resync+events"],
    ),
    "label flipped back during a service update": (
        {"m1": Member()},
        [
            ("label", "m1", "env=dev"),
            ("label", "m1", "env=prod"),
            ("service-update", "m1"),
            ("service-done", "m1"),
        ],
        ["events", "events"],
    ),
    "re-registration still creating": (
        {"m1": Member(uid="old")},
        [("delete", "m1"), ("gone", "m1"), ("create", "m1", "new")],
        ["events", "events"],
    ),
    "created, relabelled, deleted": (
        {},
        [
            ("create", "m1", "u1"),
            ("ready", "m1"),
            ("label", "m1", "env=prod", "t=a"),
            ("delete", "m1"),
            ("gone", "m1"),
        ],
        ["events", "events"],
    ),
    "bound while deleting": (
        {"m1": Member()},
        [("delete", "m1"), ("bind", "m1", "a"), ("gone", "m1")],
        ["events", "events"],
    ),
    "cluster lost after a re-registration": (
        {"m1": Member(uid="old")},
        [
            ("delete", "m1"),
            ("gone", "m1"),
            ("create", "m1", "new"),
            ("ready", "m1"),
            ("lose-cluster", "m1"),
        ],
        ["events", "events"],
    ),
    "three memberships, resync and events against events": (
        {"m1": Member(), "m2": Member(uid="u2"), "m3": Member(uid="u3", labels={"env": "dev"})},
        [("label", "m3", "env=prod"), ("delete", "m1"), ("bind", "m2", "x"), ("gone", "m1")],
        ["resync+events", "events"],
    ),
    "update operation ending unselected": (
        {"m1": Member()},
        [("updating", "m1"), ("updated", "m1", "env=dev")],
        ["resync+events", "events"],
    ),
    "two resyncs, a label flipped away and back": (
        {"m1": Member(), "m2": Member(uid="u2")},
        [("label", "m1", "env=dev"), ("label", "m1", "env=prod")],
        ["resync", "resync+events"],
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_interleaving_is_safe(name: str) -> None:
    members, ops, workers = SCENARIOS[name]
    started = time.perf_counter()
    runs, complete = explore(
        lambda choose: Run(members, ops, workers).play(choose), EXHAUSTIVE_LIMIT
    )
    if not complete:
        runs += sample(lambda choose: Run(members, ops, workers).play(choose), SAMPLES, seed=7)
    how = "every schedule" if complete else f"first {EXHAUSTIVE_LIMIT} + {SAMPLES} sampled"
    EXPLORED.append(
        f"{name}: {runs} schedules ({how}), {len(members)} memberships, "
        f"{len(workers)} workers + mutator, {time.perf_counter() - started:.1f} s"
    )
    assert runs > 0
