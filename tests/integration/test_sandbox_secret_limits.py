"""The API server's size limits on Secrets and its annotation key rule, as the official
kubernetes client meets them through the sandbox's Connect Gateway.

Sources: apimachinery `ValidateAnnotations` (keys lowercased, 256 KiB of keys and values),
kubernetes `ValidateSecret` (1 MiB of decoded data, `stringData` merged in first) and
`field.TooLong` for the error (see sandbox/kubernetes/secrets.py).
"""

import base64
import json

import kubernetes.client as k
import pytest

from tests.integration.kube import core

ANNOTATIONS_MAX = 262144
DATA_MAX = 1048576


@pytest.fixture
def api(sandbox, running_sandbox):
    return core(running_sandbox.base_url)


def create(api, name, annotations=None, labels=None, **fields):
    meta = k.V1ObjectMeta(name=name, annotations=annotations, labels=labels)
    return api.create_namespaced_secret("argocd", k.V1Secret(metadata=meta, **fields))


def refusal(api, *args, **kwargs):
    with pytest.raises(k.ApiException) as raised:
        create(api, *args, **kwargs)
    body = json.loads(raised.value.body)
    assert (raised.value.status, body["kind"], body["reason"]) == (422, "Status", "Invalid")
    (cause,) = body["details"]["causes"]
    return body["message"], cause


def annotations_of(size, wide):
    """Keys and values of `size` bytes in all; `wide`: mostly two-byte runes (bytes count)."""
    key = "fleet-argocd-sync.io/big"
    rest = size - len(key)
    return {key: "é" * (rest // 2) + "x" * (rest % 2) if wide else "x" * rest}


@pytest.mark.parametrize("wide", [False, True])
def test_annotations_up_to_256_kib_are_stored_and_one_byte_more_is_refused(api, wide):
    made = create(api, "at-limit", annotations_of(ANNOTATIONS_MAX, wide))
    assert made.metadata.annotations == annotations_of(ANNOTATIONS_MAX, wide)
    message, cause = refusal(api, "over-limit", annotations_of(ANNOTATIONS_MAX + 1, wide))
    detail = f"Too long: may not be more than {ANNOTATIONS_MAX} bytes"
    assert message == f'Secret "over-limit" is invalid: metadata.annotations: {detail}'
    assert cause == {
        "reason": "FieldValueTooLong",
        "message": detail,
        "field": "metadata.annotations",
    }


def b64(size):
    return base64.b64encode(b"\0" * size).decode()


def test_data_up_to_1_mib_decoded_is_stored_and_one_byte_more_is_refused(api):
    made = create(api, "data-at-limit", data={"a": b64(DATA_MAX - 10), "b": b64(10)})
    assert sum(len(base64.b64decode(v)) for v in made.data.values()) == DATA_MAX
    message, cause = refusal(api, "data-over", data={"a": b64(DATA_MAX - 10), "b": b64(11)})
    detail = f"Too long: may not be more than {DATA_MAX} bytes"
    assert message == f'Secret "data-over" is invalid: data: {detail}'
    assert cause == {"reason": "FieldValueTooLong", "message": detail, "field": "data"}
    # stringData is merged in first: it counts, and a key it replaces counts once.
    _, cause = refusal(api, "string-over", data={"a": b64(DATA_MAX)}, string_data={"b": "x"})
    assert cause["field"] == "data"
    replaced = create(api, "replaced", data={"a": b64(DATA_MAX)}, string_data={"a": "x"})
    assert replaced.data == {"a": base64.b64encode(b"x").decode()}


def test_an_uppercase_annotation_key_is_stored_where_the_same_label_key_is_refused(api):
    key = "Fleet.Example.COM/Owner-Team"
    made = create(api, "upper", annotations={key: "payments"})
    assert made.metadata.annotations == {key: "payments"}  # stored as written, not lowercased
    message, cause = refusal(api, "upper-label", labels={key: "payments"})
    assert (cause["field"], cause["reason"]) == ("metadata.labels", "FieldValueInvalid")
    assert 'Secret "upper-label" is invalid: metadata.labels' in message
