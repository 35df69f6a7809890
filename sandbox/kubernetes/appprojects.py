"""What the API server accepts as an Argo CD `AppProject` (argoproj.io/v1alpha1), with its
messages: the CRD's structural schema applied as the API server applies it
(`structural.py`: unknown fields pruned, non-nullable nulls dropped, then types, required
fields and `maxLength` checked under every field), and the object's metadata as ObjectMeta.

Sources: argoproj/argo-cd `manifests/crds/appproject-crd.yaml` at v3.5.1, embedded as
`crds/appproject-v1alpha1.json`; apimachinery `ObjectMeta` (its fields; an unknown one is
dropped when the object is decoded); the Kubernetes API conventions for `Status` and
`causes`. A mismatched apiVersion, kind or namespace is 400 BadRequest, as the API server
answers before validating; a schema violation is 422 Invalid.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sandbox.kubernetes.conventions import (
    META_INT,
    META_OBJECTS,
    META_STRING,
    META_STRING_MAP,
    META_STRINGS,
    OBJECT_META_FIELDS,
    OBJECT_META_TYPES,
    KubeError,
)
from sandbox.kubernetes.fieldvalidation import DECODER_STRICT_ERRORS, unknown_fields
from sandbox.kubernetes.names import dns_subdomain_ok, label_value_ok, qualified_name_ok
from sandbox.kubernetes.structural import FieldError, Schema, prune, type_name, validate

API_VERSION = "argoproj.io/v1alpha1"
KIND, GROUP = "AppProject", "argoproj.io"
# The CRD's schema, as Argo CD publishes it (see crds/appproject-v1alpha1.json's "about").
SCHEMA: Schema = json.loads(
    resources.files("sandbox.kubernetes").joinpath("crds/appproject-v1alpha1.json").read_text()
)["openAPIV3Schema"]
_GO_TYPES = {
    META_STRING: "string", META_INT: "int64", META_STRINGS: "[]string",
    META_STRING_MAP: "map[string]string", META_OBJECTS: "[]v1.OwnerReference",
}  # fmt: skip


def _decodes_as(value: Any, wanted: str) -> bool:
    if value is None:
        return True  # JSON null decodes into Go's zero value
    if wanted == META_STRING:
        return isinstance(value, str)
    if wanted == META_INT:
        return type_name(value) == "integer"
    if wanted == META_STRING_MAP:
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    if wanted == META_STRINGS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _decoded_metadata(meta: dict[str, Any], handled_as: tuple[str, str]) -> None:
    """400 BadRequest as the API server's decoder answers a field of the wrong Go type (the
    detail is encoding/json's wording; the API server's json-iterator words it otherwise)."""
    for field, wanted in OBJECT_META_TYPES.items():
        if field in meta and not _decodes_as(meta[field], wanted):
            kind, version = handled_as
            raise KubeError(
                400,
                f'{kind} in version "{version}" cannot be handled as a {kind}: json: cannot '
                f"unmarshal {type_name(meta[field])} into Go struct field "
                f"ObjectMeta.metadata.{field} of type {_GO_TYPES[wanted]}",
            )


def invalid(
    name: str, field: str, reason: str, detail: str, kind: tuple[str, str] = (KIND, GROUP)
) -> KubeError:
    """A 422 Invalid `Status` for one field, as the API server writes it for a custom resource
    of `kind` (kind, group)."""
    return invalid_fields(name, [FieldError(field, reason, detail)], kind)


def invalid_fields(
    name: str, errors: list[FieldError], kind: tuple[str, str] = (KIND, GROUP)
) -> KubeError:
    """A 422 Invalid `Status` for every field error (apimachinery `errors.NewInvalid`: one
    error as it is, several as `[a, b]`)."""
    causes = [{"reason": e.reason, "message": e.detail, "field": e.field} for e in errors]
    listed = str(errors[0]) if len(errors) == 1 else f"[{', '.join(map(str, errors))}]"
    return KubeError(
        422,
        f'{kind[0]}.{kind[1]} "{name}" is invalid: {listed}',
        details={"name": name, "group": kind[1], "kind": kind[0], "causes": causes},
    )


def typed_body(body: Any, api_version: str, kind: str) -> dict[str, Any]:
    """The 400s the API server answers before decoding: not an object, another kind."""
    if not isinstance(body, dict):
        raise KubeError(400, "Object 'metadata' is missing or is not an object")
    if body.get("apiVersion") != api_version:
        raise KubeError(
            400,
            f"the API version in the data ({body.get('apiVersion')}) does not match the "
            f"expected API version ({api_version})",
        )
    if body.get("kind") != kind:
        raise KubeError(400, f"the kind in the data ({body.get('kind')}) is not {kind}")
    return body


def validated_appproject(body: Any, namespace: str) -> dict[str, Any]:
    """The stored form of a request body, or the API server's error for it."""
    typed_body(body, API_VERSION, KIND)
    # No metadata, or null, decodes into an empty ObjectMeta; anything else not an object fails.
    metadata = {} if body.get("metadata") is None else body["metadata"]
    if not isinstance(metadata, dict):
        raise KubeError(
            400,
            f'{KIND} in version "v1alpha1" cannot be handled as a {KIND}: json: cannot '
            f"unmarshal {type_name(metadata)} into Go value of type v1.ObjectMeta",
        )
    # ObjectMeta's errors and the schema's are one list (customresource/validator.go).
    errors: list[FieldError] = []
    meta = object_metadata(dict(metadata), namespace, (KIND, "v1alpha1"), errors)
    # By validation the server has filled in metadata (uid, creationTimestamp), so the schema's
    # `required: [metadata]` never fires.
    stored = pruned_body({**body, "metadata": metadata}, SCHEMA, (KIND, "v1alpha1"))
    if errors := errors + validate(stored, SCHEMA):
        raise invalid_fields(meta["name"], errors)
    return {**stored, "metadata": meta}


def pruned_body(body: dict[str, Any], schema: Schema, handled_as: tuple[str, str]) -> Any:
    """A custom resource's body as decoded: pruned by its schema, with the unknown fields
    (ObjectMeta's first, then the pruned paths, each sorted) put to `fieldValidation`."""
    metadata = body.get("metadata") or {}
    dropped = [f"metadata.{k}" for k in sorted(metadata) if k not in OBJECT_META_FIELDS]
    del dropped[DECODER_STRICT_ERRORS:]  # ObjectMeta is decoded strictly on its own
    pruned: list[str] = []
    stored = prune(json.loads(json.dumps(body)), schema, root=True, dropped=pruned)
    dropped += sorted(pruned)  # pruning.PruneWithOptions sorts the paths it pruned
    kind, version = handled_as
    unknown_fields(f'{kind} in version "{version}" cannot be handled as a {kind}', dropped)
    return stored


def object_metadata(
    meta: dict[str, Any],
    namespace: str,
    handled_as: tuple[str, str],
    errors: list[FieldError] | None = None,
    kind: tuple[str, str] = (KIND, GROUP),
) -> dict[str, Any]:
    """A custom or built-in object's metadata as the API server decodes and validates it;
    `handled_as` is the (kind, version) a decoding error names, `kind` the (kind, group) an
    Invalid one does. Field errors go to `errors` when given (to be reported with the others),
    else are raised."""
    _decoded_metadata(meta, handled_as)
    if meta.get("namespace") not in (None, namespace):
        raise KubeError(
            400,
            "the namespace of the provided object does not match the namespace sent on the request",
        )
    found: list[FieldError] = []
    name = meta.get("name") or ""
    if not name:
        detail = "Required value: name or generateName is required"
        found.append(FieldError("metadata.name", "FieldValueRequired", detail))
    elif not dns_subdomain_ok(name):
        detail = f'Invalid value: "{name}": {_SUBDOMAIN}'
        found.append(FieldError("metadata.name", "FieldValueInvalid", detail))
    for field, check_value in (("labels", True), ("annotations", False)):
        for key, value in (meta.get(field) or {}).items():
            if not qualified_name_ok(key) or (check_value and not label_value_ok(value)):
                detail = f"Invalid value: {json.dumps({key: value})}: not a valid {field[:-1]}"
                found.append(FieldError(f"metadata.{field}", "FieldValueInvalid", detail))
                break
    if found and errors is None:
        raise invalid_fields(name, found, kind)
    if errors is not None:
        errors.extend(found)
    meta.update(name=name, namespace=namespace)
    return {k: v for k, v in meta.items() if v not in ({}, None) and k in OBJECT_META_FIELDS}


# apimachinery `IsDNS1123Subdomain`'s message, through `RegexError` (an example and the regex).
_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    r"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
