"""The API server's rules for Secrets: validation, merge patches, and `Status` error bodies.

Messages, reasons and codes are the real API server's, so the official client raises the same
`ApiException`s it would in production.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from werkzeug.wrappers import Response

from sandbox.kubernetes.names import (
    config_key_ok,
    dns_subdomain_ok,
    label_value_ok,
    qualified_name_ok,
)

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "AlreadyExists",
    415: "UnsupportedMediaType",
    422: "Invalid",
}


class KubeError(Exception):
    def __init__(self, code: int, message: str, reason: str = "", details: Any = None) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.reason = reason or _REASONS.get(code, "InternalError")
        self.details = details


def status_response(err: KubeError) -> Response:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": err.message,
        "reason": err.reason,
        "code": err.code,
    }
    if err.details is not None:
        body["details"] = err.details
    return Response(json.dumps(body), status=err.code, mimetype="application/json")


def ok(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = merge_patch(target.get(key), value)
    return target


def _invalid(name: str, field: str, value: Any, detail: str) -> KubeError:
    message = f'Secret "{name}" is invalid: {field}: Invalid value: {json.dumps(value)}: {detail}'
    cause = {
        "reason": "FieldValueInvalid",
        "message": f"Invalid value: {json.dumps(value)}: {detail}",
        "field": field,
    }
    return KubeError(422, message, details={"name": name, "kind": "Secret", "causes": [cause]})


def validated_secret(body: Any, namespace: str) -> dict[str, Any]:
    """A stored Secret built from a request body, or the API server's error for it."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
        raise KubeError(
            400, 'Secret in version "v1" cannot be handled as a Secret: metadata is missing'
        )
    if body.get("kind", "Secret") != "Secret":
        raise KubeError(400, f"the kind of the object ({body.get('kind')}) is not Secret")
    meta = _validated_metadata(dict(body["metadata"]), namespace)
    name = meta["name"]
    data = _decoded_data(name, body.get("data") or {})
    for key, value in (body.get("stringData") or {}).items():
        data[key] = str(value).encode()
    for key in data:
        if not config_key_ok(key):
            raise _invalid(
                name,
                f"data[{key}]",
                key,
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            )
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": meta,
        "type": body.get("type") or "Opaque",
        "data": {k: base64.b64encode(v).decode() for k, v in sorted(data.items())},
    }


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
    for key, value in annotations.items():
        if not qualified_name_ok(key) or not isinstance(value, str):
            raise _invalid(
                name,
                "metadata.annotations",
                key,
                "name part must consist of alphanumeric characters, '-', '_' or '.'",
            )
    meta.update(name=name, namespace=namespace, labels=labels, annotations=annotations)
    return {k: v for k, v in meta.items() if v not in ({}, None)}


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
