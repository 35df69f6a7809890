"""`/openapi/v2` as kubectl 1.27 reads it: the Swagger 2.0 document in protobuf.

client-go asks `/openapi/v2` with `Accept: application/com.github.proto-openapi.spec.v2@v1.0+
protobuf` and decodes gnostic's `openapi.v2.Document` (google/gnostic-models,
`openapiv2/OpenAPIv2.proto`); kubectl 1.27's `apply` cannot start without it. Only what the
field-validation check reads is written: each object path's operations, their query
parameters and the `x-kubernetes-group-version-kind` extension as YAML (gnostic's `Any.yaml`).
The field numbers below are that proto's; a client asking for JSON gets the same document
(kube-openapi `handler.go`, `RegisterOpenAPIVersionedService`).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.kubernetes.discovery import SERVED
from sandbox.kubernetes.openapi import INFO, paths

PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
# PathItem's field number for each HTTP method.
_METHOD_FIELD = {"get": 2, "put": 3, "delete": 5, "patch": 8}


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | str) -> bytes:
    """A length-delimited field (wire type 2): a string or an embedded message."""
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _true(number: int) -> bytes:
    return _varint(number << 3) + b"\x01"  # a bool field (wire type 0) set to true


@functools.cache  # static: built once
def _document() -> dict[str, Any]:
    def parameter(name: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "type": "string", "uniqueItems": True}

    return {"swagger": "2.0", "info": INFO, "paths": paths(SERVED, parameter)}


def _operation(operation: dict[str, Any]) -> bytes:
    out = _field(5, operation["operationId"])
    for parameter in operation["parameters"]:
        # QueryParameterSubSchema: in = 2, name = 4, type = 6, unique_items = 20
        query = _field(2, "query") + _field(4, parameter["name"]) + _field(6, "string")
        # ParametersItem.parameter = 1 > Parameter.non_body_parameter = 2 > query = 3
        out += _field(8, _field(1, _field(2, _field(3, query + _true(20)))))
    # Responses.response_code = 1 > NamedResponseValue{name, value > Response{description}}
    out += _field(9, _field(1, _field(1, "200") + _field(2, _field(1, _field(1, "OK")))))
    for name in ("x-kubernetes-action", "x-kubernetes-group-version-kind"):
        value = operation[name]
        text = json.dumps(value)  # YAML reads JSON
        out += _field(13, _field(1, name) + _field(2, _field(2, text)))  # NamedAny > Any.yaml
    return out


def encode(document: dict[str, Any]) -> bytes:
    """gnostic's `openapi.v2.Document` for `document`: swagger = 1, info = 2, paths = 8."""
    info = _field(1, document["info"]["title"]) + _field(2, document["info"]["version"])
    paths = b""
    for name, item in document["paths"].items():
        methods = b"".join(_field(_METHOD_FIELD[m], _operation(op)) for m, op in item.items())
        paths += _field(2, _field(1, name) + _field(2, methods))  # Paths.path > NamedPathItem
    return _field(1, document["swagger"]) + _field(2, info) + _field(8, paths)


def serve_openapi_v2(request: Request) -> Response:
    if PROTOBUF in request.headers.get("Accept", ""):
        # kube-openapi serves it with http.ServeContent, which names sniffed binary data so.
        return Response(_encoded(), content_type="application/octet-stream")
    return Response(json.dumps(_document()), mimetype="application/json")


@functools.cache
def _encoded() -> bytes:
    return encode(_document())
