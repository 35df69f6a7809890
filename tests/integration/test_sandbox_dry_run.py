"""Server-side dry run as the API server reads it, and bodies the sandbox cannot decode.

Sources: apiserver `pkg/endpoints/handlers/delete.go` (a DELETE's options come from its body,
where kubectl `delete --dry-run=server` puts `{"dryRun": ["All"]}`, as well as from the
query), apimachinery `pkg/apis/meta/v1/validation` (`ValidateDryRun`: any value but `All` is
`Unsupported value`, 422 Invalid, and nothing is written), Go's `encoding/json` (bodies nested
deeper than 10000 levels are refused as undecodable: 400, never a server error).
"""

import json
import threading

import pytest
import requests

from sandbox.kubernetes import apiserver
from tests.integration.kube import GATEWAY

APPPROJECTS = "/apis/argoproj.io/v1alpha1/namespaces/argocd/appprojects"


def project(name, **spec):
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": name},
        "spec": {"sourceRepos": ["*"], **spec},
    }


@pytest.fixture
def call(sandbox, running_sandbox):
    def answer(method, path, body=None, content_type="application/json", raw=None):
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        return requests.request(
            method,
            running_sandbox.base_url + GATEWAY + path,
            data=data,
            headers={"Authorization": "Bearer admin-token", "Content-Type": content_type},
            timeout=30,
        )

    return answer


def test_a_dry_run_delete_in_the_body_deletes_nothing(call, sandbox):
    assert call("POST", APPPROJECTS, project("keep")).status_code == 201
    answered = call("DELETE", f"{APPPROJECTS}/keep", {"dryRun": ["All"]})
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "Success"
    assert set(sandbox.appprojects()) == {"keep"}


@pytest.mark.parametrize("value", ["true", "all", "server"])
def test_a_dry_run_value_other_than_all_is_refused_and_writes_nothing(call, sandbox, value):
    answered = call("POST", f"{APPPROJECTS}?dryRun={value}", project("nope"))
    assert answered.status_code == 422, answered.text
    body = answered.json()
    assert body["reason"] == "Invalid"
    assert body["message"] == (
        f'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: '
        f'[]string{{"{value}"}}: supported values: "All"'
    )
    assert sandbox.appprojects() == {}
    assert call("POST", APPPROJECTS, project("kept")).status_code == 201
    refused = call("DELETE", f"{APPPROJECTS}/kept", {"dryRun": [value]})
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"].startswith('DeleteOptions.meta.k8s.io "" is invalid')
    assert set(sandbox.appprojects()) == {"kept"}


@pytest.mark.parametrize("depth", [3000, 20000])
def test_a_deeply_nested_body_is_a_bad_request_not_a_server_error(call, sandbox, depth):
    body = json.dumps(project("deep")).replace('["*"]', "[" * depth + "]" * depth)
    answered = call("POST", APPPROJECTS, raw=body)
    assert answered.status_code == 400, answered.text
    assert answered.json()["reason"] == "BadRequest"
    assert sandbox.appprojects() == {}


RACES = {
    # a dry-run create racing a real create of the same name
    "create-create": (
        None,
        ("POST", f"{APPPROJECTS}?dryRun=All", project("same", description="dry")),
        ("POST", APPPROJECTS, project("same", description="real")),
        201,
    ),
    # a dry-run delete racing a real patch
    "delete-patch": (
        project("same", description="before"),
        ("DELETE", f"{APPPROJECTS}/same?dryRun=All", None),
        ("PATCH", f"{APPPROJECTS}/same", {"spec": {"description": "real"}}),
        200,
    ),
}


@pytest.mark.parametrize("race", RACES.values(), ids=RACES.keys())
def test_a_dry_run_holds_the_cluster_until_every_object_is_put_back(
    call, sandbox, running_sandbox, monkeypatch, race
):
    """Interleaving by construction: while the dry run is inside the store (its change in
    place), the real write is started on another thread. Whenever that thread runs, it must
    meet the state the dry run put back, never the dry run's own."""
    existing, (dry_method, dry_path, dry_body), (method, path, body), status = race
    if existing is not None:
        assert call("POST", APPPROJECTS, existing).status_code == 201
    cluster = running_sandbox.store.first_fleet.cluster_for("global", "argocd-hub")
    seen = {}
    real = apiserver._objects
    kinds = {"PATCH": "application/merge-patch+json"}

    def racer():
        seen["real"] = call(method, path, body, kinds.get(method, "application/json"))

    def dry_then_hand_over(objects, verb, request, ns, name, sub=""):
        answer = real(objects, verb, request, ns, name, sub)
        if request.args.get("dryRun") == "All" and "racer" not in seen:
            seen["held"] = cluster.lock.locked()
            seen["during"] = set(objects.objects)
            seen["racer"] = threading.Thread(target=racer)
            seen["racer"].start()
        return answer

    monkeypatch.setattr(apiserver, "_objects", dry_then_hand_over)
    dry = call(dry_method, dry_path, dry_body)
    assert dry.status_code in (200, 201), dry.text
    seen["racer"].join(timeout=30)
    assert seen["held"], "the dry run ran without the cluster's lock"
    assert (("argocd", "same") in seen["during"]) == (existing is None)
    assert seen["real"].status_code == status, seen["real"].text
    stored = sandbox.appprojects()["same"]
    assert stored["spec"]["description"] == "real"
    assert (
        stored["metadata"]["resourceVersion"]
        == (seen["real"].json()["metadata"]["resourceVersion"])
    )


@pytest.mark.parametrize(
    ("path", "body", "qualified"),
    [
        (APPPROJECTS, project("pre"), "AppProject.argoproj.io"),
        (
            "/api/v1/namespaces/argocd/secrets",
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "pre"}},
            "Secret",
        ),
    ],
)
def test_delete_preconditions_are_refused_as_before_delete_words_them(
    call, sandbox, path, body, qualified
):
    """apiserver `registry/rest/delete.go` `BeforeDelete` checks the preconditions before the
    store is reached, naming the kind (`GroupResource{Group, Resource: gvk.Kind}`)."""
    made = call("POST", path, body).json()["metadata"]
    stale = call("DELETE", f"{path}/pre", {"preconditions": {"resourceVersion": "1"}})
    assert stale.status_code == 409, stale.text
    assert stale.json()["message"] == (
        f'Operation cannot be fulfilled on {qualified} "pre": the ResourceVersion in the '
        f"precondition (1) does not match the ResourceVersion in record "
        f"({made['resourceVersion']}). The object might have been modified"
    )
    other = call("DELETE", f"{path}/pre", {"preconditions": {"uid": "nope"}})
    assert other.status_code == 409, other.text
    assert other.json()["message"] == (
        f'Operation cannot be fulfilled on {qualified} "pre": the UID in the precondition '
        f"(nope) does not match the UID in record ({made['uid']}). The object might have "
        "been deleted and then recreated"
    )
