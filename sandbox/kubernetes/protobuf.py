"""A Namespace sent as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`), decoded to
the JSON form the rest of the sandbox reads: what kubectl 1.33's typed clients send for `kubectl
create namespace` (1.27 sends JSON). Only the fields a Namespace create uses are read (the
name, `generateName`, labels, annotations); a body of another kind is 415, as nothing here
decodes it.

Sources: apimachinery `pkg/runtime/serializer/protobuf/protobuf.go` (the 4-byte prefix
`k8s\\x00`, then a `runtime.Unknown`), `pkg/runtime/generated.proto` (`Unknown`: typeMeta 1,
raw 2; `TypeMeta`: apiVersion 1, kind 2), k8s.io/api `core/v1/generated.proto` (`Namespace`:
metadata 1), apimachinery `pkg/apis/meta/v1/generated.proto` (`ObjectMeta`: name 1,
generateName 2, labels 11, annotations 12, each map entry key 1 and value 2); the protobuf
wire format (varints, length-delimited fields).
"""

from __future__ import annotations

from typing import Any

from sandbox.kubernetes.conventions import KubeError

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"
_META_STRINGS = {1: "name", 2: "generateName"}
_META_MAPS = {11: "labels", 12: "annotations"}


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if at >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[at]
        value, at, shift = value | (byte & 0x7F) << shift, at + 1, shift + 7
        if not byte & 0x80:
            return value, at


def _fields(data: bytes) -> list[tuple[int, Any]]:
    """Every (field number, value) of one message: a varint as int, a length-delimited as bytes."""
    found, at = [], 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            size, at = _varint(data, at)
            if at + size > len(data):
                raise ValueError("truncated field")
            value, at = data[at : at + size], at + size
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, at = data[at : at + size], at + size
        else:
            raise ValueError(f"wire type {wire}")
        found.append((number, value))
    return found


def _object_meta(data: bytes) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for number, value in _fields(data):
        if number in _META_STRINGS and value:
            meta[_META_STRINGS[number]] = value.decode()
        elif number in _META_MAPS:
            entry = dict(_fields(value))
            key, item = entry.get(1, b"").decode(), entry.get(2, b"").decode()
            meta.setdefault(_META_MAPS[number], {})[key] = item
    return meta


def decoded_namespace(body: bytes) -> dict[str, Any]:
    """The Namespace in a protobuf body, as its JSON would read, or the API server's 400/415."""
    if not body.startswith(_MAGIC):
        raise KubeError(400, "the body of the request could not be decoded: no protobuf prefix")
    try:
        unknown = dict(_fields(body[len(_MAGIC) :]))
        type_meta = {n: v.decode() for n, v in _fields(unknown.get(1, b""))}
        kind = (type_meta.get(1, ""), type_meta.get(2, ""))
        if kind != ("v1", "Namespace"):
            raise KubeError(415, f"{MEDIA_TYPE} bodies of {kind[0]}/{kind[1]} are not decoded")
        namespace = dict(_fields(unknown.get(2, b"")))
        meta = _object_meta(namespace.get(1, b""))
    except (ValueError, UnicodeDecodeError, AttributeError) as err:
        raise KubeError(400, f"the body of the request could not be decoded: {err}") from None
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}
