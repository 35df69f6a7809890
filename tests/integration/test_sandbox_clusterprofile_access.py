"""Who may write ClusterProfiles, and where: the function identity in
`fleet-cluster-inventory` of every Argo CD cluster only, `clusterprofiles/status` as an RBAC
resource of its own, and namespaces created as on a real cluster (the admin may, with the API
server's refusals; the function may not).

Sources: Kubernetes docs, "Using RBAC Authorization" (subresources); rbac/v1 helpers
`ResourceMatches`; apiserver `responsewriters/errors.go` `forbiddenMessage`; apimachinery
`validation.IsDNS1123Label`.
"""

import json

import kubernetes.client as k
import pytest

from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.rbac import Rule, authorize
from tests.integration.kube import core
from tests.integration.test_sandbox_clusterprofiles import (
    CONDITION,
    GROUP,
    NS,
    PLURAL,
    VERSION,
    api,
    create,
    custom,
    failure,
    patch_status,
    profile,
)

__all__ = ["api"]  # the fixture


def test_the_function_writes_clusterprofiles_only_in_the_inventory_namespace(
    api, running_sandbox, sandbox
):
    create(api, profile("c1"))
    for call in (
        lambda: create(api, profile("c2"), "argocd"),
        lambda: api.list_namespaced_custom_object(GROUP, VERSION, "default", PLURAL),
    ):
        code, answer = failure(call)
        assert (code, answer["reason"]) == (403, "Forbidden")
        assert 'in API group "multicluster.x-k8s.io"' in answer["message"]
    admin = custom(running_sandbox.base_url, "admin-token")
    create(admin, profile("elsewhere"), "default")
    assert set(sandbox.clusterprofiles(namespace="default")) == {"elsewhere"}


def test_status_needs_its_own_rbac_resource(api, running_sandbox, sandbox):
    """A Role granting `clusterprofiles` (every verb) reaches the objects, not `/status`;
    the function's Role grants both, the admin's wildcard reaches both."""
    create(api, profile("c1"))
    sandbox.ok("POST", "/sandbox/tokens", {"token": "objects-only", "identity": "plain@x.example"})
    hub = running_sandbox.store.clusters[("global", "argocd-hub")]
    verbs = frozenset({"get", "list", "create", "patch", "update", "delete"})
    hub.rules.append(Rule("plain@x.example", verbs, "clusterprofiles", NS, GROUP))
    status = {"status": {"conditions": [CONDITION]}}
    plain = custom(running_sandbox.base_url, "objects-only")
    relabel = {"metadata": {"labels": {"a": "b"}}}
    assert plain.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "c1", relabel)
    code, answer = failure(lambda: patch_status(plain, "c1", status))
    assert code == 403
    assert answer["message"] == (
        'clusterprofiles.multicluster.x-k8s.io "c1" is forbidden: User "plain@x.example" cannot '
        'patch resource "clusterprofiles/status" in API group "multicluster.x-k8s.io" in the '
        'namespace "fleet-cluster-inventory"'
    )
    assert patch_status(api, "c1", status)["status"] == status["status"]
    admin = custom(running_sandbox.base_url, "admin-token")
    assert patch_status(admin, "c1", {"status": None}).get("status") is None


def test_admins_create_namespaces_as_a_real_cluster_lets_them(running_sandbox, sandbox):
    admin = core(running_sandbox.base_url, "admin-token")
    made = admin.create_namespace(k.V1Namespace(metadata=k.V1ObjectMeta(name="team-x")))
    assert made.metadata.labels == {"kubernetes.io/metadata.name": "team-x"}
    assert made.status.phase == "Active"
    assert "team-x" in [n.metadata.name for n in admin.list_namespace().items]
    for name, status, reason in (("team-x", 409, "AlreadyExists"), ("Team_X", 422, "Invalid")):
        with pytest.raises(k.ApiException) as raised:
            admin.create_namespace(k.V1Namespace(metadata=k.V1ObjectMeta(name=name)))
        assert (raised.value.status, json.loads(raised.value.body)["reason"]) == (status, reason)
    with pytest.raises(k.ApiException) as raised:
        core(running_sandbox.base_url).create_namespace(
            k.V1Namespace(metadata=k.V1ObjectMeta(name="team-y"))
        )
    assert raised.value.status == 403


def test_a_member_made_an_argocd_cluster_also_gets_the_inventory_namespace(
    running_sandbox, sandbox
):
    sandbox.ok("POST", "/sandbox/memberships",
               {"location": "us-east1", "id": "hub-2", "argocd_namespace": "gitops"})  # fmt: skip
    path = "/v1/projects/123456789012/locations/us-east1/gkeMemberships/hub-2"
    created = create(custom(running_sandbox.base_url, path=path), profile("c1"))
    assert created["metadata"]["namespace"] == NS
    assert set(sandbox.clusterprofiles(membership="us-east1/hub-2")) == {"c1"}


def test_a_rule_for_clusterprofiles_does_not_reach_their_status():
    """rbac/v1 `ResourceMatches`: `clusterprofiles` is not `clusterprofiles/status`; `*` and
    `*/status` are."""
    verbs = frozenset({"get", "patch", "update"})
    only_objects = [Rule("fn", verbs, "clusterprofiles", NS, GROUP)]
    authorize(only_objects, "fn", "patch", "clusterprofiles", NS, "c1", GROUP)
    with pytest.raises(KubeError) as refused:
        authorize(only_objects, "fn", "patch", "clusterprofiles/status", NS, "c1", GROUP)
    assert refused.value.details == {"name": "c1", "kind": "clusterprofiles", "group": GROUP}
    for rule in ("*", "*/status", "clusterprofiles/status"):
        authorize([Rule("fn", verbs, rule, NS, GROUP)], "fn", "patch", "clusterprofiles/status",
                  NS, "c1", GROUP)  # fmt: skip
