"""Connect Gateway and the emulated Kubernetes API, driven by the official kubernetes client."""

import base64
import json

import kubernetes.client as k
import pytest
import requests

from tests.integration.kube import GATEWAY, core, secret


@pytest.fixture
def api(sandbox, running_sandbox):
    return core(running_sandbox.base_url)


def status_of(raised):
    body = json.loads(raised.value.body)
    assert body["kind"] == "Status"
    return raised.value.status, body["reason"], body["message"]


def test_create_get_and_already_exists(api):
    created = api.create_namespaced_secret("argocd", secret("a.b", string_data={"k": "v"}))
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert created.data == {"k": base64.b64encode(b"v").decode()}
    assert created.string_data is None
    assert api.read_namespaced_secret("a.b", "argocd").metadata.uid == created.metadata.uid
    with pytest.raises(k.ApiException) as raised:
        api.create_namespaced_secret("argocd", secret("a.b"))
    assert status_of(raised) == (409, "AlreadyExists", 'secrets "a.b" already exists')


def test_string_data_is_merged_into_data(api):
    encoded = base64.b64encode(b"old").decode()
    made = api.create_namespaced_secret(
        "argocd", secret("s", data={"a": encoded, "b": encoded}, string_data={"b": "new"})
    )
    decoded = {key: base64.b64decode(value).decode() for key, value in made.data.items()}
    assert decoded == {"a": "old", "b": "new"}


def test_resource_version_increases_on_every_write(api):
    first = api.create_namespaced_secret("argocd", secret("rv"))
    second = api.patch_namespaced_secret(
        "rv",
        "argocd",
        {"metadata": {"labels": {"x": "1"}}},
        _content_type="application/merge-patch+json",
    )
    assert int(second.metadata.resource_version) > int(first.metadata.resource_version)
    same = api.patch_namespaced_secret(
        "rv",
        "argocd",
        {"metadata": {"labels": {"x": "1"}}},
        _content_type="application/merge-patch+json",
    )
    assert same.metadata.resource_version == second.metadata.resource_version


def test_stale_replace_is_a_conflict(sandbox, admin):
    api = admin()  # the function's Role has no `update`: it merge-patches
    made = api.create_namespaced_secret("argocd", secret("c"))
    api.replace_namespaced_secret(
        "c",
        "argocd",
        k.V1Secret(
            metadata=k.V1ObjectMeta(
                name="c", resource_version=made.metadata.resource_version, labels={"v": "2"}
            )
        ),
    )
    with pytest.raises(k.ApiException) as raised:
        api.replace_namespaced_secret(
            "c",
            "argocd",
            k.V1Secret(
                metadata=k.V1ObjectMeta(
                    name="c", resource_version=made.metadata.resource_version, labels={"v": "3"}
                )
            ),
        )
    code, reason, message = status_of(raised)
    assert (code, reason) == (409, "Conflict")
    assert "the object has been modified" in message
    assert api.read_namespaced_secret("c", "argocd").metadata.labels == {"v": "2"}


def test_delete_precondition(api):
    made = api.create_namespaced_secret("argocd", secret("d"))
    stale = k.V1DeleteOptions(preconditions=k.V1Preconditions(resource_version="1"))
    with pytest.raises(k.ApiException) as raised:
        api.delete_namespaced_secret("d", "argocd", body=stale)
    code, reason, message = status_of(raised)
    assert (code, reason) == (409, "Conflict")
    assert "does not match the ResourceVersion in record" in message
    wrong_uid = k.V1DeleteOptions(preconditions=k.V1Preconditions(uid="nope"))
    with pytest.raises(k.ApiException):
        api.delete_namespaced_secret("d", "argocd", body=wrong_uid)
    fresh = k.V1DeleteOptions(
        preconditions=k.V1Preconditions(
            resource_version=made.metadata.resource_version, uid=made.metadata.uid
        )
    )
    assert api.delete_namespaced_secret("d", "argocd", body=fresh)["status"] == "Success"
    with pytest.raises(k.ApiException) as raised:
        api.read_namespaced_secret("d", "argocd")
    assert status_of(raised) == (404, "NotFound", 'secrets "d" not found')


def test_missing_namespace_is_not_found(running_sandbox, sandbox):
    admin = core(running_sandbox.base_url, "admin-token")
    with pytest.raises(k.ApiException) as raised:
        admin.create_namespaced_secret("nope", secret("x"))
    assert status_of(raised) == (404, "NotFound", 'namespaces "nope" not found')


@pytest.mark.parametrize(
    "body",
    [
        secret("Upper.Case"),
        secret("a_b"),
        secret("x" * 254),
        secret("bad-label", {"bad key": "v"}),
        secret("bad-value", {"k": "not valid!"}),
        secret("bad-data", data={"k": "%%%not base64"}),
        secret("bad-data-key", string_data={"no/slash": "v"}),
    ],
)
def test_invalid_secrets_are_unprocessable(api, body):
    with pytest.raises(k.ApiException) as raised:
        api.create_namespaced_secret("argocd", body)
    code, reason, message = status_of(raised)
    assert (code, reason) == (422, "Invalid")
    assert "is invalid" in message


def test_label_selector_filtering(api):
    api.create_namespaced_secret("argocd", secret("p1", {"env": "prod", "tier": "web"}))
    api.create_namespaced_secret("argocd", secret("p2", {"env": "prod"}))
    api.create_namespaced_secret("argocd", secret("s1", {"env": "staging"}))

    def names(selector):
        return sorted(
            s.metadata.name
            for s in api.list_namespaced_secret("argocd", label_selector=selector).items
        )

    assert names("env=prod") == ["p1", "p2"]
    assert names("env!=prod") == ["s1"]
    assert names("env in (prod,staging),!tier") == ["p2", "s1"]
    assert names("tier") == ["p1"]
    assert names("") == ["p1", "p2", "s1"]
    with pytest.raises(k.ApiException) as raised:
        names("env in prod")
    assert raised.value.status == 400


def test_list_pages_with_limit_and_continue(api):
    for i in range(5):
        api.create_namespaced_secret("argocd", secret(f"n{i}"))
    first = api.list_namespaced_secret("argocd", limit=2)
    assert len(first.items) == 2 and first.metadata.var_continue
    rest = api.list_namespaced_secret("argocd", limit=10, _continue=first.metadata.var_continue)
    assert len(rest.items) == 3 and not rest.metadata.var_continue


def test_merge_patch_removes_keys_with_null(api):
    api.create_namespaced_secret("argocd", secret("m", {"a": "1", "b": "2"}))
    patched = api.patch_namespaced_secret(
        "m",
        "argocd",
        {"metadata": {"labels": {"a": None}}},
        _content_type="application/merge-patch+json",
    )
    assert patched.metadata.labels == {"b": "2"}


@pytest.mark.parametrize(
    ("call", "verb", "where"),
    [
        (lambda api: api.list_namespaced_secret("default"), "list", 'in the namespace "default"'),
        (
            lambda api: api.create_namespaced_secret("kube-system", secret("x")),
            "create",
            'in the namespace "kube-system"',
        ),
        (lambda api: api.read_namespace("argocd"), "get", "at the cluster scope"),
    ],
)
def test_rbac_limits_the_function_to_secrets_in_argocd(api, call, verb, where):
    with pytest.raises(k.ApiException) as raised:
        call(api)
    code, reason, message = status_of(raised)
    assert (code, reason) == (403, "Forbidden")
    assert (
        f'User "fleet-argocd-sync@acme-fleet.iam.gserviceaccount.com" cannot {verb} resource'
    ) in message
    assert message.endswith(where)


def test_rbac_on_workload_clusters(sandbox, running_sandbox):
    sandbox.add_membership("us-central1", "work")
    api = core(
        running_sandbox.base_url,
        path=GATEWAY.replace("global/gkeMemberships/argocd-hub", "us-central1/gkeMemberships/work"),
    )
    with pytest.raises(k.ApiException) as raised:
        api.list_namespaced_secret("argocd")
    assert raised.value.status == 403


def test_gateway_rejects_unknown_tokens_and_memberships(sandbox, running_sandbox):
    url = running_sandbox.base_url + GATEWAY + "/api/v1/namespaces/argocd/secrets"
    for headers in ({}, {"Authorization": "Bearer stolen"}, {"Authorization": "Basic x"}):
        answer = requests.get(url, headers=headers, timeout=5)
        assert answer.status_code == 401
        assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
    missing = url.replace("argocd-hub", "ghost")
    answer = requests.get(missing, headers={"Authorization": "Bearer sandbox-token"}, timeout=5)
    assert answer.status_code == 404
    assert answer.json()["error"]["status"] == "NOT_FOUND"
    assert "kind" not in answer.json()


def test_expired_token_is_refused(sandbox, running_sandbox):
    sandbox.ok("POST", "/sandbox/tokens", {"token": "short", "identity": "x@y", "ttl_s": 0})
    url = running_sandbox.base_url + GATEWAY + "/api/v1/namespaces/argocd/secrets"
    answer = requests.get(url, headers={"Authorization": "Bearer short"}, timeout=5)
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/api/v1/namespaces/argocd/secrets", "{not json", 400),
        ("POST", "/api/v1/namespaces/argocd/secrets", "[]", 400),
        ("PUT", "/api/v1/namespaces/argocd/secrets/x", "{}", 404),
        ("PATCH", "/api/v1/namespaces/argocd/secrets", "{}", 405),
        ("GET", "/api/v1/pods", None, 404),
        ("GET", "/apis/apps/v1/deployments", None, 404),
    ],
)
def test_bad_kubernetes_requests_get_a_status(sandbox, running_sandbox, method, path, body, status):
    answer = requests.request(
        method,
        running_sandbox.base_url + GATEWAY + path,
        data=body,
        headers={"Authorization": "Bearer admin-token", "Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == status
    assert answer.json()["kind"] == "Status"


def test_the_function_may_not_replace_a_secret(api):
    """Its Role grants exactly the verbs the product uses (get, list, create, patch, delete)."""
    made = api.create_namespaced_secret("argocd", secret("d"))
    with pytest.raises(k.ApiException) as raised:
        api.replace_namespaced_secret("d", "argocd", made)
    assert raised.value.status == 403
