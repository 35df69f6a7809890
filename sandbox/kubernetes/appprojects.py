"""What the API server accepts as an Argo CD `AppProject` (argoproj.io/v1alpha1): the checks
of the CRD's OpenAPI schema that matter here, with the API server's messages.

Sources: argoproj/argo-cd `manifests/crds/appproject-crd.yaml` (`metadata` and `spec`
required; `spec.sourceRepos` a list of strings; `spec.destinations` a list of objects whose
`server`, `namespace` and `name` are strings; the resource lists `clusterResourceWhitelist`,
`clusterResourceBlacklist`, `namespaceResourceWhitelist`, `namespaceResourceBlacklist` lists
of objects with required string `group` and `kind`), and the Kubernetes API conventions for
`Status` and `causes`. A mismatched apiVersion, kind or namespace is 400 BadRequest, as the
API server answers before validating; a schema violation is 422 Invalid.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.names import dns_subdomain_ok, label_value_ok, qualified_name_ok

API_VERSION = "argoproj.io/v1alpha1"
KIND = "AppProject"
RESOURCE_LISTS = (
    "clusterResourceWhitelist",
    "clusterResourceBlacklist",
    "namespaceResourceWhitelist",
    "namespaceResourceBlacklist",
)
_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return next(name for kind, name in _JSON_TYPES if isinstance(value, kind))


def invalid(name: str, field: str, reason: str, detail: str) -> KubeError:
    """A 422 Invalid `Status` for one field, as the API server writes it for a custom resource."""
    cause = {"reason": reason, "message": detail, "field": field}
    return KubeError(
        422,
        f'{KIND}.argoproj.io "{name}" is invalid: {field}: {detail}',
        details={"name": name, "group": "argoproj.io", "kind": KIND, "causes": [cause]},
    )


def _expect(name: str, field: str, value: Any, wanted: str) -> None:
    if _type_of(value) != wanted:
        got = _type_of(value)
        detail = f'Invalid value: "{got}": {field} in body must be of type {wanted}: "{got}"'
        raise invalid(name, field, "FieldValueTypeInvalid", detail)


def _required(name: str, field: str, present: bool) -> None:
    if not present:
        raise invalid(name, field, "FieldValueRequired", "Required value")


def validated_appproject(body: Any, namespace: str) -> dict[str, Any]:
    """The stored form of a request body, or the API server's error for it."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
        raise KubeError(400, "Object 'metadata' is missing or is not an object")
    if body.get("apiVersion") != API_VERSION:
        raise KubeError(
            400,
            f"the API version in the data ({body.get('apiVersion')}) does not match the "
            f"expected API version ({API_VERSION})",
        )
    if body.get("kind") != KIND:
        raise KubeError(400, f"the kind in the data ({body.get('kind')}) is not {KIND}")
    meta = object_metadata(dict(body["metadata"]), namespace)
    name = meta["name"]
    _required(name, "spec", "spec" in body)
    spec = body["spec"]
    _expect(name, "spec", spec, "object")
    _check_spec(name, spec)
    return {**json.loads(json.dumps(body)), "metadata": meta}


def object_metadata(meta: dict[str, Any], namespace: str) -> dict[str, Any]:
    """A custom or built-in object's metadata as the API server validates it."""
    if meta.get("namespace") not in (None, namespace):
        raise KubeError(
            400,
            "the namespace of the provided object does not match the namespace sent on the request",
        )
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise invalid("", "metadata.name", "FieldValueRequired", "Required value: name or "
                      "generateName is required")  # fmt: skip
    if not dns_subdomain_ok(name):
        detail = (
            f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower case '
            "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
            "character"
        )
        raise invalid(name, "metadata.name", "FieldValueInvalid", detail)
    for field, check_value in (("labels", True), ("annotations", False)):
        entries = meta.get(field) or {}
        _expect(name, f"metadata.{field}", entries, "object")
        for key, value in entries.items():
            bad_value = not isinstance(value, str) or (check_value and not label_value_ok(value))
            if not qualified_name_ok(key) or bad_value:
                detail = f"Invalid value: {json.dumps({key: value})}: not a valid {field[:-1]}"
                raise invalid(name, f"metadata.{field}", "FieldValueInvalid", detail)
    meta.update(name=name, namespace=namespace)
    return {k: v for k, v in meta.items() if v not in ({}, None)}


def _check_spec(name: str, spec: dict[str, Any]) -> None:
    if "sourceRepos" in spec:
        _expect(name, "spec.sourceRepos", spec["sourceRepos"], "array")
        for i, repo in enumerate(spec["sourceRepos"]):
            _expect(name, f"spec.sourceRepos[{i}]", repo, "string")
    if "destinations" in spec:
        _expect(name, "spec.destinations", spec["destinations"], "array")
        for i, destination in enumerate(spec["destinations"]):
            field = f"spec.destinations[{i}]"
            _expect(name, field, destination, "object")
            for key in ("server", "namespace", "name"):
                if key in destination:
                    _expect(name, f"{field}.{key}", destination[key], "string")
    for listing in RESOURCE_LISTS:
        if listing not in spec:
            continue
        _expect(name, f"spec.{listing}", spec[listing], "array")
        for i, kind in enumerate(spec[listing]):
            field = f"spec.{listing}[{i}]"
            _expect(name, field, kind, "object")
            for key in ("group", "kind"):
                _required(name, f"{field}.{key}", key in kind)
                _expect(name, f"{field}.{key}", kind[key], "string")
