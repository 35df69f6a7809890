"""What the API server accepts as a Secret: its metadata, its data, and the size limits.

Written from kubernetes/apimachinery `pkg/api/validation/objectmeta.go` (`ValidateAnnotations`:
keys checked lowercased as qualified names, all keys and values together at most
`TotalAnnotationSizeLimitB`, 256 KiB) and kubernetes `pkg/apis/core/validation/validation.go`
(`ValidateSecret`: data keys as `IsConfigMapKey`, the decoded values together at most
`core.MaxSecretSize`, 1 MiB; `stringData` is merged into `data` before). A size error is
`field.TooLong` (`pkg/util/validation/field/errors.go`): reason `FieldValueTooLong`, message
"Too long: may not be more than N bytes". The first error found is the one answered.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sandbox.kubernetes.conventions import OBJECT_META_FIELDS, KubeError
from sandbox.kubernetes.fieldvalidation import unknown_fields
from sandbox.kubernetes.names import (
    config_key_ok,
    dns_subdomain_ok,
    label_value_ok,
    qualified_name_ok,
)
from sandbox.kubernetes.secrettypes import refused, type_errors

# core/v1 Secret's fields; any other is dropped on decoding (fieldvalidation.py).
SECRET_FIELDS = frozenset(
    ("apiVersion", "kind", "metadata", "data", "stringData", "type", "immutable")
)
TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024
MAX_SECRET_SIZE = 1024 * 1024
_HANDLED_AS = 'Secret in version "v1" cannot be handled as a Secret'


def _invalid(name: str, field: str, value: Any, detail: str) -> KubeError:
    message = f'Secret "{name}" is invalid: {field}: Invalid value: {json.dumps(value)}: {detail}'
    cause = {
        "reason": "FieldValueInvalid",
        "message": f"Invalid value: {json.dumps(value)}: {detail}",
        "field": field,
    }
    return KubeError(422, message, details={"name": name, "kind": "Secret", "causes": [cause]})


def _too_long(name: str, field: str, limit: int) -> KubeError:
    body = f"Too long: may not be more than {limit} bytes"
    cause = {"reason": "FieldValueTooLong", "message": body, "field": field}
    return KubeError(
        422,
        f'Secret "{name}" is invalid: {field}: {body}',
        details={"name": name, "kind": "Secret", "causes": [cause]},
    )


def validated_secret(body: Any, namespace: str) -> dict[str, Any]:
    """A stored Secret built from a request body, or the API server's error for it."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
        raise KubeError(
            400, 'Secret in version "v1" cannot be handled as a Secret: metadata is missing'
        )
    if body.get("kind", "Secret") != "Secret":
        raise KubeError(400, f"the kind of the object ({body.get('kind')}) is not Secret")
    unknown_fields(_HANDLED_AS, _unknown(body), built_in=True)
    immutable = body.get("immutable")
    if immutable is not None and not isinstance(immutable, bool):
        raise _undecodable(immutable, "immutable", "bool")
    string_data = body.get("stringData") or {}
    if not isinstance(string_data, dict):
        raise _undecodable(string_data, "stringData", "map[string]string")
    for value in string_data.values():
        if value is not None and not isinstance(value, str):
            raise _undecodable(value, "stringData", "string")
    meta = _validated_metadata(dict(body["metadata"]), namespace)
    name = meta["name"]
    data = _decoded_data(name, body.get("data") or {})
    for key, value in string_data.items():
        data[key] = (value or "").encode()  # null decodes as the string's zero value
    for key in data:
        if not config_key_ok(key):
            raise _invalid(
                name,
                f"data[{key}]",
                key,
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            )
    if sum(len(value) for value in data.values()) > MAX_SECRET_SIZE:
        raise _too_long(name, "data", MAX_SECRET_SIZE)
    secret_type = body.get("type") or "Opaque"
    if errors := type_errors(secret_type, meta.get("annotations") or {}, data):
        raise refused(name, errors)
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": meta,
        **({} if immutable is None else {"immutable": immutable}),
        "type": secret_type,
        "data": {k: base64.b64encode(v).decode() for k, v in sorted(data.items())},
    }


def _undecodable(value: Any, field: str, go_type: str) -> KubeError:
    """encoding/json's UnmarshalTypeError, as the API server's decoding error."""
    if isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, int | float):
        kind = "number"
    else:
        kind = {str: "string", list: "array"}.get(type(value), "object")
    return KubeError(
        400,
        f"{_HANDLED_AS}: json: cannot unmarshal {kind} into Go struct field "
        f"Secret.{field} of type {go_type}",
    )


def _unknown(body: dict[str, Any]) -> list[str]:
    """The fields decoding drops, in the order the document has them (sigs.k8s.io/json)."""
    found: list[str] = []
    for key, value in body.items():
        if key == "metadata":
            found += [f"metadata.{k}" for k in value if k not in OBJECT_META_FIELDS]
        elif key not in SECRET_FIELDS:
            found.append(key)
    return found


def _validated_metadata(meta: dict[str, Any], namespace: str) -> dict[str, Any]:
    name = meta.get("name")
    if meta.get("namespace", namespace) != namespace:
        raise KubeError(
            400,
            "the namespace of the provided object does not match the namespace sent on the request",
        )
    if not isinstance(name, str) or not name:
        raise KubeError(
            422,
            'Secret "" is invalid: metadata.name: Required value: name or generateName is required',
            details={"kind": "Secret"},
        )
    if not dns_subdomain_ok(name):
        raise _invalid(
            name,
            "metadata.name",
            name,
            "a lowercase RFC 1123 subdomain must consist "
            "of lower case alphanumeric characters, '-' or '.', and must start and end "
            "with an alphanumeric character",
        )
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    for key, value in labels.items():
        if not qualified_name_ok(key) or not isinstance(value, str) or not label_value_ok(value):
            raise _invalid(
                name,
                "metadata.labels",
                {key: value},
                "a valid label must be an "
                "empty string or consist of alphanumeric characters, '-', '_' or '.'",
            )
    _check_annotations(name, annotations)
    meta.update(name=name, namespace=namespace, labels=labels, annotations=annotations)
    return {k: v for k, v in meta.items() if v not in ({}, None)}


def _check_annotations(name: str, annotations: dict[str, Any]) -> None:
    for key, value in annotations.items():
        if not qualified_name_ok(_go_lower(key)) or not isinstance(value, str):
            raise _invalid(
                name,
                "metadata.annotations",
                key,
                "name part must consist of alphanumeric characters, '-', '_' or '.'",
            )
    # Go's len(): bytes of the UTF-8 text, keys and values alike.
    total = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_B:
        raise _too_long(name, "metadata.annotations", TOTAL_ANNOTATION_SIZE_LIMIT_B)


def _go_lower(text: str) -> str:
    """strings.ToLower: rune by rune, the simple mapping. Python's lower() differs where it
    matters (the result is ASCII) only for U+0130, which Go maps to "i" and Python to "i̇"."""
    return text.replace("\u0130", "i").lower()


def _decoded_data(name: str, data: Any) -> dict[str, bytes]:
    if not isinstance(data, dict):
        raise _invalid(name, "data", data, "must be a map of strings")
    decoded = {}
    for key, value in data.items():
        try:
            decoded[key] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(name, f"data[{key}]", "<value>", "illegal base64 data") from None
    return decoded
