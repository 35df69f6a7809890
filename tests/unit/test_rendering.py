import json

import pytest

from fleetsync.core.model import (
    CLUSTER_ANNOTATION,
    LOCATION_LABEL,
    MANAGED_BY_LABEL,
    MEMBERSHIP_ANNOTATION,
    MEMBERSHIP_LABEL,
    SECRET_TYPE_LABEL,
    UNIQUE_ID_ANNOTATION,
    Membership,
    MembershipRef,
)
from fleetsync.core.rendering import SecretTarget, render_secret

MEMBERSHIP = Membership(
    MembershipRef("us-central1", "prod-east-1"),
    "READY",
    {
        "env": "prod",
        "Bad Key": "x",
        "ok": "bad value!",
        MANAGED_BY_LABEL: "someone",
        "fleet-argocd-sync.io/location": "spoof",
        "argocd.argoproj.io/secret-type": "repo",
    },
    ("team-a", "team-b"),
    "uid-1",
    "//container.googleapis.com/projects/acme-fleet/locations/us-central1/clusters/prod-east-1",
)


def test_secret_contract():
    secret, warnings = render_secret(MEMBERSHIP, SecretTarget("123", "platform"))
    assert secret.name == "prod-east-1.us-central1.123"
    assert secret.labels == {
        SECRET_TYPE_LABEL: "cluster",
        MANAGED_BY_LABEL: "fleet-argocd-sync",
        LOCATION_LABEL: "us-central1",
        "fleet-argocd-sync.io/platform": "gke",
        MEMBERSHIP_LABEL: "prod-east-1",
        "env": "prod",
        "scope.fleet-argocd-sync.io/team-a": "true",
        "scope.fleet-argocd-sync.io/team-b": "true",
    }
    assert secret.data["name"] == secret.name
    assert secret.data["server"] == (
        "https://us-central1-connectgateway.googleapis.com/v1/"
        "projects/123/locations/us-central1/gkeMemberships/prod-east-1"
    )
    assert secret.data["project"] == "platform"
    config = json.loads(secret.data["config"])
    assert config["execProviderConfig"] == {
        "command": "argocd-k8s-auth",
        "args": ["gcp"],
        "apiVersion": "client.authentication.k8s.io/v1beta1",
    }
    assert config["tlsClientConfig"]["insecure"] is False
    assert secret.annotations[MEMBERSHIP_ANNOTATION] == (
        "projects/123/locations/us-central1/memberships/prod-east-1"
    )
    assert secret.annotations[UNIQUE_ID_ANNOTATION] == "uid-1"
    assert secret.annotations[CLUSTER_ANNOTATION] == MEMBERSHIP.cluster
    assert secret.annotations["fleet-argocd-sync.io/location"] == "us-central1"
    assert secret.annotations["fleet-argocd-sync.io/platform"] == "gke"
    assert "fleet-argocd-sync.io/kubernetes-version" not in secret.annotations  # not reported
    assert len(warnings) == 5
    assert all("prod-east-1" in w for w in warnings)


def test_no_project_key_without_app_project():
    secret, _ = render_secret(MEMBERSHIP, SecretTarget("123"))
    assert "project" not in secret.data


@pytest.mark.parametrize(
    ("platform", "location", "server"),
    [
        (
            "gke",
            "us-central1",
            "https://us-central1-connectgateway.googleapis.com/v1/projects/"
            "123/locations/us-central1/gkeMemberships/m",
        ),
        (
            "eks",
            "us-central1",
            "https://us-central1-connectgateway.googleapis.com/v1/projects/"
            "123/locations/us-central1/memberships/m",
        ),
        (
            "on-prem",
            "global",
            "https://connectgateway.googleapis.com/v1/projects/123/locations/global/memberships/m",
        ),
        (
            "other",
            "global",
            "https://connectgateway.googleapis.com/v1/projects/123/locations/global/memberships/m",
        ),
    ],
)
def test_every_kind_of_member_gets_the_gateway_path_it_can_use(platform, location, server):
    member = Membership(
        MembershipRef(location, "m"), "READY", platform=platform, kubernetes_version="v1.31.4-eks"
    )
    secret, warnings = render_secret(member, SecretTarget("123"))
    assert secret.data["server"] == server
    assert secret.labels["fleet-argocd-sync.io/platform"] == platform
    assert secret.annotations["fleet-argocd-sync.io/kubernetes-version"] == "v1.31.4-eks"
    assert bool(warnings) == (platform == "other")
