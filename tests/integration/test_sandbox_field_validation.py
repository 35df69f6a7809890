"""Server-side field validation (`fieldValidation`), as the Kubernetes docs' "Server Side Field
Validation" describe it: `Strict` refuses a write that sets a field the schema does not have,
naming every one; `Warn` (the default) stores the object without them and says so in a
`Warning` header; `Ignore` stores it without a word. kubectl's side of it:
`tests/clients/test_kubectl.py`."""

import pytest
import requests

from tests.integration.kube import GATEWAY

PROJECTS = "/apis/argoproj.io/v1alpha1/namespaces/argocd/appprojects"
SECRETS = "/api/v1/namespaces/argocd/secrets"
PROJECT = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "AppProject",
    "metadata": {"name": "p", "colour": "red"},
    "spec": {"sourceRepos": ["*"], "roles": [{"name": "r", "shade": "blue"}]},
}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "spec": {"a": 1}}


@pytest.fixture
def post(sandbox, running_sandbox):
    def call(path, body, directive=None):
        return requests.post(
            running_sandbox.base_url + GATEWAY + path,
            params={"fieldValidation": directive} if directive else {},
            json=body,
            headers={"Authorization": "Bearer admin-token"},
            timeout=10,
        )

    return call


def test_strict_refuses_every_unknown_field_and_stores_nothing(post, sandbox):
    answer = post(PROJECTS, PROJECT, "Strict")
    assert answer.status_code == 400
    assert answer.json()["reason"] == "BadRequest"
    assert answer.json()["message"] == (
        'AppProject in version "v1alpha1" cannot be handled as a AppProject: strict decoding '
        'error: unknown field "metadata.colour", unknown field "spec.roles[0].shade"'
    )
    assert sandbox.appprojects() == {}
    secret = post(SECRETS, SECRET, "Strict")
    assert (secret.status_code, secret.json()["message"]) == (
        400,
        'Secret in version "v1" cannot be handled as a Secret: strict decoding error: '
        'unknown field "spec"',
    )


def test_warn_is_the_default_and_names_each_dropped_field_in_a_warning(post, sandbox):
    answer = post(PROJECTS, PROJECT)
    assert answer.status_code == 201
    assert answer.raw.headers.getlist("Warning") == [
        '299 - "unknown field \\"metadata.colour\\""',
        '299 - "unknown field \\"spec.roles[0].shade\\""',
    ]
    assert sandbox.appprojects()["p"]["spec"]["roles"] == [{"name": "r"}]


def test_ignore_stores_without_a_word_and_an_unknown_directive_is_refused(post, sandbox):
    answer = post(PROJECTS, PROJECT, "Ignore")
    assert answer.status_code == 201 and "Warning" not in answer.headers
    refused = post(SECRETS, SECRET, "Loose")
    assert refused.status_code == 422  # ValidateCreateOptions
    assert 'Unsupported value: "Loose"' in refused.json()["message"]


def test_a_cluster_profile_with_an_unknown_field_is_refused_under_strict(post, sandbox):
    profile = {
        "apiVersion": "multicluster.x-k8s.io/v1alpha1",
        "kind": "ClusterProfile",
        "metadata": {"name": "c"},
        "spec": {"clusterManager": {"name": "fleet-argocd-sync"}, "colour": "red"},
    }
    path = "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/fleet-cluster-inventory/clusterprofiles"
    answer = post(path, profile, "Strict")
    assert (answer.status_code, answer.json()["message"]) == (
        400,
        'ClusterProfile in version "v1alpha1" cannot be handled as a ClusterProfile: strict '
        'decoding error: unknown field "spec.colour"',
    )
    assert post(path, profile).status_code == 201


def test_a_lease_s_unknown_fields_are_named_as_for_any_built_in_object(post, sandbox):
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "l", "colour": "red"},
        "spec": {"holderIdentity": "me", "holder": "typo"},
    }
    path = "/apis/coordination.k8s.io/v1/namespaces/argocd/leases"
    answer = post(path, lease, "Strict")
    assert (answer.status_code, answer.json()["message"]) == (
        400,
        'Lease in version "v1" cannot be handled as a Lease: strict decoding error: '
        'unknown field "metadata.colour", unknown field "spec.holder"',
    )
    warned = post(path, lease)
    assert warned.status_code == 201
    assert len(warned.raw.headers.getlist("Warning")) == 2
