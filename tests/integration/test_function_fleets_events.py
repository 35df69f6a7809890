"""The multi form end to end, from a second adversarial review: bursts of scope, namespace,
binding and membership events across two fleets, delivered shuffled and duplicated by the
sandbox's Eventarc, some answered 503 and redelivered; and a DeleteScope. Each ends with the
events drained and a dry-run resync that must find nothing to do."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess
from sandbox.server import RunningSandbox
from tests.integration.fleets import (
    TEAMS_HUB,
    A,
    B,
    destinations,
    fresh,
    projects,
    secrets,
)
from tests.integration.functions import Fn

SCOPE_LABEL = "scope.fleet-argocd-sync.io/payments"


@pytest.fixture
def fleets(two_fleets: RunningSandbox, multi: FunctionProcess) -> SandboxClient:
    client = fresh(two_fleets, multi)
    # The two Argo CD clusters were registered with no event: a resync adds their Secrets.
    assert Fn(multi.url).resync()[0] == 200
    return client


def nothing_to_do(multi: FunctionProcess) -> dict[str, Any]:
    status, report = Fn(multi.url).resync(dry_run="true")
    assert status == 200, report
    pending = {
        key: report[key] for key in ("created", "updated", "deleted", "app_projects") if report[key]
    }
    assert pending == {}, f"the events left work undone: {pending}"
    return report


def deliveries(events: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for event in events["events"] for d in event["deliveries"]]


def burst(fleets: SandboxClient) -> None:
    """Scope, namespace, binding and membership changes across both fleets."""
    fleets.add_membership("us-central1", "prod-a", {"env": "prod"})
    fleets.add_membership("us-central1", "dev-a", {"env": "dev"})
    fleets.add_membership("us-central1", "prod-b", {"env": "prod"}, project_number=B)
    fleets.add_scope("payments")
    fleets.add_scope("payments", project_number=B)
    fleets.add_namespace("payments", "web")
    fleets.add_namespace("payments", "api", project_number=B)
    fleets.add_scope("ops", project_number=B)
    fleets.add_namespace("ops", "tools", project_number=B)
    fleets.bind("us-central1/prod-a", "payments")
    fleets.bind("us-central1/prod-b", "payments", project_number=B)
    fleets.bind("us-central1/dev-a", "audit")
    fleets.update_membership("us-central1", "dev-a", labels={"env": "prod"})
    fleets.delete_namespace("payments", "api", project_number=B)
    fleets.add_namespace("payments", "api")


def shuffled_and_duplicated(fleets: SandboxClient, seed: int) -> None:
    fleets.ok("POST", "/sandbox/eventarc", {"shuffle": True, "duplicates": True, "seed": seed})


@pytest.mark.parametrize("seed", [1, 2])
def test_a_shuffled_duplicated_burst_across_both_fleets_converges(fleets, multi, seed):
    shuffled_and_duplicated(fleets, seed)
    # Target teams' gateway answers 503 to its first writes: those events are redelivered.
    fleets.fault(
        match=f"/projects/{B}/locations/global/gkeMemberships/{TEAMS_HUB}/",
        method="POST",
        status=503,
        count=6,
    )
    burst(fleets)
    events = fleets.wait_idle()
    fleets.ok("DELETE", "/sandbox/faults")
    assert not [d for d in deliveries(events) if d["gave_up"]]
    assert any(d["attempts"] > 1 for d in deliveries(events)), "no event was answered 503"
    nothing_to_do(multi)
    found = projects(fleets)
    # Each fleet's clusters with that fleet's namespaces: payments has none left in B.
    assert sorted(destinations(found["team-payments"])) == ["prod-a/api", "prod-a/web"]
    assert "team-ops" in found and "team-audit" in found
    teams = secrets(fleets, "teams")
    assert teams[f"prod-a.us-central1.{A}"]["data"]["project"] == "team-payments"
    assert teams[f"dev-a.us-central1.{A}"]["data"]["project"] == "team-audit"
    assert f"dev-a.us-central1.{A}" in secrets(fleets, "prod")


def test_a_deleted_scope_leaves_no_secret_naming_it_once_its_events_are_drained(fleets, multi):
    """DeleteScope takes the scope's bindings with it and logs only DeleteScope (sandbox
    README): its event converges the Secrets that carry the scope in both targets, so once
    the events are drained no Secret carries scope payments or says `project:
    team-payments`, and a resync has nothing to do."""
    fleets.add_membership("us-central1", "prod-a", {"env": "prod"})
    fleets.add_scope("payments")
    fleets.add_namespace("payments", "web")
    fleets.bind("us-central1/prod-a", "payments")
    fleets.wait_idle()
    name = f"prod-a.us-central1.{A}"
    assert secrets(fleets, "teams")[name]["data"]["project"] == "team-payments"
    fleets.delete_scope("payments")
    fleets.wait_idle()
    assert "team-payments" not in projects(fleets)
    teams = secrets(fleets, "teams")[name]
    assert teams["data"].get("project") != "team-payments", "names a deleted AppProject"
    assert SCOPE_LABEL not in teams["metadata"]["labels"]
    assert SCOPE_LABEL not in secrets(fleets, "prod")[name]["metadata"]["labels"]
    nothing_to_do(multi)


def test_deleting_a_cluster_never_waits_on_a_same_named_cluster_of_another_project(fleets, multi):
    """Same-named clusters in a prod and a non-prod project are common: the DeleteCluster
    entry of `projects/acme-nonprod/.../clusters/app` is about that project's cluster only,
    so fleet A's live `us-central1/app` is no reason to answer 503 and be redelivered."""
    for number in (A, B):
        cluster = {"location": "us-central1", "name": "app", "labels": {"env": "prod"}}
        fleets.ok("POST", "/sandbox/clusters", {**cluster, "project_number": number})
    fleets.wait_idle()
    assert f"app.us-central1.{B}" in secrets(fleets, "prod")
    before = len(fleets.events()["events"])
    fleets.ok("DELETE", "/sandbox/clusters/us-central1/app", {"project_number": B})
    events = fleets.wait_idle()["events"][before:]
    deleted = [e for e in events if e["methodName"].endswith("DeleteCluster")]
    assert deleted and all(e["resourceName"].startswith("projects/acme-nonprod/") for e in deleted)
    # The operation's first and last entries, each acknowledged at its first delivery.
    assert [[d["status"] for d in e["deliveries"]] for e in deleted] == [[200]] * len(deleted)
    assert f"app.us-central1.{B}" not in secrets(fleets, "prod")
    assert f"app.us-central1.{A}" in secrets(fleets, "prod")
    nothing_to_do(multi)


def hub_calls(requests_served: list[dict[str, Any]]) -> int:
    return sum(1 for r in requests_served if "/api/" not in r["path"] and "/apis/" not in r["path"])


def relabel_costs(fleets: SandboxClient, tier: str) -> tuple[float, float]:
    """Hub calls per audit entry of one relabel: all of them, and the scopes' reads."""
    fleets.clear_requests()
    before = len(fleets.events()["events"])
    fleets.update_membership("us-central1", "prod-a", labels={"env": "prod", "tier": tier})
    entries = len(fleets.wait_idle()["events"]) - before  # the operation's first and last
    served = fleets.requests()
    assert not [r for r in served if r["path"].endswith("/scopes")]  # no scope is listed
    # Each Secret lane reads the bindings right after the membership; tenancy takes them
    # from those reads (app/seen.py), so it adds no read of its own in the membership's fleet.
    member = f"/v1/projects/{A}/locations/us-central1/memberships/prod-a"
    paths = [r["path"] for r in served]
    assert paths.count(member + "/bindings") == paths.count(member)
    scoped = [r for r in served if ":listMemberships" in r["path"] or "/scopes/" in r["path"]]
    return hub_calls(served) / entries, len(scoped) / entries


def add_scopes(fleets: SandboxClient, first: int, last: int) -> None:
    for number in (A, B):
        for i in range(first, last):
            fleets.add_scope(f"s{i}", project_number=number, emit=False)
            fleets.add_namespace(f"s{i}", "web", project_number=number, emit=False)


def test_a_relabel_costs_the_same_hub_calls_whatever_the_number_of_scopes(fleets, multi):
    """Tenancy reads what the membership is bound to (its bindings, then each bound scope's
    namespaces and members, in each fleet), not every scope of every fleet: 2 scopes per
    fleet or 50, one relabel costs the same."""
    add_scopes(fleets, 0, 2)
    fleets.add_membership("us-central1", "prod-a", {"env": "prod"})
    fleets.bind("us-central1/prod-a", "s0")
    fleets.wait_idle()
    at_two = relabel_costs(fleets, "web")
    add_scopes(fleets, 2, 50)
    at_fifty = relabel_costs(fleets, "api")
    assert at_two == at_fifty
    assert at_fifty[1] == 4  # s0's namespaces and members, in each of the two fleets
    teams = secrets(fleets, "teams")[f"prod-a.us-central1.{A}"]
    assert teams["metadata"]["labels"]["tier"] == "api"
    assert teams["data"]["project"] == "team-s0"
    # The scopes made without an entry are the resync's to find; the relabel left nothing.
    status, report = Fn(multi.url).resync(dry_run="true")
    assert status == 200 and not (report["created"] or report["updated"] or report["deleted"])
    pending = {p["scope"] for p in report["app_projects"]}
    assert "s0" not in pending and pending <= {f"s{i}" for i in range(1, 50)}
