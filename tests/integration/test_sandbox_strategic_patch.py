"""A strategic merge patch's directives in maps, as apimachinery `util/strategicpatch`
`mergeMap` applies them (`handleDirectiveInMergeMap`): `$patch: replace` puts the patch's
map in place of the object's, `$patch: delete` empties it; neither is a key of the object."""

import json

import pytest
import requests

from tests.integration.kube import GATEWAY

SECRETS = "/api/v1/namespaces/argocd/secrets"
SMP = "application/strategic-merge-patch+json"


@pytest.fixture
def call(sandbox, running_sandbox):
    def send(method, path, body, content_type="application/json"):
        return requests.request(
            method,
            running_sandbox.base_url + GATEWAY + path,
            data=json.dumps(body),
            headers={"Authorization": "Bearer admin-token", "Content-Type": content_type},
            timeout=10,
        )

    return send


def test_replace_and_delete_directives_in_maps(call, sandbox):
    meta = {"name": "s", "labels": {"a": "1", "b": "2"}}
    created = call("POST", SECRETS, {"metadata": meta, "data": {"x": "eA==", "y": "eQ=="}})
    assert created.status_code == 201
    replaced = call("PATCH", SECRETS + "/s", {"data": {"$patch": "replace", "k": "aw=="}}, SMP)
    assert replaced.status_code == 200, replaced.text
    assert "Warning" not in replaced.headers
    assert replaced.json()["data"] == {"k": "aw=="}
    deleted = call("PATCH", SECRETS + "/s", {"metadata": {"labels": {"$patch": "delete"}}}, SMP)
    assert deleted.status_code == 200, deleted.text
    assert "labels" not in deleted.json()["metadata"]
