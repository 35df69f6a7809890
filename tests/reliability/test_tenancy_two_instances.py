"""Two function instances in the multi form (tenancy with cluster_project, and a second Argo CD
target) racing on the sandbox, with held requests placing one instance's work exactly between
another's reads and writes: no live AppProject or Secret deleted, nothing newer rolled back,
and a dry-run resync finds nothing to do at the end. No sleeps."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess
from sandbox.server import RunningSandbox
from tests.cloudevents import audit_event
from tests.reliability.fleet import (
    CREATE,
    HOLDING_TIMEOUT_S,
    NUMBER,
    deliver,
    resync,
    two_instances,
)
from tests.reliability.test_safety_repro import wait_until_held

HUB = "google.cloud.gkehub.v1.GkeHub."
SIDE = "argocd-side"
CONFIG = {
    "fleets": [NUMBER],
    "targets": [
        {
            "name": "teams",
            "argocd_membership": f"projects/{NUMBER}/locations/global/memberships/argocd-hub",
            "tenancy": {"enabled": True, "prefix": "team-", "cluster_project": True},
        },
        {
            "name": "side",
            "argocd_membership": f"projects/{NUMBER}/locations/global/memberships/{SIDE}",
        },
    ],
}


@pytest.fixture(scope="module")
def multi_instances(
    running_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[FunctionProcess]]:
    workdir = tmp_path_factory.mktemp("multi-instances")
    started = two_instances(running_sandbox, workdir, CONFIG, HOLDING_TIMEOUT_S)
    yield started
    for process in started:
        process.stop()


@pytest.fixture
def world(sandbox: SandboxClient) -> SandboxClient:
    sandbox.ok("POST", "/sandbox/oauth", {"token_ttl_s": 3600})
    sandbox.add_membership("global", SIDE, argocd_namespace="argocd", emit=False)
    return sandbox


def scope_event(instance: FunctionProcess, method: str, resource: str) -> int:
    headers, body = audit_event(HUB + method, f"projects/{NUMBER}/locations/global/{resource}")
    return requests.post(instance.url + "/", headers=headers, data=body, timeout=60).status_code


def binding_event(instance: FunctionProcess, method: str, ident: str, scope: str) -> int:
    resource = f"projects/{NUMBER}/locations/us-central1/memberships/{ident}/bindings/{scope}"
    headers, body = audit_event(HUB + method, resource)
    return requests.post(instance.url + "/", headers=headers, data=body, timeout=60).status_code


def side_secrets(sandbox: SandboxClient) -> dict[str, Any]:
    return sandbox.secrets(membership=f"global/{SIDE}")


def held_while(sandbox: SandboxClient, call: Callable[[], Any], meanwhile: Callable[[], None]):
    """Run `call` in a thread until its one held request; do `meanwhile`; release."""
    answer: list[Any] = []
    thread = threading.Thread(target=lambda: answer.append(call()))
    thread.start()
    wait_until_held(sandbox)
    meanwhile()
    sandbox.release()
    thread.join(timeout=120)
    sandbox.ok("DELETE", "/sandbox/faults")
    return answer[0]


def nothing_to_do(
    instance: FunctionProcess, keys: tuple[str, ...] = ("created", "updated", "deleted")
) -> None:
    status, report = resync(instance, dry_run="true")
    assert status == 200, report
    pending = {k: report[k] for k in (*keys, "app_projects") if report[k]}
    assert pending == {}, pending


def test_an_appproject_delete_racing_a_recreated_scope_never_deletes_the_newer_version(
    world, multi_instances
):
    first, second = multi_instances
    world.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    world.add_scope("pay")
    world.add_namespace("pay", "web")
    world.bind("us-central1/m1", "pay")
    assert resync(first)[0] == 200
    uid = world.appprojects()["team-pay"]["metadata"]["uid"]
    world.delete_scope("pay")
    world.fault(match="/appprojects/team-pay", method="DELETE", hold=True)
    world.clear_requests()

    def recreate() -> None:
        world.add_scope("pay")
        world.add_namespace("pay", "api")
        world.bind("us-central1/m1", "pay")
        assert scope_event(second, "CreateScopeNamespace", "scopes/pay/namespaces/api") == 200

    status = held_while(world, lambda: scope_event(first, "DeleteScope", "scopes/pay"), recreate)
    assert status == 200
    project = world.appprojects()["team-pay"]
    assert project["metadata"]["uid"] == uid, "the newer team-pay was deleted"
    assert [d["namespace"] for d in project["spec"]["destinations"]] == ["api"]
    nothing_to_do(second)


def test_an_appproject_update_racing_its_scopes_deletion_never_brings_it_back(
    world, multi_instances
):
    first, second = multi_instances
    world.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    world.add_scope("pay")
    world.add_namespace("pay", "web")
    world.bind("us-central1/m1", "pay")
    assert resync(first)[0] == 200
    world.add_namespace("pay", "api")
    world.fault(match="/appprojects/team-pay", method="PATCH", hold=True)

    def delete_scope() -> None:
        world.delete_scope("pay")
        assert scope_event(second, "DeleteScope", "scopes/pay") == 200

    status = held_while(
        world,
        lambda: scope_event(first, "CreateScopeNamespace", "scopes/pay/namespaces/api"),
        delete_scope,
    )
    assert status in (200, 503)
    assert "team-pay" not in world.appprojects()
    nothing_to_do(second)


def test_a_secret_in_one_target_while_the_other_targets_gateway_flaps(world, multi_instances):
    first, second = multi_instances
    assert resync(first)[0] == 200  # the two Argo CD clusters' own Secrets
    world.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    world.fault(match=f"/gkeMemberships/{SIDE}/", method="POST", status=503, count=3)
    headers, body = audit_event(
        CREATE, f"projects/{NUMBER}/locations/us-central1/memberships/m1", event_id="x"
    )
    answer = requests.post(first.url + "/", headers=headers, data=body, timeout=60)
    assert answer.status_code == 503, answer.text
    assert answer.json()["failed_targets"] == ["side"]
    assert f"m1.us-central1.{NUMBER}" in world.secrets()
    assert f"m1.us-central1.{NUMBER}" not in side_secrets(world)
    world.ok("DELETE", "/sandbox/faults")
    assert deliver(second, CREATE, "m1") == 200  # Eventarc's redelivery, to another instance
    assert f"m1.us-central1.{NUMBER}" in side_secrets(world)
    nothing_to_do(first)


def test_cluster_project_follows_an_unbind_and_a_bind_handled_by_two_instances(
    world, multi_instances
):
    first, second = multi_instances
    name = f"m1.us-central1.{NUMBER}"
    world.add_membership("us-central1", "m1", {"env": "prod"}, emit=False)
    world.bind("us-central1/m1", "s1")
    assert resync(first)[0] == 200
    assert world.secrets()[name]["data"]["project"] == "team-s1"
    world.ok("DELETE", "/sandbox/bindings/us-central1/m1/s1", {"emit": False})
    world.fault(match="/locations/us-central1/memberships/m1", method="GET", hold=True)

    def bind_other() -> None:
        world.bind("us-central1/m1", "s2", emit=False)
        assert binding_event(second, "CreateMembershipBinding", "m1", "s2") == 200

    status = held_while(
        world, lambda: binding_event(first, "DeleteMembershipBinding", "m1", "s1"), bind_other
    )
    assert status in (200, 503)
    if status == 503:
        assert binding_event(first, "DeleteMembershipBinding", "m1", "s1") == 200
    assert world.secrets()[name]["data"]["project"] == "team-s2"
    assert "team-s2" in world.appprojects()
    nothing_to_do(second)
