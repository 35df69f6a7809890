import pytest

from fleetsync.core.errors import PermanentError
from fleetsync.core.model import ClusterId, MembershipRef
from fleetsync.core.naming import (
    cluster_id,
    gateway_url,
    parse_membership,
    parse_resource_name,
    parse_secret_name,
    platform_of,
    secret_name,
)

REF = MembershipRef("us-central1", "prod-east-1")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "projects/acme-fleet/locations/us-central1/memberships/prod-east-1",
            ("acme-fleet", "membership", REF),
        ),
        (
            "projects/123456789012/locations/us-central1/memberships/prod-east-1",
            ("123456789012", "membership", REF),
        ),
        (
            "projects/123/locations/us-central1/memberships/prod-east-1/bindings/team-a",
            ("123", "membership", REF),
        ),
        (
            "projects/acme-fleet/locations/us-central1/clusters/prod-east-1",
            ("acme-fleet", "cluster", REF),
        ),
        (
            "projects/acme-fleet/zones/us-central1-a/clusters/c1",
            ("acme-fleet", "cluster", MembershipRef("us-central1-a", "c1")),
        ),
        (
            "projects/acme-fleet/locations/global/memberships/a",
            ("acme-fleet", "membership", MembershipRef("global", "a")),
        ),
    ],
)
def test_parse_resource_name_accepts_real_shapes(name, expected):
    assert parse_resource_name(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "",
        "projects/acme-fleet/locations/us-central1/memberships",
        "projects/acme-fleet/locations/us-central1/memberships/../secrets",
        "projects/acme-fleet/locations/us-central1/memberships/a%2Fb",
        "projects/acme-fleet/locations/us-central1/memberships/Prod",
        "projects/acme-fleet/locations/us-central1/memberships/" + "a" * 64,
        "projects/acme-fleet/locations/us-central1/memberships/-bad",
        "projects/acme-fleet/locations/US/memberships/a",
        "projects/acme-fleet/locations/us-central1/scopes/a/bindings/b",
        "projects/Acme/locations/us-central1/memberships/a",
        "projects/acme-fleet/locations/us-central1/memberships/a/bindings/B",
        "projects/acme-fleet/locations/us-central1/memberships/a/extra",
        "//container.googleapis.com/projects/a/locations/b/clusters/c",
        "projects/acme-fleet/locations/us-central1/memberships/a b",
    ],
)
def test_parse_resource_name_refuses_everything_else(name):
    with pytest.raises(PermanentError):
        parse_resource_name(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("global/argocd-hub", MembershipRef("global", "argocd-hub")),
        (
            "projects/1/locations/global/memberships/argocd-hub",
            MembershipRef("global", "argocd-hub"),
        ),
    ],
)
def test_parse_membership(text, expected):
    assert parse_membership(text) == expected


@pytest.mark.parametrize(
    "text", ["argocd-hub", "global/", "/x", "global/a/b", "projects/1/locations/l-1/clusters/c"]
)
def test_parse_membership_refuses(text):
    with pytest.raises(PermanentError):
        parse_membership(text)


def test_secret_name_round_trip():
    name = secret_name(REF, "123")
    assert name == "prod-east-1.us-central1.123"
    assert parse_secret_name(name, "123") == REF
    assert parse_secret_name(name, "999") is None
    assert parse_secret_name("not-ours", "123") is None


@pytest.mark.parametrize(
    ("ref", "endpoint", "expected"),
    [
        (
            REF,
            "",
            "https://us-central1-connectgateway.googleapis.com/v1/projects/123/locations/"
            "us-central1/gkeMemberships/prod-east-1",
        ),
        (
            MembershipRef("global", "hub"),
            "",
            "https://connectgateway.googleapis.com/v1/projects/123/locations/global/gkeMemberships/hub",
        ),
        (
            REF,
            "http://127.0.0.1:9/",
            "http://127.0.0.1:9/v1/projects/123/locations/us-central1/gkeMemberships/prod-east-1",
        ),
    ],
)
def test_gateway_url(ref, endpoint, expected):
    assert gateway_url(ref, "123", endpoint) == expected


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            "//container.googleapis.com/projects/acme-fleet/locations/us-central1/clusters/prod-east-1",
            ClusterId("acme-fleet", REF),
        ),
        (
            "//container.googleapis.com/projects/acme-fleet/locations/us-central1/memberships/x",
            None,
        ),
        ("//gkeonprem.googleapis.com/projects/acme-fleet/locations/us-central1/clusters/x", None),
        ("", None),
    ],
)
def test_cluster_id(link, expected):
    assert cluster_id(link) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("acme-prod", "acme-prod", True),
        ("acme-prod", "acme-dev", False),  # same location and name, another project
        ("111111111111", "222222222222", False),
        ("acme-prod", "111111111111", True),  # an ID and a number: cannot tell, so careful
        ("", "acme-dev", True),  # a project not known: careful too
    ],
)
def test_a_cluster_is_its_project_location_and_name(a, b, same):
    assert ClusterId(a, REF).may_be(ClusterId(b, REF)) is same
    assert not ClusterId(a, REF).may_be(ClusterId(a, MembershipRef("us-east1", REF.membership)))


@pytest.mark.parametrize(
    ("link", "provider", "platform"),
    [
        ("//container.googleapis.com/projects/p/locations/l/clusters/c", "", "gke"),
        ("//container.googleapis.com/projects/p/locations/l/clusters/c", "aws:///x", "gke"),
        ("", "aws:///us-east-1a/i-0abc", "eks"),
        ("", "azure:///subscriptions/s/vm/0", "aks"),
        ("", "vsphere://4237f0a8", "on-prem"),
        ("", "baremetal://node-1", "on-prem"),
        ("", "kind://docker/kind/node", "other"),
        ("", "", "other"),
    ],
)
def test_platform_of(link, provider, platform):
    assert platform_of(link, provider) == platform
