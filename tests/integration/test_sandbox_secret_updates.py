"""What the API server refuses when a Secret is updated or typed, from kubernetes
`pkg/apis/core/validation/validation.go`: `ValidateSecretUpdate` (`type` is immutable;
an `immutable: true` Secret keeps its data and stays immutable, `field.Forbidden` "field is
immutable when `immutable` is set") and `ValidateSecret`'s rules by type
(`kubernetes.io/service-account-token` needs the service account's name annotation,
`kubernetes.io/tls` both `tls.crt` and `tls.key`)."""

import base64

import pytest
import requests

from tests.integration.kube import GATEWAY

SECRETS = "/api/v1/namespaces/argocd/secrets"
FORBIDDEN = "Forbidden: field is immutable when `immutable` is set"


@pytest.fixture
def call(sandbox, running_sandbox):
    def send(method, path, body=None):
        return requests.request(
            method,
            running_sandbox.base_url + GATEWAY + path,
            json=body,
            headers={"Authorization": "Bearer admin-token"},
            timeout=10,
        )

    return send


def secret(**fields):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, **fields}


def data(value):
    return {"k": base64.b64encode(value.encode()).decode()}


def test_an_immutable_secret_is_stored_as_such_and_keeps_its_data(call):
    created = call("POST", SECRETS, secret(immutable=True, data=data("a")))
    assert created.status_code == 201 and created.json()["immutable"] is True
    assert call("GET", SECRETS + "/s").json()["immutable"] is True
    changed = call("PUT", SECRETS + "/s", secret(immutable=True, data=data("b")))
    assert changed.status_code == 422
    assert changed.json()["message"] == f'Secret "s" is invalid: data: {FORBIDDEN}'
    thawed = call("PUT", SECRETS + "/s", secret(immutable=False, data=data("b")))
    assert thawed.json()["message"] == (
        f'Secret "s" is invalid: [immutable: {FORBIDDEN}, data: {FORBIDDEN}]'
    )
    assert [c["reason"] for c in thawed.json()["details"]["causes"]] == [
        "FieldValueForbidden",
        "FieldValueForbidden",
    ]
    relabelled = secret(immutable=True, data=data("a"))
    relabelled["metadata"]["labels"] = {"x": "y"}
    assert call("PUT", SECRETS + "/s", relabelled).status_code == 200


def test_a_secrets_type_is_immutable(call):
    assert call("POST", SECRETS, secret(type="Opaque")).status_code == 201
    answer = call("PUT", SECRETS + "/s", secret(type="example.com/other"))
    assert answer.status_code == 422
    assert answer.json()["message"] == (
        'Secret "s" is invalid: type: Invalid value: "example.com/other": field is immutable'
    )


def test_typed_secrets_need_their_keys(call):
    token = call("POST", SECRETS, secret(type="kubernetes.io/service-account-token"))
    assert token.status_code == 422
    assert token.json()["message"] == (
        'Secret "s" is invalid: metadata.annotations[kubernetes.io/service-account.name]: '
        "Required value"
    )
    tls = call("POST", SECRETS, secret(type="kubernetes.io/tls"))
    assert tls.json()["message"] == (
        'Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]'
    )


@pytest.mark.parametrize(
    ("field", "value", "kind", "wanted"),
    [
        ("stringData", {"k": 1}, "number", "Secret.stringData of type string"),
        ("stringData", {"k": True}, "bool", "Secret.stringData of type string"),
        ("immutable", 1, "number", "Secret.immutable of type bool"),
    ],
)
def test_a_value_of_the_wrong_go_type_is_undecodable(call, field, value, kind, wanted):
    """encoding/json's UnmarshalTypeError, through the API server's decoding error."""
    answer = call("POST", SECRETS, secret(**{field: value}))
    assert (answer.status_code, answer.json()["message"]) == (
        400,
        f'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal {kind} '
        f"into Go struct field {wanted}",
    )


def test_a_null_string_data_value_is_an_empty_string(call):
    """encoding/json leaves a string at its zero value for null, and stores it in the map."""
    assert call("POST", SECRETS, secret(stringData={"k": None})).status_code == 201
    assert call("GET", SECRETS + "/s").json()["data"] == {"k": ""}
