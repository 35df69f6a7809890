"""A membership as its ClusterProfile: the Secret's name, labels and server in the CRD's
terms, the conditions from the membership's state, the condition times a writer keeps."""

from __future__ import annotations

import pytest

from fleetsync.core.model import (
    MANAGED_BY_LABEL,
    SECRET_TYPE_LABEL,
    TARGET_LABEL,
    Membership,
    MembershipRef,
)
from fleetsync.core.profiles import (
    CLUSTER_MANAGER,
    CLUSTER_MANAGER_LABEL,
    PROPERTY_VALUE_MAX_LENGTH,
    ProfileTarget,
    conditions_at,
    profile_manifest,
    render_profile,
    status_manifest,
)
from fleetsync.core.rendering import SecretTarget, render_secret

NUMBER = "123456789012"
TARGET = ProfileTarget(NUMBER, "argo-cd-builtin-gcp", "https://gw", "teams")


def member(state: str = "READY", **fields: object) -> Membership:
    ref = MembershipRef("us-central1", "prod-1")
    base: dict[str, object] = {"labels": {"env": "prod"}, "scopes": ("pay",)}
    return Membership(ref, state, **{**base, **fields})  # type: ignore[arg-type]


def test_a_profile_says_what_the_secret_says_in_the_crds_terms():
    profile, warnings = render_profile(member(kubernetes_version="1.33.5-gke.1"), TARGET)
    secret, _ = render_secret(member(), SecretTarget(NUMBER, "", "https://gw", "teams"))
    assert (profile.name, warnings) == (secret.name, [])
    assert profile.labels[CLUSTER_MANAGER_LABEL] == CLUSTER_MANAGER
    assert profile.labels[MANAGED_BY_LABEL] == secret.labels[MANAGED_BY_LABEL]
    assert (profile.labels[TARGET_LABEL], profile.labels["env"]) == ("teams", "prod")
    assert SECRET_TYPE_LABEL not in profile.labels
    manifest = profile_manifest(profile, "fleet-cluster-inventory")
    assert manifest["spec"] == {
        "clusterManager": {"name": "fleet-argocd-sync"},
        "displayName": f"prod-1 (us-central1, {NUMBER})",
    }
    status = status_manifest(profile, {}, "2026-12-04T10:00:00Z")
    assert status["accessProviders"] == [
        {"name": "argo-cd-builtin-gcp", "cluster": {"server": secret.data["server"]}}
    ]
    assert status["version"] == {"kubernetes": "1.33.5-gke.1"}
    assert {p["name"]: p["value"] for p in status["properties"]} == {
        "fleet-argocd-sync.io/location": "us-central1",
        "fleet-argocd-sync.io/platform": "gke",
        "fleet-argocd-sync.io/fleet-project-number": NUMBER,
        "fleet-argocd-sync.io/scopes": "pay",
    }
    assert [c["type"] for c in status["conditions"]] == ["ControlPlaneHealthy", "Joined"]


@pytest.mark.parametrize(
    ("state", "fields", "status", "reason"),
    [
        ("READY", {}, "True", "MembershipReady"),
        ("CREATING", {}, "Unknown", "MembershipCreating"),
        ("SERVICE_UPDATING", {}, "Unknown", "MembershipServiceUpdating"),
        ("DELETING", {}, "False", "MembershipDeleting"),
        ("READY", {"cluster_missing": True}, "False", "ClusterMissing"),
        ("CODE_9", {}, "Unknown", "MembershipStateUnknown"),
    ],
)
def test_control_plane_health_follows_the_membership_state(state, fields, status, reason):
    profile, _ = render_profile(member(state, **fields), TARGET)
    health = profile.status["conditions"][0]
    assert (health["type"], health["status"], health["reason"]) == (
        "ControlPlaneHealthy",
        status,
        reason,
    )


def test_a_condition_keeps_its_time_while_its_status_stays():
    wanted = [{"type": "A", "status": "True"}, {"type": "B", "status": "False"}]
    current = [
        {"type": "A", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"},
        {"type": "B", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"},
    ]
    timed = conditions_at(wanted, current, "2026-12-04T10:00:00Z")
    assert [c["lastTransitionTime"] for c in timed] == [
        "2026-01-01T00:00:00Z",
        "2026-12-04T10:00:00Z",
    ]
    assert conditions_at(wanted, [], "T")[0]["lastTransitionTime"] == "T"


def test_no_scopes_is_no_scopes_property_and_many_stay_within_the_crds_cap():
    bare, _ = render_profile(member(scopes=()), TARGET)
    assert "fleet-argocd-sync.io/scopes" not in {p["name"] for p in bare.status["properties"]}
    scopes = tuple(f"{i:03d}" + "s" * 60 for i in range(40))
    many, _ = render_profile(member(scopes=scopes), TARGET)
    (value,) = [p["value"] for p in many.status["properties"] if p["name"].endswith("/scopes")]
    assert len(value) <= PROPERTY_VALUE_MAX_LENGTH
    shown = value.split(",")
    assert shown[-1] == f"... {40 - len(shown) + 1} more"
    assert shown[:-1] == sorted(scopes)[: len(shown) - 1]
