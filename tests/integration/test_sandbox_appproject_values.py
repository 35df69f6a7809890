"""AppProject values at the edges of what the API server decodes and validates, sent as raw
JSON so numbers arrive exactly as written.

Sources: sigs.k8s.io/json (the API server's decoder: a number that fits int64 is an int64,
any other, `1.0`, `1e3` or `9223372036854775808`, a float64), kube-openapi
`validate/type.go` (a float64 passes `type: integer` only when go-openapi/swag
`IsFloat64AJSONInteger` holds: integral and within +-(2^53 - 1)), apiextensions-apiserver
`validation/formats.go` at 1.33 (`int64` is not a supported format and is stripped, so the
message names `integer`), kube-openapi `validate/validator.go` (`maxLength` counts runes).
"""

import pytest
import requests

from tests.integration.kube import GATEWAY

APPPROJECTS = "/apis/argoproj.io/v1alpha1/namespaces/argocd/appprojects"
IAT = "spec.roles[0].jwtTokens[0].iat"


@pytest.fixture
def call(sandbox, running_sandbox):
    def answer(method, path, raw, content_type="application/json"):
        return requests.request(
            method,
            running_sandbox.base_url + GATEWAY + path,
            data=raw.encode(),
            headers={"Authorization": "Bearer admin-token", "Content-Type": content_type},
            timeout=30,
        )

    return answer


def with_iat(name, number):
    """A project whose one JWT token's `iat` (integer, int64 in the CRD) is `number` as text."""
    return (
        '{"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "'
        + name
        + '"}, "spec": {"roles": [{"name": "r", "jwtTokens": [{"iat": '
        + number
        + "}]}]}}"
    )


@pytest.mark.parametrize(
    ("number", "stored"),
    [
        ("1.0", 1),
        ("1e3", 1000),
        ("9007199254740991.0", 9007199254740991),  # 2^53 - 1: the largest JSON integer
        ("9223372036854775807", 9223372036854775807),  # the largest int64, decoded as one
        ("-9223372036854775808", -9223372036854775808),
    ],
)
def test_integral_numbers_are_integers(call, sandbox, number, stored):
    answered = call("POST", APPPROJECTS, with_iat("n", number))
    assert answered.status_code == 201, answered.text
    assert sandbox.appprojects()["n"]["spec"]["roles"][0]["jwtTokens"][0]["iat"] == stored


@pytest.mark.parametrize(
    "number",
    [
        "1.5",
        "9007199254740992.0",  # 2^53 as a float: past IsFloat64AJSONInteger's bound
        "1e20",
        "9223372036854775808",  # 2^63: no int64, so a float64 beyond 2^53
        "-9223372036854775809",
        "100000000000000000000000000000",
    ],
)
def test_numbers_go_decodes_as_non_integral_floats_are_not_integers(call, sandbox, number):
    answered = call("POST", APPPROJECTS, with_iat("n", number))
    assert answered.status_code == 422, answered.text
    body = answered.json()
    detail = f'Invalid value: "number": {IAT} in body must be of type integer: "number"'
    assert body["message"] == f'AppProject.argoproj.io "n" is invalid: {IAT}: {detail}'
    assert body["details"]["causes"] == [
        {"reason": "FieldValueTypeInvalid", "message": detail, "field": IAT}
    ]
    assert sandbox.appprojects() == {}


def test_an_integer_too_large_for_a_float_is_refused_not_a_server_error(call, sandbox):
    answered = call("POST", APPPROJECTS, with_iat("n", "1" + "0" * 400))
    assert answered.status_code in (400, 422), answered.text  # Go: out of range, 400
    assert sandbox.appprojects() == {}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_has_no_nan_or_infinity(call, sandbox, constant):
    """Python's decoder takes them; Go's (and RFC 8259) do not, even in a field pruning drops."""
    raw = with_iat("n", "1").replace('"spec": {', f'"spec": {{"unknown": {constant}, ')
    answered = call("POST", APPPROJECTS, raw)
    assert answered.status_code == 400, answered.text
    assert answered.json()["reason"] == "BadRequest"
    assert sandbox.appprojects() == {}


@pytest.mark.parametrize(
    "meta",
    [
        '{"name": "n", "labels": {"foo": 42, "bar": "abc"}}',  # the upstream test's own case
        '{"name": "n", "labels": "x"}',
        '{"name": "n", "annotations": []}',
        '{"name": "n", "annotations": {"a": true}}',
        '{"name": "n", "finalizers": "x"}',
        '{"name": "n", "finalizers": [1]}',
        '{"name": "n", "uid": 7}',
        '{"name": 5}',
        '{"name": "n", "generation": "x"}',
        '{"name": "n", "ownerReferences": {}}',
    ],
)
def test_wrongly_typed_object_meta_cannot_be_handled(call, sandbox, meta):
    """apiextensions-apiserver decodes a request's metadata as ObjectMeta without dropping
    malformed fields (`objectmeta.GetObjectMeta`, dropMalformedFields only for storage):
    a field of the wrong type is 400 BadRequest "cannot be handled", which is what its ObjectMeta
    integration test expects of a create with `labels: {foo: 42, bar: abc}`; never stored."""
    raw = with_iat("n", "1").replace('{"name": "n"}', meta)
    answered = call("POST", APPPROJECTS, raw)
    assert answered.status_code == 400, answered.text
    body = answered.json()
    assert body["reason"] == "BadRequest"
    assert body["message"].startswith(
        'AppProject in version "v1alpha1" cannot be handled as a AppProject: '
    ), body["message"]
    assert sandbox.appprojects() == {}


def test_null_and_unknown_object_meta_fields_are_dropped(call, sandbox):
    meta = '{"name": "n", "unknown": 42, "generation": null, "labels": {"bar": "abc"}}'
    answered = call("POST", APPPROJECTS, with_iat("n", "1").replace('{"name": "n"}', meta))
    assert answered.status_code == 201, answered.text
    stored = sandbox.appprojects()["n"]["metadata"]
    assert "unknown" not in stored and stored["generation"] == 1
    assert stored["labels"] == {"bar": "abc"}


@pytest.mark.parametrize("meta", ["", '"metadata": null, '])
def test_a_project_without_metadata_has_no_name(call, sandbox, meta):
    """No metadata (or null, which decodes into an empty ObjectMeta) is a missing name: 422,
    as ObjectMeta validation words it, not a decoding error."""
    raw = f'{{"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", {meta}"spec": {{}}}}'
    answered = call("POST", APPPROJECTS, raw)
    assert answered.status_code == 422, answered.text
    assert answered.json()["message"] == (
        'AppProject.argoproj.io "" is invalid: metadata.name: Required value: name or '
        "generateName is required"
    )


def test_metadata_that_is_not_an_object_cannot_be_handled(call, sandbox):
    raw = '{"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": "x"}'
    answered = call("POST", APPPROJECTS, raw)
    assert answered.status_code == 400, answered.text
    assert "cannot be handled as a AppProject" in answered.json()["message"]


SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    r"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def test_metadata_and_schema_errors_are_reported_together(call, sandbox):
    """apiextensions-apiserver `registry/customresource/validator.go`: ObjectMeta's errors and
    the schema's are one list; apimachinery `IsDNS1123Subdomain` words the name's
    (`RegexError`, with its example and regex)."""
    raw = with_iat("n", "1").replace('{"name": "n"}', '{"name": "Bad_Name"}')
    raw = raw.replace('"spec": {', '"spec": {"description": 5, ')
    answered = call("POST", APPPROJECTS, raw)
    assert answered.status_code == 422, answered.text
    body = answered.json()
    name = f'metadata.name: Invalid value: "Bad_Name": {SUBDOMAIN}'
    description = (
        'spec.description: Invalid value: "integer": spec.description in body must be of type '
        'string: "integer"'
    )
    assert body["message"] == (
        f'AppProject.argoproj.io "Bad_Name" is invalid: [{name}, {description}]'
    )
    assert [c["field"] for c in body["details"]["causes"]] == [
        "metadata.name", "spec.description",
    ]  # fmt: skip
    assert sandbox.appprojects() == {}
