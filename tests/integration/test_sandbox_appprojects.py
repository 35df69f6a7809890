"""Argo CD AppProjects (argoproj.io/v1alpha1) on the clusters' Kubernetes API, driven by the
official client's CustomObjectsApi through Connect Gateway.

Sources: argoproj/argo-cd manifests/crds/appproject-crd.yaml (the schema) and the Kubernetes
API conventions (resourceVersion, preconditions, Status bodies).
"""

import json

import kubernetes.client as k
import pytest

from tests.conftest import PROJECT_NUMBER
from tests.integration.kube import GATEWAY

GROUP, VERSION, PLURAL = "argoproj.io", "v1alpha1", "appprojects"


def custom(base_url, token="sandbox-token", path=GATEWAY):
    config = k.Configuration(host=base_url + path)
    config.api_key = {"authorization": token}
    config.api_key_prefix = {"authorization": "Bearer"}
    return k.CustomObjectsApi(k.ApiClient(config))


def project(name, labels=None, namespace=None, **spec):
    metadata = {"name": name, "labels": labels or {}}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": metadata,
        "spec": {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}], **spec},
    }


@pytest.fixture
def api(sandbox, running_sandbox):
    return custom(running_sandbox.base_url)


def create(api, body, namespace="argocd"):
    return api.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body)


def failure(call):
    with pytest.raises(k.ApiException) as raised:
        call()
    return raised.value.status, json.loads(raised.value.body)


def test_create_get_and_the_fields_the_server_sets(api, sandbox):
    created = create(api, project("team-a"))
    meta = created["metadata"]
    assert meta["uid"] and meta["creationTimestamp"] and meta["generation"] == 1
    assert meta["namespace"] == "argocd"
    got = api.get_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, "team-a")
    assert got == created
    assert sandbox.appprojects() == {"team-a": created}
    status, body = failure(lambda: create(api, project("team-a")))
    assert (status, body["reason"]) == (409, "AlreadyExists")


def test_merge_patch_and_its_conflicts(api):
    created = create(api, project("team-a"))
    version = created["metadata"]["resourceVersion"]
    relabelled = api.patch_namespaced_custom_object(
        GROUP, VERSION, "argocd", PLURAL, "team-a", {"metadata": {"labels": {"team": "a"}}}
    )
    assert relabelled["metadata"]["labels"] == {"team": "a"}
    assert relabelled["metadata"]["generation"] == 1  # metadata only
    assert relabelled["metadata"]["resourceVersion"] != version
    stale = {"metadata": {"resourceVersion": version}, "spec": {"sourceRepos": ["https://x"]}}
    status, body = failure(
        lambda: api.patch_namespaced_custom_object(
            GROUP, VERSION, "argocd", PLURAL, "team-a", stale
        )
    )
    assert (status, body["reason"]) == (409, "Conflict")
    current = relabelled["metadata"]["resourceVersion"]
    fresh = {"metadata": {"resourceVersion": current}, "spec": {"sourceRepos": ["https://x"]}}
    patched = api.patch_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, "team-a", fresh)
    assert patched["spec"]["sourceRepos"] == ["https://x"]
    assert patched["metadata"]["generation"] == 2
    same = {"spec": {"sourceRepos": ["https://x"]}}
    again = api.patch_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, "team-a", same)
    assert again["metadata"]["resourceVersion"] == patched["metadata"]["resourceVersion"]


def test_delete_with_preconditions(api):
    created = create(api, project("team-a"))
    version = created["metadata"]["resourceVersion"]
    api.patch_namespaced_custom_object(
        GROUP, VERSION, "argocd", PLURAL, "team-a", {"metadata": {"labels": {"x": "y"}}}
    )
    stale = k.V1DeleteOptions(preconditions=k.V1Preconditions(resource_version=version))
    status, body = failure(
        lambda: api.delete_namespaced_custom_object(
            GROUP, VERSION, "argocd", PLURAL, "team-a", body=stale
        )
    )
    assert (status, body["reason"]) == (409, "Conflict")
    assert "does not match the ResourceVersion in record" in body["message"]
    api.delete_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, "team-a")
    status, body = failure(
        lambda: api.get_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, "team-a")
    )
    assert (status, body["reason"]) == (404, "NotFound")
    status, _ = failure(
        lambda: api.delete_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, "team-a")
    )
    assert status == 404


def test_list_with_a_label_selector_and_in_chunks(api):
    for i in range(5):
        create(api, project(f"p{i}", {"team": "a" if i % 2 else "b"}))
    listed = api.list_namespaced_custom_object(
        GROUP, VERSION, "argocd", PLURAL, label_selector="team=a"
    )
    assert listed["kind"] == "AppProjectList"
    assert [p["metadata"]["name"] for p in listed["items"]] == ["p1", "p3"]
    first = api.list_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, limit=2)
    assert first["metadata"]["remainingItemCount"] == 3
    create(api, project("p9"))  # not in the snapshot the chunks read
    rest = api.list_namespaced_custom_object(
        GROUP, VERSION, "argocd", PLURAL, limit=10, _continue=first["metadata"]["continue"]
    )
    names = [p["metadata"]["name"] for p in first["items"] + rest["items"]]
    assert names == [f"p{i}" for i in range(5)]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"spec": "all"}, 422, "spec"),
        ({"spec": {"sourceRepos": "*"}}, 422, "spec.sourceRepos"),
        ({"spec": {"sourceRepos": [1]}}, 422, "spec.sourceRepos[0]"),
        ({"spec": {"destinations": [{"server": 1}]}}, 422, "spec.destinations[0].server"),
        ({"spec": {"destinations": ["x"]}}, 422, "spec.destinations[0]"),
        ({"spec": {"clusterResourceWhitelist": [{"group": "*"}]}}, 422,
         "spec.clusterResourceWhitelist[0].kind"),
        ({"spec": {"namespaceResourceWhitelist": [{"group": 1, "kind": "*"}]}}, 422,
         "spec.namespaceResourceWhitelist[0].group"),
        ({"metadata": {"name": "Team_A"}}, 422, "metadata.name"),
        ({"metadata": {"name": "team-a", "namespace": "default"}}, 400, None),
        ({"kind": "Application"}, 400, None),
        ({"apiVersion": "argoproj.io/v1"}, 400, None),
    ],
)  # fmt: skip
def test_invalid_appprojects_are_refused(api, sandbox, change, status, field):
    body = {**project("team-a"), **change}
    if "spec" not in change:
        body["spec"] = project("team-a")["spec"]
    code, answer = failure(lambda: create(api, body))
    assert code == status
    assert answer["kind"] == "Status"
    if field:
        assert answer["reason"] == "Invalid"
        assert answer["details"]["causes"][0]["field"] == field
    assert sandbox.appprojects() == {}


def test_a_missing_spec_is_required(api):
    body = project("team-a")
    del body["spec"]
    code, answer = failure(lambda: create(api, body))
    assert (code, answer["details"]["causes"][0]["reason"]) == (422, "FieldValueRequired")


def test_the_function_may_not_touch_appprojects_elsewhere(sandbox, running_sandbox, api):
    sandbox.add_membership("us-central1", "plain")
    path = f"/v1/projects/{PROJECT_NUMBER}/locations/us-central1/gkeMemberships/plain"
    plain = custom(running_sandbox.base_url, path=path)
    for call in (
        lambda: create(plain, project("team-a"), "default"),
        lambda: plain.list_namespaced_custom_object(GROUP, VERSION, "default", PLURAL),
        lambda: create(api, project("team-a"), "default"),
    ):
        code, answer = failure(call)
        assert (code, answer["reason"]) == (403, "Forbidden")
        assert 'in API group "argoproj.io"' in answer["message"]
    admin = custom(running_sandbox.base_url, "admin-token", path=path)
    foreign = create(admin, project("foreign"), "default")
    viewed = sandbox.appprojects(membership="us-central1/plain", namespace="default")
    assert viewed == {"foreign": foreign}


def test_an_object_larger_than_etcd_stores_is_refused_and_not_stored(api, sandbox):
    """etcd's default --max-request-bytes (1.5 MiB) bounds every object; the API server
    answers 500 `etcdserver: request is too large` and stores nothing."""
    server = "https://connectgateway.googleapis.com/v1/projects/1/locations/l/gkeMemberships/"
    many = [{"server": f"{server}c-{i:05d}", "namespace": "payments-web"} for i in range(15000)]
    code, answer = failure(lambda: create(api, project("team-big", destinations=many)))
    assert (code, answer["message"]) == (500, "etcdserver: request is too large")
    assert "team-big" not in sandbox.appprojects()
    assert create(api, project("team-ok", destinations=many[:5000]))["metadata"]["name"]


def test_unknown_fields_and_nulls_are_pruned_on_create_and_patch(api):
    """Structural pruning, as for any apiextensions.k8s.io/v1 CRD (KEP-2332): what the schema
    does not name is dropped, never kept and never refused; so is a null it does not allow."""
    body = project("team-a", colour="red", description=None, roles=[{"name": "r", "x": 1}])
    body["extra"] = {"a": 1}
    created = create(api, body)
    assert "extra" not in created
    assert created["spec"]["roles"] == [{"name": "r"}]
    assert "colour" not in created["spec"] and "description" not in created["spec"]
    patch = {"spec": {"orphanedResources": {"warn": True, "shade": "blue"}}}
    patched = api.patch_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, "team-a", patch)
    assert patched["spec"]["orphanedResources"] == {"warn": True}
    too_long = {"spec": {"description": "d" * 256}}
    code, answer = failure(
        lambda: api.patch_namespaced_custom_object(
            GROUP, VERSION, "argocd", PLURAL, "team-a", too_long
        )
    )
    assert (code, answer["details"]["causes"][0]["reason"]) == (422, "FieldValueTooLong")
    got = api.get_namespaced_custom_object(GROUP, VERSION, "argocd", PLURAL, "team-a")
    assert "description" not in got["spec"]


def test_a_replace_needs_the_resource_version_as_for_every_custom_resource(
    sandbox, running_sandbox
):
    api = custom(running_sandbox.base_url, "admin-token")  # the function may not update
    created = create(api, project("team-a"))
    body = project("team-a")
    code, answer = failure(
        lambda: api.replace_namespaced_custom_object(
            GROUP, VERSION, "argocd", PLURAL, "team-a", body
        )
    )
    assert code == 422, answer
    assert answer["details"]["causes"][0]["field"] == "metadata.resourceVersion"
    body["metadata"]["resourceVersion"] = created["metadata"]["resourceVersion"]
    replaced = api.replace_namespaced_custom_object(
        GROUP, VERSION, "argocd", PLURAL, "team-a", body
    )
    assert replaced["metadata"]["name"] == "team-a"
