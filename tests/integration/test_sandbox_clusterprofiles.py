"""SIG-Multicluster ClusterProfiles (multicluster.x-k8s.io/v1alpha1) on the Argo CD cluster's
Kubernetes API, driven by the official client's CustomObjectsApi through Connect Gateway:
the status subresource, the immutable `spec.clusterManager`, pruning, the CRD's refusals.
Who may write them, and where: `test_sandbox_clusterprofile_access.py`.

Sources: kubernetes-sigs/cluster-inventory-api v0.1.2 (the CRD); apiextensions-apiserver
v0.33.5 (`customresource/strategy.go`, `status_strategy.go`, `schema/cel/validation.go`,
`schema/listtype/validation.go`); Kubernetes docs, "Custom Resources", Status subresource.
"""

import json

import kubernetes.client as k
import pytest

from tests.integration.kube import GATEWAY

GROUP, VERSION, PLURAL = "multicluster.x-k8s.io", "v1alpha1", "clusterprofiles"
NS = "fleet-cluster-inventory"
CONDITION = {
    "type": "Joined",
    "status": "True",
    "reason": "Joined",
    "message": "",
    "lastTransitionTime": "2026-01-02T03:04:05Z",
}


def custom(base_url, token="sandbox-token", path=GATEWAY):
    config = k.Configuration(host=base_url + path)
    config.api_key = {"authorization": token}
    config.api_key_prefix = {"authorization": "Bearer"}
    return k.CustomObjectsApi(k.ApiClient(config))


def profile(name, manager="fleet-argocd-sync", status=None, **spec):
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ClusterProfile",
        "metadata": {"name": name},
        "spec": {"clusterManager": {"name": manager}, **spec},
    }
    if status is not None:
        body["status"] = status
    return body


@pytest.fixture
def api(sandbox, running_sandbox):
    return custom(running_sandbox.base_url)


def create(api, body, namespace=NS):
    return api.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body)


def get(api, name, namespace=NS):
    return api.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)


def patch_status(api, name, body, namespace=NS):
    return api.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, PLURAL, name, body)


def failure(call):
    with pytest.raises(k.ApiException) as raised:
        call()
    return raised.value.status, json.loads(raised.value.body)


def causes(answer):
    return [(c["field"], c["reason"]) for c in answer["details"]["causes"]]


def test_status_in_a_create_is_dropped_and_generation_starts_at_one(api, sandbox):
    created = create(api, profile("c1", status={"conditions": [CONDITION]}))
    assert "status" not in created
    assert created["metadata"]["generation"] == 1
    assert get(api, "c1") == created == sandbox.clusterprofiles()["c1"]


def test_status_writes_change_only_status_and_never_generation(api):
    created = create(api, profile("c1"))
    body = {"metadata": {"labels": {"x": "y"}}, "spec": {"displayName": "new"},
            "status": {"conditions": [CONDITION]}}  # fmt: skip
    patched = patch_status(api, "c1", body)
    assert patched["status"] == {"conditions": [CONDITION]}
    assert patched["spec"] == created["spec"] and "labels" not in patched["metadata"]
    assert patched["metadata"]["generation"] == 1
    assert patched["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    put = {**patched, "status": {"version": {"kubernetes": "v1.33.5"}}, "spec": {}}
    replaced = api.replace_namespaced_custom_object_status(GROUP, VERSION, NS, PLURAL, "c1", put)
    assert replaced["status"] == {"version": {"kubernetes": "v1.33.5"}}
    assert replaced["spec"] == created["spec"] and replaced["metadata"]["generation"] == 1
    status, answer = failure(
        lambda: api.replace_namespaced_custom_object_status(GROUP, VERSION, NS, PLURAL, "c1", put)
    )
    assert (status, answer["reason"]) == (409, "Conflict")  # the resourceVersion is stale
    assert api.get_namespaced_custom_object_status(GROUP, VERSION, NS, PLURAL, "c1") == replaced


def test_object_writes_keep_the_stored_status_and_bump_generation_for_spec(api):
    create(api, profile("c1"))
    with_status = patch_status(api, "c1", {"status": {"conditions": [CONDITION]}})
    patch = {"spec": {"displayName": "Cluster 1"}, "status": {"conditions": []}}
    patched = api.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "c1", patch)
    assert patched["status"] == with_status["status"]
    assert patched["metadata"]["generation"] == 2
    relabelled = api.patch_namespaced_custom_object(
        GROUP, VERSION, NS, PLURAL, "c1", {"metadata": {"labels": {"a": "b"}}}
    )
    assert relabelled["metadata"]["generation"] == 2
    body = {**relabelled, "status": {}}
    replaced = api.replace_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "c1", body)
    assert replaced["status"] == with_status["status"]
    del body["metadata"]["resourceVersion"]
    code, answer = failure(
        lambda: api.replace_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "c1", body)
    )
    assert (code, causes(answer)) == (422, [("metadata.resourceVersion", "FieldValueInvalid")])
    assert "Invalid value: 0x0: must be specified for an update" in answer["message"]


def test_cluster_manager_is_immutable(api):
    create(api, profile("c1"))
    same = api.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        NS,
        PLURAL,
        "c1",
        {"spec": {"clusterManager": {"name": "fleet-argocd-sync"}}},
    )
    assert same["metadata"]["generation"] == 1
    code, answer = failure(
        lambda: api.patch_namespaced_custom_object(
            GROUP, VERSION, NS, PLURAL, "c1", {"spec": {"clusterManager": {"name": "other"}}}
        )
    )
    assert (code, causes(answer)) == (422, [("spec.clusterManager", "FieldValueInvalid")])
    assert answer["message"] == (
        'ClusterProfile.multicluster.x-k8s.io "c1" is invalid: spec.clusterManager: '
        'Invalid value: "object": ClusterManager is immutable'
    )
    assert get(api, "c1")["spec"]["clusterManager"] == {"name": "fleet-argocd-sync"}


def test_unknown_fields_are_pruned_in_spec_and_status(api):
    body = profile("c1", colour="red")
    body["spec"]["clusterManager"]["extra"] = 1
    created = create(api, body)
    assert created["spec"] == {"clusterManager": {"name": "fleet-argocd-sync"}}
    provider = {"name": "google", "cluster": {"server": "https://x", "y": 1}}
    status = {"colour": "red", "conditions": [{**CONDITION, "shade": "blue"}],
              "accessProviders": [provider]}  # fmt: skip
    patched = patch_status(api, "c1", {"status": status})
    assert patched["status"] == {
        "conditions": [CONDITION],
        "accessProviders": [{"name": "google", "cluster": {"server": "https://x"}}],
    }


BAD = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"


@pytest.mark.parametrize(
    ("change", "field", "reason", "detail"),
    [
        ({"status": "Maybe"}, "status.conditions[0].status", "FieldValueNotSupported",
         'Unsupported value: "Maybe": supported values: "True", "False", "Unknown"'),
        ({"reason": "9lives"}, "status.conditions[0].reason", "FieldValueInvalid",
         f"Invalid value: \"9lives\": conditions[0].reason in body should match '{BAD}'"),
        ({"reason": ""}, "status.conditions[0].reason", "FieldValueInvalid",
         'Invalid value: "": conditions[0].reason in body should be at least 1 chars long'),
        ({"message": "m" * 32769}, "status.conditions[0].message", "FieldValueTooLong",
         "Too long: may not be more than 32768 bytes"),
        ({"lastTransitionTime": "yesterday"}, "status.conditions[0].lastTransitionTime",
         "FieldValueTypeInvalid", 'Invalid value: "yesterday": conditions[0].lastTransitionTime '
         'in body must be of type date-time: "yesterday"'),
        ({"observedGeneration": -1}, "status.conditions[0].observedGeneration",
         "FieldValueInvalid", "Invalid value: -1: conditions[0].observedGeneration in body "
         "should be greater than or equal to 0"),
    ],
)  # fmt: skip
def test_the_crd_refuses_bad_conditions_with_the_api_servers_causes(
    api, change, field, reason, detail
):
    create(api, profile("c1"))
    code, answer = failure(
        lambda: patch_status(api, "c1", {"status": {"conditions": [{**CONDITION, **change}]}})
    )
    assert code == 422
    found = answer["details"]["causes"]
    assert (found[0]["field"], found[0]["reason"], found[0]["message"]) == (field, reason, detail)
    if reason in ("FieldValueNotSupported", "FieldValueTooLong", "FieldValueTypeInvalid"):
        # the CRD has a CEL rule, which the API server then says it did not check
        assert [(c["field"], c["reason"]) for c in found[1:]] == [("<nil>", "FieldValueInvalid")]
    else:
        assert len(found) == 1
    assert "status" not in get(api, "c1")


def test_list_map_keys_are_unique_and_bad_bytes_refused(api):
    create(api, profile("c1"))
    twice = {"status": {"conditions": [CONDITION, {**CONDITION, "status": "False"}]}}
    code, answer = failure(lambda: patch_status(api, "c1", twice))
    assert (code, causes(answer)) == (422, [("status.conditions[1]", "FieldValueDuplicate")])
    assert answer["details"]["causes"][0]["message"] == (
        'Duplicate value: map[string]interface {}{"type":"Joined"}'
    )
    ca = {"name": "google", "cluster": {"server": "https://x", "certificate-authority-data": "%"}}
    code, answer = failure(lambda: patch_status(api, "c1", {"status": {"accessProviders": [ca]}}))
    field = "status.accessProviders[0].cluster.certificate-authority-data"
    assert (code, causes(answer)[0]) == (422, (field, "FieldValueTypeInvalid"))


def test_a_spec_without_cluster_manager_is_required(api, sandbox):
    body = profile("c1")
    del body["spec"]["clusterManager"]
    code, answer = failure(lambda: create(api, body))
    assert (code, causes(answer)) == (
        422,
        [("spec.clusterManager", "FieldValueRequired"), ("<nil>", "FieldValueInvalid")],
    )
    assert "some validation rules were not checked" in answer["message"]
    assert sandbox.clusterprofiles() == {}
