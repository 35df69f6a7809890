"""Hostile FLEET_SYNC_CONFIG documents: start-up must stop with one line naming the path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fleetsync.config.settings import Settings
from fleetsync.core.errors import PermanentError
from sandbox.harness import FUNCTION_DIR

A = "123456789012"
HUB = f"projects/{A}/locations/global/memberships/argocd-hub"


def settings(text: str) -> Settings:
    return Settings.from_env({"FLEET_SYNC_CONFIG": text})


def test_a_deeply_nested_document_is_a_configuration_error_not_a_crash():
    """Deep nesting (json.loads raises RecursionError, not a ValueError) is a configuration
    error, so start-up stops with `cannot start: invalid configuration: ...`, no traceback."""
    with pytest.raises(PermanentError, match="FLEET_SYNC_CONFIG"):
        settings("[" * 5000)


def test_an_operator_sees_one_line_when_the_document_is_too_deep():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLEET_", "ARGOCD_"))}
    env.update(PYTHONPATH=str(FUNCTION_DIR), FLEET_SYNC_CONFIG='{"fleets": ' + "[" * 5000)
    done = subprocess.run(
        [sys.executable, "-c", "import main"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fleet-argocd-sync cannot start:"), lines[-3:]


def test_a_duplicate_key_is_refused_rather_than_silently_dropping_targets():
    """`{"targets": [a], "targets": [b]}` is refused: json.loads would keep the last, and
    target `a` would silently not be deployed (its Secrets no longer anyone's)."""
    a = {"name": "a", "argocd_membership": HUB}
    b = {"name": "b", "argocd_membership": HUB, "namespace": "argocd-b"}
    text = f'{{"fleets": ["{A}"], "targets": [{json.dumps(a)}], "targets": [{json.dumps(b)}]}}'
    with pytest.raises(PermanentError, match="targets"):
        settings(text)


@pytest.mark.parametrize(
    "membership",
    [
        f"{HUB}/bindings/b1",  # a binding's name, not a membership's
        f"projects/{A}/zones/us-central1-a/memberships/argocd-hub",  # memberships have no zones
    ],
)
def test_argocd_membership_must_be_a_membership_name(membership):
    """`targets[].argocd_membership` must be exactly a membership's name: not a binding's
    (which names its membership), not a `zones/` form."""
    document = {"fleets": [A], "targets": [{"name": "a", "argocd_membership": membership}]}
    with pytest.raises(PermanentError, match=r"targets\[0\]\.argocd_membership"):
        settings(json.dumps(document))


def test_each_error_is_named_once_with_its_path():
    """The line reads `invalid configuration: FLEET_SYNC_CONFIG: fleets: ...` with the
    variable named once, and a `fleets` that is not a list is not also reported empty."""
    with pytest.raises(PermanentError) as raised:
        settings(
            json.dumps({"fleets": "123", "targets": [{"name": "a", "argocd_membership": HUB}]})
        )
    message = str(raised.value)
    assert message.count("FLEET_SYNC_CONFIG:") == 1, message
    assert message.count("fleets:") == 1, message


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"fleets": [int(A)], "targets": []}, "fleets[0]"),
        ({"fleets": [A], "targets": {"name": "a"}}, "targets"),
        ({"fleets": [A], "targets": [None]}, "targets[0]"),
        ({"fleets": [A], "targets": [{"name": "é", "argocd_membership": HUB}]}, "targets[0].name"),
        (
            {
                "fleets": [A],
                "targets": [{"name": "a", "argocd_membership": HUB, "namespace": "Argo"}],
            },
            "targets[0].namespace",
        ),
        (
            {
                "fleets": [A],
                "targets": [
                    {"name": "a", "argocd_membership": HUB, "tenancy": {"enabled": "true"}}
                ],
            },
            "targets[0].tenancy.enabled",
        ),
        (
            {
                "fleets": [A],
                "targets": [
                    {"name": "a", "argocd_membership": HUB, "tenancy": {"prefix": "x" * 191}}
                ],
            },
            "targets[0].tenancy.prefix",
        ),
        (
            {"fleets": [A], "targets": [{"name": "a", "argocd_membership": HUB, "selector": None}]},
            "targets[0].selector",
        ),
    ],
)
def test_hostile_documents_held_up(document, path):
    with pytest.raises(PermanentError) as raised:
        settings(json.dumps(document))
    assert path in str(raised.value) and "\n" not in str(raised.value)
