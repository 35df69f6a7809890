"""Several fleets in one sandbox: each answers to its own project, under the real GKE Hub
client and Connect Gateway, with its own scopes, fleet namespaces and audit entries.

Sources: google/cloud/gkehub/v1/fleet.proto (Scope, Namespace) and service.proto (the scope
and fleet namespace methods and their REST paths), as google-cloud-gke-hub's REST transport
calls them.
"""

import kubernetes.client as k
import pytest
from google.api_core import exceptions
from google.cloud import gkehub_v1

from sandbox.commandline import parse
from sandbox.server import start
from sandbox.state.fleet import FleetId
from tests.conftest import ARGOCD, PROJECT_ID, PROJECT_NUMBER
from tests.integration.kube import core, secret

SECOND = FleetId("beta-fleet", "210987654321")
GLOBAL_2 = f"projects/{SECOND.project_number}/locations/global"


@pytest.fixture(scope="module")
def running_sandbox():
    """A sandbox serving two fleets; the shared fixtures (sandbox, hub) use it here."""
    running = start(
        project_id=PROJECT_ID,
        project_number=PROJECT_NUMBER,
        argocd_membership=ARGOCD,
        eventarc_time_scale=0.005,
        fleets=[SECOND],
    )
    yield running
    running.stop()


def gateway(base_url, project, ident, token="admin-token", location="us-central1"):
    path = f"/v1/projects/{project}/locations/{location}/gkeMemberships/{ident}"
    return core(base_url, token, path=path)


def names(pager):
    return sorted(item.name for item in pager)


def test_the_fleets_are_listed_by_the_control_api_and_the_harness(sandbox, running_sandbox):
    expected = [
        {"project_id": PROJECT_ID, "project_number": PROJECT_NUMBER},
        {"project_id": SECOND.project_id, "project_number": SECOND.project_number},
    ]
    assert sandbox.fleets() == expected
    assert running_sandbox.fleets == [FleetId(PROJECT_ID, PROJECT_NUMBER), SECOND]


def test_two_fleets_are_listed_separately_by_the_hub_client(sandbox, hub):
    sandbox.add_membership("us-central1", "one")
    sandbox.add_membership("us-central1", "two", project_number=SECOND.project_number)
    first = names(hub.list_memberships(parent=f"projects/{PROJECT_NUMBER}/locations/-"))
    second = names(hub.list_memberships(parent=f"projects/{SECOND.project_number}/locations/-"))
    by_id = names(hub.list_memberships(parent=f"projects/{SECOND.project_id}/locations/-"))
    assert first == [
        f"projects/{PROJECT_NUMBER}/locations/global/memberships/argocd-hub",
        f"projects/{PROJECT_NUMBER}/locations/us-central1/memberships/one",
    ]
    assert second == [f"projects/{SECOND.project_number}/locations/us-central1/memberships/two"]
    assert by_id == second  # asked by ID, named by number
    member = hub.get_membership(name=second[0])
    assert member.endpoint.gke_cluster.resource_link == (
        f"//container.googleapis.com/projects/{SECOND.project_id}/locations/us-central1/clusters/two"
    )


def test_a_member_of_the_second_fleet_is_reached_under_its_fleet_only(sandbox, running_sandbox):
    sandbox.add_membership("us-central1", "two", project_number=SECOND.project_number)
    base = running_sandbox.base_url
    for project in (SECOND.project_number, SECOND.project_id):
        listed = gateway(base, project, "two").list_namespace()
        assert "default" in [n.metadata.name for n in listed.items]
    with pytest.raises(k.ApiException) as raised:
        gateway(base, PROJECT_NUMBER, "two").list_namespace()
    assert raised.value.status == 404
    assert '"status": "NOT_FOUND"' in raised.value.body  # the gateway's, not a Kubernetes Status


def test_membership_changes_name_their_fleet(sandbox, running_sandbox, hub):
    number = SECOND.project_number
    sandbox.add_membership("us-central1", "two", project_number=number)
    sandbox.update_membership("us-central1", "two", labels={"env": "prod"}, project_number=number)
    sandbox.bind("us-central1/two", "team-a", project_number=number)
    bindings = hub.list_membership_bindings(parent=f"projects/{number}/locations/-/memberships/-")
    assert [b.scope for b in bindings] == [f"{GLOBAL_2}/scopes/team-a"]
    sandbox.ok("DELETE", f"/sandbox/bindings/us-central1/two/team-a?project_number={number}")
    sandbox.ok("DELETE", f"/sandbox/memberships/us-central1/two?project_number={number}")
    assert names(hub.list_memberships(parent=f"projects/{number}/locations/-")) == []
    events = sandbox.events()["events"]
    assert [e["methodName"].rsplit(".", 1)[1] for e in events] == [
        "CreateMembership", "CreateMembership", "UpdateMembership", "UpdateMembership",
        "CreateMembershipBinding", "CreateMembershipBinding", "DeleteMembershipBinding",
        "DeleteMembershipBinding", "DeleteMembership", "DeleteMembership",
    ]  # fmt: skip
    assert {e["source"] for e in events} == {
        f"//cloudaudit.googleapis.com/projects/{SECOND.project_id}/logs/activity"
    }
    assert events[0]["resourceName"] == (
        f"projects/{SECOND.project_id}/locations/us-central1/memberships/two"
    )


def test_an_unknown_project_number_is_a_clear_404(sandbox):
    status, answer = sandbox.call(
        "POST", "/sandbox/memberships", {"location": "global", "id": "x", "project_number": "7"}
    )
    assert status == 404
    assert "project number '7' not found" in answer["error"]
    assert sandbox.call("DELETE", "/sandbox/scopes/s?project_number=7")[0] == 404
    assert sandbox.call("GET", "/sandbox/secrets?project_number=7")[0] == 404


def test_scopes_and_fleet_namespaces_through_the_hub_client(sandbox, hub):
    number = SECOND.project_number
    sandbox.add_scope("team-a", project_number=number, labels={"team": "a"})
    created = sandbox.add_namespace(
        "team-a", "payments", project_number=number, namespace_labels={"tier": "1"}
    )
    assert created["name"] == f"{GLOBAL_2}/scopes/team-a/namespaces/payments"
    assert names(hub.list_scopes(parent=GLOBAL_2)) == [f"{GLOBAL_2}/scopes/team-a"]
    assert names(hub.list_scopes(parent=f"projects/{PROJECT_NUMBER}/locations/global")) == []
    scope = hub.get_scope(name=f"{GLOBAL_2}/scopes/team-a")
    assert dict(scope.labels) == {"team": "a"}
    assert scope.state.code == gkehub_v1.ScopeLifecycleState.Code.READY
    [namespace] = hub.list_scope_namespaces(parent=f"{GLOBAL_2}/scopes/team-a")
    assert namespace.name == created["name"]
    assert namespace.scope == f"{GLOBAL_2}/scopes/team-a"
    assert dict(namespace.namespace_labels) == {"tier": "1"}
    assert namespace.state.code == gkehub_v1.NamespaceLifecycleState.Code.READY
    assert namespace.uid and namespace.create_time
    assert hub.get_scope_namespace(name=created["name"]).uid == namespace.uid
    with pytest.raises(exceptions.NotFound):
        hub.list_scope_namespaces(parent=f"{GLOBAL_2}/scopes/nobody")
    with pytest.raises(exceptions.NotFound):
        hub.get_scope(name=f"projects/{PROJECT_NUMBER}/locations/global/scopes/team-a")


def test_fleet_namespaces_are_listed_in_pages(sandbox, hub):
    sandbox.add_scope("team-a")
    for i in range(5):
        sandbox.add_namespace("team-a", f"ns{i}")
    parent = f"projects/{PROJECT_NUMBER}/locations/global/scopes/team-a"
    sandbox.clear_requests()
    pager = hub.list_scope_namespaces(request={"parent": parent, "page_size": 2})
    assert [n.name.rsplit("/", 1)[1] for n in pager] == [f"ns{i}" for i in range(5)]
    assert len(sandbox.requests()) == 3


def test_scope_and_namespace_changes_are_logged(sandbox):
    number = SECOND.project_number
    sandbox.add_scope("team-a", project_number=number)
    sandbox.add_namespace("team-a", "payments", project_number=number)
    sandbox.delete_namespace("team-a", "payments", project_number=number)
    sandbox.delete_scope("team-a", project_number=number)
    events = sandbox.wait_idle()["events"]
    scope = f"{GLOBAL_2}/scopes/team-a"
    logged = [(e["methodName"], e["resourceName"], next(iter(e["operation"]))) for e in events]
    hub = "google.cloud.gkehub.v1.GkeHub."
    assert [(m.removeprefix(hub), r) for m, r, _ in logged] == [
        ("CreateScope", scope), ("CreateScope", scope),
        ("CreateScopeNamespace", f"{scope}/namespaces/payments"),
        ("CreateScopeNamespace", f"{scope}/namespaces/payments"),
        ("DeleteScopeNamespace", f"{scope}/namespaces/payments"),
        ("DeleteScopeNamespace", f"{scope}/namespaces/payments"),
        ("DeleteScope", scope), ("DeleteScope", scope),
    ]  # fmt: skip
    assert [e["operation"].get("last", False) for e in events] == [False, True] * 4
    assert {e["source"] for e in events} == {
        f"//cloudaudit.googleapis.com/projects/{SECOND.project_id}/logs/activity"
    }


def test_deleting_a_scope_takes_its_bindings_and_namespaces(sandbox, hub):
    sandbox.add_membership("us-central1", "a")
    sandbox.add_scope("team-a")
    sandbox.bind("us-central1/a", "team-a")
    sandbox.add_namespace("team-a", "payments")
    sandbox.ok("DELETE", "/sandbox/events")
    sandbox.delete_scope("team-a")
    parent = f"projects/{PROJECT_NUMBER}/locations/-/memberships/-"
    assert list(hub.list_membership_bindings(parent=parent)) == []
    with pytest.raises(exceptions.NotFound):
        hub.list_scope_namespaces(
            parent=f"projects/{PROJECT_NUMBER}/locations/global/scopes/team-a"
        )
    methods = {e["methodName"] for e in sandbox.events()["events"]}
    assert methods == {"google.cloud.gkehub.v1.GkeHub.DeleteScope"}
    assert sandbox.call("DELETE", "/sandbox/scopes/team-a")[0] == 404


def test_a_scope_named_by_a_binding_is_created_without_an_entry_of_its_own(sandbox, hub):
    sandbox.add_membership("us-central1", "a", emit=False)
    sandbox.bind("us-central1/a", "team-a")
    assert names(hub.list_scopes(parent=f"projects/{PROJECT_NUMBER}/locations/global")) == [
        f"projects/{PROJECT_NUMBER}/locations/global/scopes/team-a"
    ]
    methods = {e["methodName"].rsplit(".", 1)[1] for e in sandbox.events()["events"]}
    assert methods == {"CreateMembershipBinding"}
    assert sandbox.call("POST", "/sandbox/scopes", {"id": "team-a"})[0] == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"id": "Team_A"}, 400),
        ({}, 400),
        ({"id": "team-a", "project_number": "7"}, 404),
    ],
)
def test_bad_scopes_are_refused(sandbox, body, status):
    assert sandbox.call("POST", "/sandbox/scopes", body)[0] == status


def test_a_namespace_needs_its_scope(sandbox):
    status, answer = sandbox.call("POST", "/sandbox/namespaces", {"scope": "none", "id": "ns"})
    assert (status, answer["error"]) == (404, "scope none not found")


def test_a_member_with_an_argocd_namespace_is_a_second_argocd_cluster(sandbox, running_sandbox):
    number = SECOND.project_number
    sandbox.add_membership("us-central1", "hub-2", project_number=number, argocd_namespace="argo")
    sandbox.add_membership("us-central1", "plain", project_number=number)
    base = running_sandbox.base_url
    function = gateway(base, number, "hub-2", token="sandbox-token")
    function.create_namespaced_secret("argo", secret("c1"))
    names_ = [s.metadata.name for s in function.list_namespaced_secret("argo").items]
    assert names_ == ["c1"]
    query = f"membership=us-central1/hub-2&namespace=argo&project_number={number}"
    viewed = sandbox.ok("GET", f"/sandbox/secrets?{query}")
    assert [s["metadata"]["name"] for s in viewed] == ["c1"]
    plain = gateway(base, number, "plain", token="sandbox-token")
    for api, namespace in ((function, "default"), (plain, "argo"), (plain, "default")):
        with pytest.raises(k.ApiException) as raised:
            api.create_namespaced_secret(namespace, secret("c2"))
        assert raised.value.status == 403


@pytest.mark.parametrize(
    "flags",
    [
        ["--fleet", "beta-fleet"],
        ["--fleet", "beta-fleet:12a"],
        ["--fleet", "Beta:1"],
        ["--fleet", "acme-fleet:5"],
        ["--fleet", "beta-fleet:123456789012"],
        ["--fleet", "beta-fleet:5", "--fleet", "gamma-fleet:5"],
    ],
)
def test_malformed_or_repeated_fleets_are_usage_errors(flags, capsys):
    with pytest.raises(SystemExit) as raised:
        parse(flags)
    assert raised.value.code == 2
    assert "--fleet" in capsys.readouterr().err


def test_fleet_flags_add_fleets_after_the_first():
    args = parse(["--fleet", "beta-fleet:5", "--fleet", "gamma-fleet:6"])
    assert args.fleets == [FleetId("beta-fleet", "5"), FleetId("gamma-fleet", "6")]
