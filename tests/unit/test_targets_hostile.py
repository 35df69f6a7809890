"""Hostile FLEET_SYNC_CONFIG documents: start-up must stop with one line naming the path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fleetsync.core.errors import PermanentError
from fleetsync.settings import Settings
from sandbox.harness import FUNCTION_DIR

A = "123456789012"
HUB = f"projects/{A}/locations/global/memberships/argocd-hub"


def settings(text: str) -> Settings:
    return Settings.from_env({"FLEET_SYNC_CONFIG": text})


def test_a_deeply_nested_document_is_a_configuration_error_not_a_crash():
    """json.loads raises RecursionError (not a ValueError) on deep nesting; parse_document
    catches ValueError only (function/fleetsync/targets.py parse_document), so start-up
    dies with a traceback instead of `cannot start: invalid configuration: ...`."""
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
    """`{"targets": [a], "targets": [b]}`: json.loads keeps the last, so target `a` is
    silently not deployed (and its Secrets are no longer anyone's)."""
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
    """`targets[].argocd_membership` goes through parse_resource_name, which reduces a
    binding name to its membership and accepts `zones/` for any collection; the check in
    targets.py `_target` only asks for kind == membership and a `projects/` prefix."""
    document = {"fleets": [A], "targets": [{"name": "a", "argocd_membership": membership}]}
    with pytest.raises(PermanentError, match=r"targets\[0\]\.argocd_membership"):
        settings(json.dumps(document))


def test_each_error_is_named_once_with_its_path():
    """The documented line is `invalid configuration: FLEET_SYNC_CONFIG: fleets[1]: ...`;
    the prefix is written twice (targets.py read_document adds it, and settings.py
    Variable.read adds the variable's name again), and a `fleets` that is not a list is
    also reported as empty."""
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
