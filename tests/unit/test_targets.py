"""FLEET_SYNC_CONFIG: the multi form's document, every error named by its path."""

from __future__ import annotations

import json

import pytest

from fleetsync.config.settings import Settings
from fleetsync.config.targets import parse_document
from fleetsync.core.errors import PermanentError
from fleetsync.core.model import MembershipRef

A, B = "123456789012", "210987654321"
HUB = f"projects/{A}/locations/global/memberships/argocd-hub"


def target(**fields: object) -> dict[str, object]:
    return {"name": "prod", "argocd_membership": HUB, **fields}


def document(*targets: dict[str, object], fleets: object = (A, B)) -> str:
    body = {"fleets": list(fleets) if isinstance(fleets, tuple) else fleets}
    return json.dumps({**body, "targets": list(targets)})


def errors_of(text: str) -> str:
    with pytest.raises(PermanentError) as raised:
        parse_document(text)
    return str(raised.value)


def test_the_issue_example_reads_with_its_defaults():
    config = parse_document(
        document(
            target(selector="env=prod", tenancy={"enabled": True}),
            {"name": "dev", "argocd_membership": HUB, "namespace": "argocd-dev"},
        )
    )
    prod, dev = config.targets
    assert config.fleets == (A, B)
    assert (prod.argocd_project_number, prod.argocd_membership) == (
        A,
        MembershipRef("global", "argocd-hub"),
    )
    assert prod.selector.matches({"env": "prod"}) and not prod.selector.matches({"env": "dev"})
    assert prod.tenancy.enabled and prod.tenancy.source_repos == ("*",)
    assert not prod.tenancy.cluster_resources and not prod.tenancy.cluster_project
    assert (dev.namespace, dev.project, dev.tenancy.enabled) == ("argocd-dev", "", False)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{", "not valid JSON"),
        ("[]", "the document: must be an object"),
        (document(target(), fleets=[]), "fleets: must list at least one"),
        (document(target(), fleets=["acme-fleet"]), "fleets[0]: must be a project number"),
        (document(target(), fleets=[A, A]), "fleets[1]: 123456789012 is listed twice"),
        (json.dumps({"fleets": [A]}), "targets: required"),
        (document(target(selector="env in (")), "targets[0].selector:"),
        (document(target(name="Prod")), "targets[0].name: must be a DNS label"),
        (document({"argocd_membership": HUB}), "targets[0].name: required"),
        (document(target(namespace="Argo_CD")), "targets[0].namespace: must be a namespace"),
        (document(target(project="Team A")), "targets[0].project: must be an AppProject"),
        (document(target(argocd_membership="global/argocd-hub")), "targets[0].argocd_membership"),
        (
            document(target(argocd_membership=HUB.replace(A, "999"))),
            "targets[0].argocd_membership: project 999 is not one of fleets",
        ),
        (document(target(colour="blue")), "targets[0].colour: unknown key"),
        (
            document(target(tenancy={"enabled": "yes"})),
            "targets[0].tenancy.enabled: must be a bool",
        ),
        (document(target(tenancy={"source_repos": []})), "targets[0].tenancy.source_repos"),
        (document(target(tenancy={"prefix": "Team_"})), "targets[0].tenancy.prefix"),
        (document(target(), target()), "targets[1].name: 'prod' is also targets[0]"),
        (
            document(target(), target(name="dev")),
            "targets[1]: writes into namespace argocd of global/argocd-hub, as targets[0] does",
        ),
    ],
)
def test_each_error_is_named_by_its_path(text, named):
    assert named in errors_of(text)


def test_every_error_is_reported_at_once():
    message = errors_of(document(target(selector="!!"), {"name": "x"}, fleets=["a"]))
    for path in ("fleets[0]", "targets[0].selector", "targets[1].argocd_membership"):
        assert path in message


def test_two_targets_on_one_cluster_in_two_namespaces_are_fine():
    config = parse_document(document(target(), target(name="dev", namespace="argocd-dev")))
    assert [t.name for t in config.targets] == ["prod", "dev"]


def test_the_document_replaces_the_single_form_and_refuses_both():
    env = {"FLEET_SYNC_CONFIG": document(target()), "MEMBERSHIP_SELECTOR": "env=prod"}
    with pytest.raises(PermanentError, match="replaces MEMBERSHIP_SELECTOR; set one form"):
        Settings.from_env(env)
    settings = Settings.from_env({"FLEET_SYNC_CONFIG": document(target(name="p"), fleets=(A,))})
    assert settings.multi and settings.fleets == (A,)
    assert settings.target_name == "p" and settings.argocd_project_number == A


def test_the_single_form_is_one_fleet_and_one_unnamed_target():
    settings = Settings.from_env(
        {"FLEET_PROJECT_NUMBER": A, "ARGOCD_MEMBERSHIP": "global/hub", "MEMBERSHIP_SELECTOR": "a=b"}
    )
    (only,) = settings.targets
    assert not settings.multi and settings.fleets == (A,)
    assert (only.name, only.argocd_project_number, str(only.argocd_membership)) == (
        "",
        A,
        "global/hub",
    )
    assert only.selector.matches({"a": "b"}) and settings.target_name == ""


def test_a_lane_is_one_target_in_one_fleet():
    settings = Settings.from_env({"FLEET_SYNC_CONFIG": document(target(namespace="argo"))})
    lane = settings.lane(settings.targets[0], B)
    assert (lane.fleet_project_number, lane.argocd_project_number) == (B, A)
    assert (lane.argocd_namespace, lane.target_name) == ("argo", "prod")


def test_previous_names_are_earlier_names_of_that_target_only():
    renamed = target(name="teams", previous_names=["prod-old"])
    (read,) = parse_document(document(renamed)).targets
    assert read.previous_names == ("prod-old",)
    other = {"name": "dev", "argocd_membership": HUB, "namespace": "dev"}
    taken = errors_of(document(target(previous_names=["dev"]), other))
    assert "targets[0].previous_names: 'dev' is targets[1]" in taken
    bad = errors_of(document(target(previous_names=["Not_A_Label"])))
    assert "targets[0].previous_names: must be a list of earlier names" in bad
