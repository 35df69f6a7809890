import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetsync.core.errors import PermanentError
from fleetsync.core.events import (
    AUDIT_LOG_TYPE,
    CLUSTER,
    HANDLED_METHODS,
    MEMBERSHIP,
    SCOPE,
    parse_audit_event,
)
from fleetsync.core.model import MembershipRef

NUMBER = "123456789012"
MEMBERSHIP_NAME = "projects/acme-fleet/locations/us-central1/memberships/prod-1"


def event(
    method="google.cloud.gkehub.v1.GkeHub.CreateMembership", resource=MEMBERSHIP_NAME, **payload
):
    service = HANDLED_METHODS.get(method, "gkehub.googleapis.com")
    body = {
        "protoPayload": {
            "methodName": method,
            "resourceName": resource,
            "serviceName": service,
            **payload,
        },
        "operation": {"id": "op", "last": True},
    }
    return {"type": AUDIT_LOG_TYPE, "id": "1"}, body


@pytest.mark.parametrize(
    ("method", "resource", "kind", "ref"),
    [
        (
            "google.cloud.gkehub.v1.GkeHub.CreateMembership",
            MEMBERSHIP_NAME,
            MEMBERSHIP,
            MembershipRef("us-central1", "prod-1"),
        ),
        (
            "google.cloud.gkehub.v1beta1.GkeHubMembershipService.DeleteMembership",
            f"projects/{NUMBER}/locations/global/memberships/a",
            MEMBERSHIP,
            MembershipRef("global", "a"),
        ),
        (
            "google.cloud.gkehub.v1alpha.GkeHub.UpdateMembership",
            MEMBERSHIP_NAME,
            MEMBERSHIP,
            MembershipRef("us-central1", "prod-1"),
        ),
        (
            "google.cloud.gkehub.v1beta.GkeHub.CreateMembershipBinding",
            MEMBERSHIP_NAME + "/bindings/team-a",
            MEMBERSHIP,
            MembershipRef("us-central1", "prod-1"),
        ),
        (
            "google.container.v1.ClusterManager.CreateCluster",
            "projects/acme-fleet/locations/europe-west1/clusters/c1",
            CLUSTER,
            MembershipRef("europe-west1", "c1"),
        ),
    ],
)
def test_handled_events(method, resource, kind, ref):
    parsed = parse_audit_event(*event(method, resource), NUMBER)
    assert (parsed.kind, parsed.ref, parsed.last, parsed.phase) == (kind, ref, True, "last")


def test_missing_at_type_and_string_data_are_fine():
    attributes, body = event()
    assert "@type" not in body["protoPayload"]
    assert parse_audit_event(attributes, json.dumps(body), NUMBER).ref.membership == "prod-1"


@pytest.mark.parametrize(
    ("attributes", "data"),
    [
        ({"type": "google.cloud.storage.object.v1.finalized"}, event()[1]),
        (event()[0], "not json"),
        (event()[0], b"\xff\xfe"),
        (event()[0], ["a list"]),
        (event()[0], {"protoPayload": "string"}),
        (event()[0], {}),
        event("google.cloud.gkehub.v1.GkeHub.GetMembership"),
        event(resource=None),
        event(resource=12),
        event(resource="projects/acme-fleet/locations/us-central1/memberships/../../etc"),
        event(resource="projects/999/locations/us-central1/memberships/x"),
        event(resource="projects/acme-fleet/locations/us-central1/clusters/x"),
        event("google.container.v1.ClusterManager.CreateCluster", MEMBERSHIP_NAME),
        event(status={"code": "7"}),
        event(status={"code": True}),
        event(status="broken"),
        event(resource=MEMBERSHIP_NAME + "\n"),
        event(serviceName="container.googleapis.com"),
    ],
)
def test_unusable_events_are_permanent(attributes, data):
    """Each of these is acknowledged (2xx) and logged, never retried for a day."""
    with pytest.raises(PermanentError):
        parse_audit_event(attributes, data, NUMBER)


@pytest.mark.parametrize(("status", "code"), [(None, 0), ({}, 0), ({"code": 9}, 9)])
def test_a_failed_operation_is_still_a_hint(status, code):
    """A DeleteMembership that failed may have left the membership READY again: re-read."""
    attributes, data = event(status=status) if status is not None else event()
    parsed = parse_audit_event(attributes, data, "123456789012")
    assert parsed.status_code == code
    assert str(parsed.ref) == "us-central1/prod-1"


def test_handled_methods_cover_every_version():
    for version in ("v1", "v1beta", "v1alpha"):
        for verb in ("Create", "Update", "Delete"):
            assert (
                f"google.cloud.gkehub.{version}.GkeHub.{verb}MembershipBinding" in HANDLED_METHODS
            )
    assert "google.cloud.gkehub.v1beta1.GkeHubMembershipService.UpdateMembership" in HANDLED_METHODS
    for version in ("v1", "v1beta1"):
        for verb in ("Create", "Update", "Delete"):
            assert f"google.container.{version}.ClusterManager.{verb}Cluster" in HANDLED_METHODS


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(attributes=st.dictionaries(st.text(max_size=12), json_values, max_size=5), data=json_values)
def test_parser_only_ever_raises_permanent_error(attributes, data):
    with contextlib.suppress(PermanentError):
        parse_audit_event(attributes, data, NUMBER)


@given(
    method=st.sampled_from(sorted(HANDLED_METHODS)),
    resource=st.text(max_size=120),
    payload=st.dictionaries(
        st.sampled_from(["status", "serviceName", "request"]), json_values, max_size=3
    ),
)
def test_parser_never_crashes_on_hostile_payloads(method, resource, payload):
    attributes, body = event(method, resource, **payload)
    try:
        parsed = parse_audit_event(attributes, body, NUMBER)
    except PermanentError:
        return
    assert parsed.resource_name == resource


@pytest.mark.parametrize(
    ("method", "resource"),
    [
        (
            "google.cloud.gkehub.v1.GkeHub.CreateScope",
            f"projects/{NUMBER}/locations/global/scopes/pay",
        ),
        (
            "google.cloud.gkehub.v1beta.GkeHub.DeleteScopeNamespace",
            f"projects/{NUMBER}/locations/global/scopes/pay/namespaces/web",
        ),
    ],
)
def test_scope_and_fleet_namespace_entries_name_their_scope(method, resource):
    parsed = parse_audit_event(*event(method, resource), [NUMBER, "210987654321"])
    assert (parsed.kind, parsed.ref, parsed.project) == (
        SCOPE,
        MembershipRef("global", "pay"),
        NUMBER,
    )


def test_an_entry_must_fit_its_method_and_come_from_a_configured_fleet():
    scope = f"projects/{NUMBER}/locations/global/scopes/pay"
    with pytest.raises(PermanentError, match="does not fit method"):
        parse_audit_event(*event("google.cloud.gkehub.v1.GkeHub.CreateMembership", scope), NUMBER)
    with pytest.raises(PermanentError, match="does not fit method"):
        parse_audit_event(
            *event("google.cloud.gkehub.v1.GkeHub.CreateScope", MEMBERSHIP_NAME), NUMBER
        )
    with pytest.raises(PermanentError, match="is not in fleet project 1, 2"):
        parse_audit_event(*event(resource=scope.replace("scopes/pay", "memberships/m")), ["2", "1"])
    # A project ID cannot be placed in a fleet: every configured fleet looks at it.
    assert parse_audit_event(*event(), ["1", "2"]).project == "acme-fleet"
