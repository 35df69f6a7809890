"""What every kind the API server serves shares: merge patches and `Status` error bodies.

Messages, reasons and codes are the real API server's, so the official client raises the same
`ApiException`s it would in production. Secret validation is in `secrets`.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

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

# meta/v1 ObjectMeta's fields and their Go types: any other key under `metadata` is dropped on
# decoding, and one of the wrong type makes the request undecodable (apiextensions-apiserver
# `schema/objectmeta/coerce.go`: requests are decoded without dropping malformed fields).
META_STRING, META_INT, META_STRINGS, META_STRING_MAP, META_OBJECTS = (
    "string",
    "int64",
    "[]string",
    "map",
    "[]obj",
)
OBJECT_META_TYPES = {
    **dict.fromkeys(
        ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
         "creationTimestamp", "deletionTimestamp"), META_STRING,
    ),
    "generation": META_INT, "deletionGracePeriodSeconds": META_INT,
    "labels": META_STRING_MAP, "annotations": META_STRING_MAP,
    "ownerReferences": META_OBJECTS, "managedFields": META_OBJECTS, "finalizers": META_STRINGS,
}  # fmt: skip
OBJECT_META_FIELDS = frozenset(OBJECT_META_TYPES)


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


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """A strategic merge patch, for the maps a Secret or Lease has: as `merge_patch`, but a map
    with `$patch: replace` takes the patch's place and one with `$patch: delete` is emptied
    (apimachinery `strategicpatch` `handleDirectiveInMergeMap`); `$retainKeys` drops the keys
    it does not list; `$setElementOrder/` lists, which only order, are dropped. Lists are
    replaced, as a merge patch replaces them (a list's own strategies are not modelled)."""
    if not isinstance(patch, dict):
        return patch
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: v for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return {}
    target = dict(target) if isinstance(target, dict) else {}
    if isinstance(retained := patch.get("$retainKeys"), list):
        target = {k: v for k, v in target.items() if k in retained}
    for key, value in patch.items():
        if key == "$retainKeys" or key.startswith("$setElementOrder/"):
            continue
        if value is None:
            target.pop(key, None)
        else:
            target[key] = strategic_merge_patch(target.get(key), value)
    return target
