"""Server-side field validation at its edges, each as the API server's sources have it.

- A bad `fieldValidation` is refused by `ValidateCreateOptions` (apimachinery
  `pkg/apis/meta/v1/validation`): 422 `CreateOptions.meta.k8s.io "" is invalid`, and the
  supported values include `""`.
- A `Strict` merge PATCH is refused by apiserver `handlers/patch.go` (`jsonPatcher
  .applyPatchToCurrentObject`) as 422 Invalid on the field `patch`, not as a 400 decoding error.
- A custom resource's pruned paths are sorted (apiextensions-apiserver `schema/pruning`
  `PruneWithOptions`: `sort.Strings`); a built-in object's unknown fields come in the order
  the document has them (sigs.k8s.io/json, which the strict serializer decodes with).
- Duplicate keys are strict errors too (sigs.k8s.io/json `DisallowDuplicateFields`:
  `duplicate field "spec.description"`).
- The warning text is written as it is, UTF-8 included (apimachinery `util/net`
  `NewWarningHeader` escapes only `"` and `\\`); the path inside it is Go-quoted
  (`strconv.Quote`).
"""

import json

import pytest
import requests

from tests.integration.kube import GATEWAY

PROJECTS = "/apis/argoproj.io/v1alpha1/namespaces/argocd/appprojects"
SECRETS = "/api/v1/namespaces/argocd/secrets"
HEAD = '"apiVersion":"argoproj.io/v1alpha1","kind":"AppProject","metadata":{"name":"p"}'


@pytest.fixture
def call(sandbox, running_sandbox):
    def send(method, path, body, directive=None, content_type="application/json"):
        data = body if isinstance(body, str) else json.dumps(body)
        return requests.request(
            method,
            running_sandbox.base_url + GATEWAY + path,
            params={"fieldValidation": directive} if directive else {},
            data=data.encode(),
            headers={"Authorization": "Bearer admin-token", "Content-Type": content_type},
            timeout=10,
        )

    return send


def test_an_unsupported_directive_is_an_invalid_create_options(call):
    answer = call("POST", SECRETS, {"metadata": {"name": "s"}}, "Loose")
    detail = 'Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"'
    assert answer.status_code == 422
    assert answer.json()["reason"] == "Invalid"
    assert answer.json()["message"] == (
        f'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: {detail}'
    )
    assert answer.json()["details"]["causes"] == [
        {"reason": "FieldValueNotSupported", "message": detail, "field": "fieldValidation"}
    ]


def test_a_strict_merge_patch_is_invalid_on_the_field_patch(call):
    created = call("POST", PROJECTS, "{" + HEAD + ',"spec":{"sourceRepos":["*"]}}')
    assert created.status_code == 201
    answer = call(
        "PATCH", PROJECTS + "/p", {"spec": {"x": 1}}, "Strict", "application/merge-patch+json"
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["reason"] == "Invalid"
    assert body["message"].startswith(' "" is invalid: patch: Invalid value: "{')
    assert body["message"].endswith('": strict decoding error: unknown field "spec.x"')
    (cause,) = body["details"]["causes"]
    assert (cause["reason"], cause["field"]) == ("FieldValueInvalid", "patch")


def test_pruned_paths_are_sorted(call):
    answer = call("POST", PROJECTS, "{" + HEAD + ',"spec":{"zeta":1,"alpha":1}}', "Strict")
    assert answer.json()["message"] == (
        'AppProject in version "v1alpha1" cannot be handled as a AppProject: strict decoding '
        'error: unknown field "spec.alpha", unknown field "spec.zeta"'
    )


def test_a_secrets_unknown_fields_come_in_document_order(call):
    body = '{"apiVersion":"v1","kind":"Secret","zeta":1,"metadata":{"name":"s","b":1,"a":2}}'
    answer = call("POST", SECRETS, body, "Strict")
    assert answer.json()["message"] == (
        'Secret in version "v1" cannot be handled as a Secret: strict decoding error: '
        'unknown field "zeta", unknown field "metadata.b", unknown field "metadata.a"'
    )


def test_duplicate_fields_are_strict_errors(call, sandbox):
    body = "{" + HEAD + ',"spec":{"description":"a","description":"b"}}'
    strict = call("POST", PROJECTS, body, "Strict")
    assert (strict.status_code, strict.json()["message"]) == (
        400,
        'AppProject in version "v1alpha1" cannot be handled as a AppProject: strict decoding '
        'error: duplicate field "spec.description"',
    )
    warned = call("POST", PROJECTS, body)
    assert warned.status_code == 201
    assert warned.raw.headers.getlist("Warning") == [
        '299 - "duplicate field \\"spec.description\\""'
    ]
    assert sandbox.appprojects()["p"]["spec"]["description"] == "b"


def test_a_warning_is_written_in_utf8_and_its_path_go_quoted(call):
    answer = call("POST", PROJECTS, "{" + HEAD + ',"spec":{"\u00fc":1,"a\\"b":1}}')
    assert answer.status_code == 201
    # http.client reads header bytes as latin-1; the server wrote UTF-8.
    warnings = [w.encode("latin-1").decode() for w in answer.raw.headers.getlist("Warning")]
    assert warnings == [
        '299 - "unknown field \\"spec.a\\\\\\"b\\""',
        '299 - "unknown field \\"spec.\u00fc\\""',
    ]


def test_a_built_in_objects_strict_errors_stop_at_100(call):
    """sigs.k8s.io/json `saveStrictError` keeps no more than 100."""
    fields = ",".join(f'"f{i:03}":1' for i in range(150))
    body = '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},' + fields + "}"
    message = call("POST", SECRETS, body, "Strict").json()["message"]
    assert message.count("unknown field") == 100
    assert message.endswith('unknown field "f099"')


def test_warnings_stop_once_their_text_passes_4096_characters(call):
    """apiserver `filters/warning.go`: the warning that crosses the limit is the last one."""
    # Long names, so that fewer warnings than http.client's 100 headers fill the 4096.
    names = [f"{'x' * 60}{i:03}" for i in range(300)]
    fields = ",".join(f'"{name}":1' for name in names)
    answer = call("POST", PROJECTS, "{" + HEAD + ',"spec":{' + fields + "}}")
    texts = [f'unknown field "spec.{name}"' for name in names]
    kept = next(n for n in range(1, 301) if sum(map(len, texts[:n])) > 4096)
    assert len(answer.raw.headers.getlist("Warning")) == kept
