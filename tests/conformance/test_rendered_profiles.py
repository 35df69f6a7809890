"""Every ClusterProfile the product renders is one the published CRD accepts
(cluster-inventory-api v0.1.2, ../shared/reference/cluster-inventory), checked with
`jsonschema` on the published schema and by the sandbox's API server, which must store it
with nothing pruned: the object through a create, its `status` through `/status`."""

from __future__ import annotations

import functools

import jsonschema
import pytest

from fleetsync.core.model import Membership, MembershipRef
from fleetsync.core.profiles import (
    ProfileTarget,
    profile_manifest,
    render_profile,
    status_manifest,
)
from sandbox.kubernetes.clusterprofiles import validated_create, validated_status
from tests.conformance.crd_values import CLUSTERPROFILE

NAMESPACE, NOW = "fleet-cluster-inventory", "2026-12-04T10:00:00Z"
NUMBER = "123456789012"
LONG_SCOPES = tuple(f"{i:02d}" + "s" * 61 for i in range(30))
MEMBERS = {
    "gke": Membership(MembershipRef("us-central1", "prod-1"), "READY", {"env": "prod"}, ("pay",),
                      kubernetes_version="1.33.5-gke.1200000"),
    "attached-eks": Membership(MembershipRef("global", "eks-1"), "READY", {}, (), platform="eks"),
    "on-prem": Membership(MembershipRef("global", "bm-1"), "READY", {"a.b/c": "d"},
                          platform="on-prem"),
    "other": Membership(MembershipRef("global", "x-1"), "READY", platform="other"),
    "missing-cluster": Membership(MembershipRef("europe-west1", "gone"), "READY",
                                  cluster_missing=True),
    "thirty-long-scopes": Membership(MembershipRef("us-east1", "s-1"), "READY", {}, LONG_SCOPES),
    "updating": Membership(MembershipRef("us-east1", "u-1"), "SERVICE_UPDATING"),
}  # fmt: skip
TARGETS = (
    ProfileTarget(NUMBER),
    ProfileTarget(NUMBER, "google", "https://connectgateway.googleapis.com", "teams"),
)


@functools.cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(CLUSTERPROFILE.schema)


@pytest.mark.parametrize("target", TARGETS, ids=["single-form", "named-target"])
@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_a_rendered_cluster_profile_is_valid_and_stored_as_sent(name, target):
    profile, _ = render_profile(MEMBERS[name], target)
    manifest = profile_manifest(profile, NAMESPACE)
    status = status_manifest(profile, {}, NOW)
    errors = [e.message for e in _validator().iter_errors({**manifest, "status": status})]
    assert errors == []
    stored = validated_create(manifest, NAMESPACE)
    assert stored["spec"] == manifest["spec"]
    assert {k: stored["metadata"][k] for k in ("labels", "annotations")} == {
        k: manifest["metadata"][k] for k in ("labels", "annotations")
    }
    written = validated_status({**manifest, "status": status}, NAMESPACE, stored)
    assert written["status"] == status
