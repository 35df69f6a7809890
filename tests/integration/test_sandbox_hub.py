"""The emulated GKE Hub, driven by the unmodified google-cloud-gke-hub REST client."""

import pytest
import requests
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import InvalidOperation, RefreshError
from google.cloud import gkehub_v1
from google.oauth2.credentials import Credentials

from tests.conftest import PROJECT_NUMBER

PARENT = f"projects/{PROJECT_NUMBER}/locations/-"


AUTH = {"Authorization": "Bearer sandbox-token"}


def test_listing_pages_through_every_location(sandbox, hub):
    for i in range(7):
        sandbox.add_membership("us-central1" if i % 2 else "europe-west1", f"m{i}", {"i": str(i)})
    sandbox.clear_requests()
    pager = hub.list_memberships(request={"parent": PARENT, "page_size": 3})
    names = [m.name for m in pager]
    assert len(names) == 8  # seven plus the pre-registered Argo CD cluster
    assert len(set(names)) == 8
    assert len(sandbox.requests()) == 3  # pages of 3, 3 and 2
    member = next(m for m in hub.list_memberships(parent=PARENT) if m.name.endswith("/m1"))
    assert member.state.code == gkehub_v1.MembershipState.Code.READY
    assert dict(member.labels) == {"i": "1"}
    assert member.endpoint.gke_cluster.resource_link == (
        "//container.googleapis.com/projects/acme-fleet/locations/us-central1/clusters/m1"
    )
    assert member.unique_id


def test_listing_in_one_location_and_by_project_id(sandbox, hub):
    sandbox.add_membership("us-central1", "a")
    sandbox.add_membership("europe-west1", "b")
    names = [
        m.name for m in hub.list_memberships(parent="projects/acme-fleet/locations/us-central1")
    ]
    # Asked by project ID, Hub names the fleet's resources by its number.
    assert names == [f"projects/{PROJECT_NUMBER}/locations/us-central1/memberships/a"]


def test_unreachable_locations_are_reported_and_left_out(sandbox, hub):
    sandbox.add_membership("us-central1", "a")
    sandbox.add_membership("europe-west1", "b")
    sandbox.fault(match="/memberships", unreachable=["us-central1"], count=1)
    page = next(iter(hub.list_memberships(parent=PARENT).pages))
    assert sorted(m.name.rsplit("/", 1)[1] for m in page.resources) == ["argocd-hub", "b"]
    assert list(page.unreachable) == [f"projects/{PROJECT_NUMBER}/locations/us-central1"]
    page = next(iter(hub.list_memberships(parent=PARENT).pages))
    assert list(page.unreachable) == []


def test_get_membership_and_not_found(sandbox, hub):
    sandbox.add_membership("us-central1", "a", state="CREATING")
    found = hub.get_membership(
        name=f"projects/{PROJECT_NUMBER}/locations/us-central1/memberships/a"
    )
    assert found.state.code == gkehub_v1.MembershipState.Code.CREATING
    with pytest.raises(exceptions.NotFound) as raised:
        hub.get_membership(name=f"projects/{PROJECT_NUMBER}/locations/us-central1/memberships/zz")
    assert "was not found" in raised.value.message


def test_bindings_and_scopes(sandbox, hub):
    sandbox.add_membership("us-central1", "a")
    sandbox.add_membership("europe-west1", "b")
    sandbox.bind("us-central1/a", "team-a")
    sandbox.bind("europe-west1/b", "team-b")
    everything = hub.list_membership_bindings(parent=f"{PARENT}/memberships/-")
    assert sorted(b.scope.rsplit("/", 1)[1] for b in everything) == ["team-a", "team-b"]
    one = hub.list_membership_bindings(
        parent=f"projects/{PROJECT_NUMBER}/locations/us-central1/memberships/a"
    )
    assert [b.name.rsplit("/", 1)[1] for b in one] == ["team-a"]
    scopes = hub.list_scopes(parent=f"projects/{PROJECT_NUMBER}/locations/global")
    assert sorted(s.name.rsplit("/", 1)[1] for s in scopes) == ["team-a", "team-b"]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, exceptions.TooManyRequests),
        (503, exceptions.ServiceUnavailable),
        (500, exceptions.InternalServerError),
        (403, exceptions.Forbidden),
    ],
)
def test_injected_faults_raise_the_real_exceptions(sandbox, hub, status, error):
    sandbox.fault(match="/memberships", status=status, count=1)
    with pytest.raises(error):
        hub.list_memberships(parent=PARENT)
    assert [r["status"] for r in sandbox.requests()][-1] == status
    assert len(list(hub.list_memberships(parent=PARENT))) == 1


def test_unknown_token_is_unauthenticated(sandbox, running_sandbox):
    answer = requests.get(
        running_sandbox.base_url + f"/v1/{PARENT}/memberships",
        headers={"Authorization": "Bearer stolen"},
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
    # google-auth answers a 401 by trying to refresh, which a bare token cannot do.
    client = gkehub_v1.GkeHubClient(
        transport="rest",
        credentials=Credentials("stolen"),
        client_options={"api_endpoint": running_sandbox.base_url},
    )
    with pytest.raises(RefreshError):
        client.list_memberships(parent=PARENT)


def test_bad_paging_arguments(sandbox, running_sandbox):
    url = running_sandbox.base_url + f"/v1/{PARENT}/memberships"
    for params in ({"pageToken": "garbage"}, {"pageSize": "-1"}, {"pageSize": "lots"}):
        answer = requests.get(url, params=params, headers=AUTH, timeout=5)
        assert answer.status_code == 400
        assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_no_credentials_is_unauthenticated(sandbox, running_sandbox):
    anonymous = gkehub_v1.GkeHubClient(
        transport="rest",
        credentials=AnonymousCredentials(),  # sends no Authorization header at all
        client_options={"api_endpoint": running_sandbox.base_url},
    )
    answer = requests.get(running_sandbox.base_url + f"/v1/{PARENT}/memberships", timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
    # google-auth answers a 401 by refreshing, which anonymous credentials cannot do.
    with pytest.raises(InvalidOperation):
        anonymous.list_memberships(parent=PARENT)
    sandbox.ok("POST", "/sandbox/hub", {"allow_anonymous": True})
    assert len(list(anonymous.list_memberships(parent=PARENT))) == 1


def test_page_size_zero_or_unset_returns_everything(sandbox, hub, running_sandbox):
    sandbox.ok(
        "POST",
        "/sandbox/memberships:batch",
        {"memberships": [{"location": "us-central1", "id": f"m{i:04d}"} for i in range(1200)]},
    )
    url = running_sandbox.base_url + f"/v1/{PARENT}/memberships"
    for params in ({}, {"pageSize": "0"}):
        body = requests.get(url, params=params, headers=AUTH, timeout=30).json()
        assert len(body["resources"]) == 1201 and "nextPageToken" not in body
    big = requests.get(url, params={"pageSize": "5000"}, headers=AUTH, timeout=30).json()
    assert len(big["resources"]) == 1000 and big["nextPageToken"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("labels.env:*", ["a", "b"]),
        ("labels.env = prod", ["a"]),
        ('labels.env = "prod" AND state = READY', ["a"]),
        ("state = CREATING", ["c"]),
        (f'name = "projects/{PROJECT_NUMBER}/locations/europe-west1/memberships/b"', ["b"]),
    ],
)
def test_documented_filters(sandbox, hub, expression, expected):
    sandbox.add_membership("us-central1", "a", {"env": "prod"})
    sandbox.add_membership("europe-west1", "b", {"env": "dev"})
    sandbox.add_membership("us-central1", "c", state="CREATING")
    found = hub.list_memberships(request={"parent": PARENT, "filter": expression})
    assert sorted(m.name.rsplit("/", 1)[1] for m in found) == expected


def test_order_by_and_unsupported_queries(sandbox, hub):
    sandbox.add_membership("us-central1", "a")
    sandbox.add_membership("europe-west1", "b")
    found = hub.list_memberships(request={"parent": PARENT, "order_by": "name desc"})
    # by full name: locations us-central1 > global > europe-west1
    assert [m.name.rsplit("/", 1)[1] for m in found] == ["a", "argocd-hub", "b"]
    newest = hub.list_memberships(request={"parent": PARENT, "order_by": "createTime desc"})
    assert next(iter(newest)).name.endswith("/europe-west1/memberships/b")
    for request in (
        {"filter": "labels.env != prod"},
        {"filter": "description:foo"},
        {"order_by": "labels"},
    ):
        with pytest.raises(exceptions.BadRequest):
            list(hub.list_memberships(request={"parent": PARENT, **request}))
    with pytest.raises(exceptions.BadRequest):
        hub.list_membership_bindings(
            request={"parent": f"{PARENT}/memberships/-", "filter": "scope = x"}
        )


def test_the_memberships_bound_to_a_scope_through_list_bound_memberships(sandbox, hub):
    """scopes.listMemberships (gkehub v1 discovery document: `{+scopeName}:listMemberships`,
    answering ListBoundMembershipsResponse) with the unmodified client, paged."""
    sandbox.add_scope("pay")
    sandbox.add_scope("ops")
    for i in range(3):
        sandbox.add_membership("us-central1", f"m{i}", {})
        sandbox.bind(f"us-central1/m{i}", "pay")
    sandbox.bind("us-central1/m0", "ops")
    scope = f"projects/{PROJECT_NUMBER}/locations/global/scopes/pay"
    sandbox.clear_requests()
    pager = hub.list_bound_memberships(request={"scope_name": scope, "page_size": 2})
    assert sorted(m.name.rsplit("/", 1)[-1] for m in pager) == ["m0", "m1", "m2"]
    assert [r["path"].endswith("/scopes/pay:listMemberships") for r in sandbox.requests()] == [
        True,
        True,
    ]
    with pytest.raises(exceptions.NotFound):
        list(hub.list_bound_memberships(scope_name=scope.replace("/pay", "/gone")))
