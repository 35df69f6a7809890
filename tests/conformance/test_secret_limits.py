"""The sandbox's Secret validation accepts exactly what Kubernetes' rules accept.

The rules (regexes, lengths, size limits) are read from k8s-validation.json, transcribed from
apimachinery and kubernetes `ValidateSecret`; the sandbox is written from the same sources but
reads nothing at run time, so a disagreement is a bug in one of them. Strings are drawn near
every boundary: 63 and 253 characters, 256 KiB of annotations, 1 MiB of data, runes whose
lowercase is ASCII (KELVIN SIGN, U+0130) and runes of two bytes.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.secrets import (
    MAX_SECRET_SIZE,
    TOTAL_ANNOTATION_SIZE_LIMIT_B,
    validated_secret,
)
from tests.conformance import kubernetes_rules as rules

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHARS = "aZ09-_./ \u212a\u0130\u00e9"  # the rules' alphabet, a space, and three non-ASCII runes
LENGTHS = st.sampled_from([0, 1, 2, 61, 62, 63, 64, 65, 251, 252, 253, 254])


@st.composite
def near_limits(draw: st.DrawFn, alphabet: str = CHARS) -> str:
    """A string of a length near a limit, mostly of allowed characters."""
    size = draw(LENGTHS)
    body = draw(st.text(st.sampled_from("ab9"), min_size=size, max_size=size))
    for _ in range(draw(st.integers(0, 3))):  # a few characters changed anywhere
        at = draw(st.integers(0, max(size - 1, 0)))
        body = body[:at] + draw(st.sampled_from(alphabet)) + body[at + 1 :]
    return body


keys = near_limits() | st.builds(lambda p, n: f"{p}/{n}", near_limits(), near_limits())


def outcome(body: dict[str, Any]) -> str:
    """ "" when accepted, else the field the 422 names."""
    try:
        validated_secret(body, "argocd")
    except KubeError as err:
        assert err.code == 422, err.message
        (cause,) = err.details["causes"]
        return str(cause["field"])
    return ""


def secret(**metadata: Any) -> dict[str, Any]:
    return {"metadata": {"name": "s", **metadata}}


@SETTINGS
@given(keys)
@example("example.com/" + "a" * 63)
@example("Example.com/a")
@example("a/b/c")
def test_label_keys(key):
    assert (outcome(secret(labels={key: "v"})) == "") == rules.label_key(key)


@SETTINGS
@given(near_limits())
@example("")
@example("a" * 63)
@example("a" * 64)
def test_label_values(value):
    assert (outcome(secret(labels={"k": value})) == "") == rules.label_value(value)


@SETTINGS
@given(keys)
@example("Example.COM/Some-Key")
@example("\u212a8s.io/a")
@example("\u0130o/a")
def test_annotation_keys_are_checked_lowercased(key):
    assert (outcome(secret(annotations={key: "v"})) == "") == rules.annotation_key(key)


@SETTINGS
@given(near_limits(CHARS + "+:"))
@example(".")
@example("..")
@example("..a")
@example(".a")
def test_data_keys(key):
    body = {**secret(), "stringData": {key: "v"}}
    assert (outcome(body) == "") == rules.data_key(key)


sizes = st.integers(-3, 3)  # bytes from the limit
splits = st.integers(1, 3)  # how many entries share them


@settings(max_examples=60, deadline=None)
@given(sizes, splits, st.booleans())
def test_annotations_total_size(offset, count, wide):
    limit = rules.rules()["annotations_total_max_bytes"]
    values = _values(limit + offset - sum(len(f"k{i}") for i in range(count)), count, wide)
    annotations = {f"k{i}": v for i, v in enumerate(values)}
    total = sum(rules.go_len(k) + rules.go_len(v) for k, v in annotations.items())
    assert outcome(secret(annotations=annotations)) == (
        "" if total <= limit else "metadata.annotations"
    )


@settings(max_examples=60, deadline=None)
@given(sizes, splits, st.booleans())
def test_data_total_size(offset, count, through_string_data):
    limit = rules.rules()["secret_data_total_max_bytes"]
    values = _values(limit + offset, count, wide=False)
    body: dict[str, Any] = secret()
    if through_string_data:  # merged into data before the size is counted
        body["data"] = {"k0": base64.b64encode(b"overwritten" * 1000).decode()}
        body["stringData"] = {f"k{i}": v for i, v in enumerate(values)}
    else:
        body["data"] = {
            f"k{i}": base64.b64encode(v.encode()).decode() for i, v in enumerate(values)
        }
    total = sum(len(v.encode()) for v in values)
    assert outcome(body) == ("" if total <= limit else "data")


def _values(size: int, count: int, wide: bool) -> list[str]:
    """`count` strings of `size` UTF-8 bytes in all; `wide` ones mostly of two-byte runes."""
    shares = [size // count] * count
    shares[0] += size - sum(shares)
    if not wide:
        return ["x" * share for share in shares]
    return ["\u00e9" * (share // 2) + "x" * (share % 2) for share in shares]


def test_the_limits_are_the_reference_ones():
    reference = rules.rules()
    assert (reference["annotations_total_max_bytes"], reference["secret_data_total_max_bytes"]) == (
        TOTAL_ANNOTATION_SIZE_LIMIT_B,
        MAX_SECRET_SIZE,
    )


@pytest.mark.parametrize(
    ("body", "field", "limit"),
    [
        (secret(annotations={"a": "x" * 262144}), "metadata.annotations", 262144),
        ({**secret(), "stringData": {"a": "x" * 1048577}}, "data", 1048576),
    ],
)
def test_a_size_error_is_field_too_long(body, field, limit):
    with pytest.raises(KubeError) as raised:
        validated_secret(body, "argocd")
    detail = f"Too long: may not be more than {limit} bytes"  # field.TooLong's message
    assert raised.value.message == f'Secret "s" is invalid: {field}: {detail}'
    cause = {"reason": "FieldValueTooLong", "message": detail, "field": field}
    assert raised.value.details == {"name": "s", "kind": "Secret", "causes": [cause]}
