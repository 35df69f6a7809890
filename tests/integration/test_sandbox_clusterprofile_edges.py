"""ClusterProfiles and namespaces at their edges, over raw HTTP: the methods `/status` does
not serve and the subresources the CRD does not declare, answered as the API server's custom
resource handler answers them (after RBAC); a Namespace sent as protobuf; `generateName`.

Sources: apiextensions-apiserver `pkg/apiserver/customresource_handler.go` (`ServeHTTP`: a
subresource other than `status` and `scale`, or one the CRD does not declare, is
`NewNotFound(groupResource, name)`; `serveStatus`: any verb but get, update and patch is
`NewMethodNotSupported(groupResource, verb)`); apimachinery `api/errors` (`NewMethodNotSupported`:
405 `MethodNotAllowed`, "%s is not supported on resources of kind %q", details group and
kind).
"""

import json
import re

import kubernetes.client as k
import pytest
import requests

from tests.integration.kube import GATEWAY, core
from tests.integration.test_sandbox_clusterprofiles import NS, api, create, profile

__all__ = ["api"]  # the fixture
PATH = f"{GATEWAY}/apis/multicluster.x-k8s.io/v1alpha1/namespaces/{NS}/clusterprofiles"
QUALIFIED = "clusterprofiles.multicluster.x-k8s.io"


def call(base_url, method, path, token="admin-token", body=None):
    answer = requests.request(
        method,
        base_url + PATH + path,
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=30,
    )
    return answer.status_code, answer.json()


@pytest.mark.parametrize(("method", "verb"), [("POST", "create"), ("DELETE", "delete")])
def test_status_refuses_other_verbs_as_method_not_supported(api, running_sandbox, method, verb):
    create(api, profile("c1"))
    body = profile("c1") if method == "POST" else None
    code, answer = call(running_sandbox.base_url, method, "/c1/status", body=body)
    assert code == 405
    assert answer["reason"] == "MethodNotAllowed"
    assert answer["message"] == f'{verb} is not supported on resources of kind "{QUALIFIED}"'
    assert answer["details"] == {"group": "multicluster.x-k8s.io", "kind": "clusterprofiles"}


def test_status_verbs_are_authorized_before_the_method_is_refused(api, running_sandbox):
    """The function's Role has get, patch and update on `clusterprofiles/status`: a DELETE is
    Forbidden by RBAC before the handler sees it."""
    create(api, profile("c1"))
    code, answer = call(running_sandbox.base_url, "DELETE", "/c1/status", token="sandbox-token")
    assert (code, answer["reason"]) == (403, "Forbidden")
    assert 'cannot delete resource "clusterprofiles/status"' in answer["message"]


@pytest.mark.parametrize("sub", ["scale", "spec"])
def test_an_undeclared_subresource_is_the_objects_not_found(api, running_sandbox, sub):
    create(api, profile("c1"))
    code, answer = call(running_sandbox.base_url, "GET", f"/c1/{sub}")
    assert (code, answer["reason"]) == (404, "NotFound")
    assert answer["message"] == f'{QUALIFIED} "c1" not found'
    assert answer["details"] == {
        "name": "c1",
        "group": "multicluster.x-k8s.io",
        "kind": "clusterprofiles",
    }


# kubectl 1.33's `create namespace x133` body (its -v=8 dump): the `k8s\0` magic, then a
# runtime.Unknown (typeMeta v1/Namespace, raw = the Namespace message, every field empty but
# metadata.name, as gogo-protobuf writes them).
KUBECTL_NAMESPACE = bytes.fromhex(
    "6b3873000a0f0a02763112094e616d657370616365121c0a140a04783133331200"
    "1a0022002a00320038004200120"
    "01a020a001a002200"
)


def test_a_namespace_created_as_protobuf_is_decoded(running_sandbox, sandbox):
    """apimachinery `runtime/serializer/protobuf` (the `k8s\\x00` prefix, `runtime.Unknown`),
    k8s.io/api `core/v1/generated.proto` (Namespace, ObjectMeta's field numbers)."""
    answer = requests.post(
        running_sandbox.base_url + GATEWAY + "/api/v1/namespaces",
        headers={
            "Authorization": "Bearer admin-token",
            "Content-Type": "application/vnd.kubernetes.protobuf",
        },
        data=KUBECTL_NAMESPACE,
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["metadata"]["name"] == "x133"
    assert answer.json()["metadata"]["labels"] == {"kubernetes.io/metadata.name": "x133"}


GENERATED = "[bcdfghjklmnpqrstvwxz2456789]{5}"  # apimachinery `util/rand` `String`'s alphabet


def test_generate_name_makes_the_name_of_a_clusterprofile_and_a_namespace(
    api, running_sandbox, sandbox
):
    """apiserver `registry/rest/create.go` `BeforeCreate` (a `generateName` without a `name`
    becomes the name), `storage/names/generate.go` (`SimpleNameGenerator`: the prefix cut to
    58 characters, then 5 random ones)."""
    body = profile("unused")
    body["metadata"] = {"generateName": "cp-"}
    made = create(api, body)
    assert re.fullmatch(f"cp-{GENERATED}", made["metadata"]["name"]), made["metadata"]
    assert made["metadata"]["generateName"] == "cp-"
    assert made["metadata"]["name"] in sandbox.clusterprofiles()
    admin = core(running_sandbox.base_url, "admin-token")
    long_prefix = "t" * 70
    namespace = admin.create_namespace(
        k.V1Namespace(metadata=k.V1ObjectMeta(generate_name="team-"))
    )
    assert re.fullmatch(f"team-{GENERATED}", namespace.metadata.name)
    assert namespace.metadata.labels == {"kubernetes.io/metadata.name": namespace.metadata.name}
    long = admin.create_namespace(k.V1Namespace(metadata=k.V1ObjectMeta(generate_name=long_prefix)))
    assert re.fullmatch("t" * 58 + GENERATED, long.metadata.name)


LABEL_VALUE_RULE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"a": "b c"}, f'Invalid value: "b c": {LABEL_VALUE_RULE}'),
        ({"a": "v" * 64}, f'Invalid value: "{"v" * 64}": must be no more than 63 characters'),
        ({"a b": "c"}, None),
    ],
)
def test_a_namespaces_labels_are_validated(running_sandbox, sandbox, labels, message):
    """pkg/apis/core/validation `ValidateNamespace` -> apimachinery `ValidateObjectMeta` ->
    `ValidateLabels` (`ValidateLabelName`, `IsValidLabelValue`: `RegexError`, `MaxLenError`)."""
    admin = core(running_sandbox.base_url, "admin-token")
    with pytest.raises(k.ApiException) as raised:
        admin.create_namespace(k.V1Namespace(metadata=k.V1ObjectMeta(name="lab", labels=labels)))
    answer = json.loads(raised.value.body)
    assert (raised.value.status, answer["reason"]) == (422, "Invalid")
    assert [c["field"] for c in answer["details"]["causes"]] == ["metadata.labels"]
    if message:
        assert answer["details"]["causes"][0]["message"] == message
        assert answer["message"] == f'Namespace "lab" is invalid: metadata.labels: {message}'
    assert "lab" not in [n.metadata.name for n in admin.list_namespace().items]


NOT_CHECKED = ("<nil>", "FieldValueInvalid")


def _causes(call):
    with pytest.raises(k.ApiException) as raised:
        call()
    answer = json.loads(raised.value.body)
    assert (raised.value.status, answer["reason"]) == (422, "Invalid")
    return [(c["field"], c["reason"]) for c in answer["details"]["causes"]]


def test_metadata_errors_join_the_schemas_and_block_the_rule(api):
    """customresource/validator.go `Validate`: ObjectMeta's errors (`ValidateObjectMetaAccessor`)
    and the schema's are one list, so a missing name (Required) blocks the CEL rule as any
    Required does (strategy.go `hasBlockingErr`), and a bad name comes with the spec's errors;
    on update `ValidateObjectMetaAccessorUpdate`'s label errors join the transition rule's."""
    nameless = profile("x")
    nameless["metadata"] = {}
    assert _causes(lambda: create(api, nameless)) == [
        ("metadata.name", "FieldValueRequired"),
        NOT_CHECKED,
    ]
    bad = profile("Bad_Name")
    bad["spec"] = {}
    assert _causes(lambda: create(api, bad)) == [
        ("metadata.name", "FieldValueInvalid"),
        ("spec.clusterManager", "FieldValueRequired"),
        NOT_CHECKED,
    ]
    made = create(api, profile("c1"))
    moved = profile("c1", manager="someone-else")
    moved["metadata"] = {**made["metadata"], "labels": {"a": "b c"}}
    replace = lambda: api.replace_namespaced_custom_object(  # noqa: E731
        "multicluster.x-k8s.io", "v1alpha1", NS, "clusterprofiles", "c1", moved
    )
    assert _causes(replace) == [
        ("metadata.labels", "FieldValueInvalid"),
        ("spec.clusterManager", "FieldValueInvalid"),
    ]


def test_a_dry_run_namespace_create_stores_nothing(running_sandbox, sandbox):
    """`kubectl create namespace x --dry-run=server`: apiserver `registry/generic/registry`
    `DryRunnableStorage.Create` answers what would be created and persists nothing; any
    `dryRun` value but `All` is refused (meta/v1 validation `ValidateDryRun`)."""
    admin = core(running_sandbox.base_url, "admin-token")
    body = k.V1Namespace(metadata=k.V1ObjectMeta(name="dry"))
    answered = admin.create_namespace(body, dry_run="All")
    assert answered.metadata.name == "dry"
    assert answered.metadata.resource_version is None
    assert "dry" not in [n.metadata.name for n in admin.list_namespace().items]
    with pytest.raises(k.ApiException) as raised:
        admin.create_namespace(body, dry_run="Some")
    assert raised.value.status == 422
    assert "dry" not in [n.metadata.name for n in admin.list_namespace().items]
    admin.create_namespace(body)
    assert "dry" in [n.metadata.name for n in admin.list_namespace().items]


def test_a_namespaces_annotations_are_kept(running_sandbox, sandbox):
    """ObjectMeta's annotations are stored as given (kubectl apply keeps its
    `last-applied-configuration` there); a real Namespace create drops none of ObjectMeta."""
    admin = core(running_sandbox.base_url, "admin-token")
    notes = {"kubectl.kubernetes.io/last-applied-configuration": "{}", "team": "x"}
    meta = k.V1ObjectMeta(name="noted", annotations=notes)
    assert admin.create_namespace(k.V1Namespace(metadata=meta)).metadata.annotations == notes
    assert admin.read_namespace("noted").metadata.annotations == notes


def test_a_namespaces_unknown_fields_meet_field_validation(running_sandbox, sandbox):
    """`kubectl apply` of a Namespace creates it with `fieldValidation=Strict`: an unknown field
    is the strict decoder's 400, as for any built-in kind; the default (`Warn`) creates it and
    warns (Kubernetes docs, "Server Side Field Validation"; sigs.k8s.io/json)."""
    url = running_sandbox.base_url + GATEWAY + "/api/v1/namespaces"
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "typo"}, "bogus": 1}
    auth = {"Authorization": "Bearer admin-token"}
    strict = requests.post(
        url, params={"fieldValidation": "Strict"}, json=body, headers=auth, timeout=30
    )
    assert strict.status_code == 400, strict.text
    assert strict.json()["message"] == (
        'Namespace in version "v1" cannot be handled as a Namespace: strict decoding error: '
        'unknown field "bogus"'
    )
    warned = requests.post(url, json=body, headers=auth, timeout=30)
    assert warned.status_code == 201
    assert warned.headers["Warning"] == '299 - "unknown field \\"bogus\\""'
    assert "bogus" not in warned.json()
