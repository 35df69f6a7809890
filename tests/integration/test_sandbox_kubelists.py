"""Kubernetes list semantics of the sandbox, driven by the official kubernetes client.

Source: "Retrieving large results sets in chunks" in the Kubernetes API concepts.
"""

import json

import kubernetes.client as k
import pytest

from tests.integration.kube import core, secret


@pytest.fixture
def api(sandbox, running_sandbox):
    return core(running_sandbox.base_url, "admin-token")


def names(page):
    return [s.metadata.name for s in page.items]


def test_continue_reads_the_snapshot_of_the_first_page(api):
    for i in range(5):
        api.create_namespaced_secret("argocd", secret(f"n{i}"))
    first = api.list_namespaced_secret("argocd", limit=2)
    assert names(first) == ["n0", "n1"]
    assert first.metadata.remaining_item_count == 3
    api.delete_namespaced_secret("n3", "argocd")
    api.create_namespaced_secret("argocd", secret("n9"))
    rest = api.list_namespaced_secret("argocd", limit=10, _continue=first.metadata.var_continue)
    assert names(rest) == ["n2", "n3", "n4"]
    assert rest.metadata.resource_version == first.metadata.resource_version
    assert rest.metadata.var_continue is None
    fresh = api.list_namespaced_secret("argocd")
    assert names(fresh) == ["n0", "n1", "n2", "n4", "n9"]
    assert fresh.metadata.remaining_item_count is None


def test_remaining_item_count_is_unset_with_a_label_selector(api):
    for i in range(4):
        api.create_namespaced_secret("argocd", secret(f"s{i}", {"kind": "x"}))
    page = api.list_namespaced_secret("argocd", limit=1, label_selector="kind=x")
    assert page.metadata.var_continue
    assert page.metadata.remaining_item_count is None


def test_an_old_continue_token_is_expired(api, sandbox, clock):
    sandbox.ok("POST", "/sandbox/kubernetes", {"continue_ttl_s": 60})
    for i in range(3):
        api.create_namespaced_secret("argocd", secret(f"e{i}"))
    first = api.list_namespaced_secret("argocd", limit=1)
    clock.now += 30
    second = api.list_namespaced_secret("argocd", limit=1, _continue=first.metadata.var_continue)
    assert names(second) == ["e1"]
    clock.now += 31
    with pytest.raises(k.ApiException) as raised:
        api.list_namespaced_secret("argocd", limit=1, _continue=second.metadata.var_continue)
    body = json.loads(raised.value.body)
    assert (raised.value.status, body["reason"], body["kind"]) == (410, "Expired", "Status")
    assert names(api.list_namespaced_secret("argocd", limit=5)) == ["e0", "e1", "e2"]


def test_expire_next_refuses_the_next_continue(api, sandbox):
    for i in range(3):
        api.create_namespaced_secret("argocd", secret(f"x{i}"))
    first = api.list_namespaced_secret("argocd", limit=1)
    assert sandbox.ok("POST", "/sandbox/kubernetes", {"expire_next": 1})["expire_next"] == 1
    with pytest.raises(k.ApiException) as raised:
        api.list_namespaced_secret("argocd", limit=1, _continue=first.metadata.var_continue)
    assert raised.value.status == 410


def test_a_garbled_continue_token_is_a_bad_request(api):
    with pytest.raises(k.ApiException) as raised:
        api.list_namespaced_secret("argocd", limit=1, _continue="garbage")
    assert raised.value.status == 400


def test_missing_namespace_lists_empty_and_gets_not_found(api):
    listed = api.list_namespaced_secret("nowhere")
    assert listed.items == [] and listed.metadata.resource_version
    with pytest.raises(k.ApiException) as raised:
        api.read_namespaced_secret("x", "nowhere")
    body = json.loads(raised.value.body)
    assert (raised.value.status, body["reason"], body["message"]) == (
        404,
        "NotFound",
        'secrets "x" not found',
    )


def test_bad_knobs_are_refused(sandbox):
    for body in ({"continue_ttl_s": -1}, {"expire_next": "1"}, {"nope": 1}):
        status, _ = sandbox.call("POST", "/sandbox/kubernetes", body)
        assert status == 400
