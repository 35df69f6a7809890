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

from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.names import dns_subdomain_ok, label_value_ok, qualified_name_ok
from sandbox.kubernetes.structural import FieldError, Schema, prune, validate

API_VERSION = "argoproj.io/v1alpha1"
KIND, GROUP = "AppProject", "argoproj.io"
# The CRD's schema, as Argo CD publishes it (see crds/appproject-v1alpha1.json's "about").
SCHEMA: Schema = json.loads(
    resources.files("sandbox.kubernetes").joinpath("crds/appproject-v1alpha1.json").read_text()
)["openAPIV3Schema"]
# meta/v1 ObjectMeta's fields: any other key under `metadata` is dropped on decoding.
OBJECT_META_FIELDS = frozenset(
    (
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
        "annotations", "ownerReferences", "finalizers", "managedFields",
    )
)  # fmt: skip


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


def _expect(name: str, field: str, value: Any, wanted: str, kind: tuple[str, str]) -> None:
    if errors := validate(value, {"type": wanted}, field):
        raise invalid_fields(name, errors, kind)


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
    stored = prune(json.loads(json.dumps(body)), SCHEMA, root=True)
    if errors := validate(stored, SCHEMA):
        raise invalid_fields(meta["name"], errors)
    return {**stored, "metadata": meta}


def object_metadata(
    meta: dict[str, Any], namespace: str, kind: tuple[str, str] = (KIND, GROUP)
) -> dict[str, Any]:
    """A custom or built-in object's metadata as the API server validates it; errors name
    `kind` (kind, group)."""
    if meta.get("namespace") not in (None, namespace):
        raise KubeError(
            400,
            "the namespace of the provided object does not match the namespace sent on the request",
        )
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise invalid("", "metadata.name", "FieldValueRequired", "Required value: name or "
                      "generateName is required", kind)  # fmt: skip
    if not dns_subdomain_ok(name):
        detail = (
            f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower case '
            "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
            "character"
        )
        raise invalid(name, "metadata.name", "FieldValueInvalid", detail, kind)
    for field, check_value in (("labels", True), ("annotations", False)):
        entries = meta.get(field) or {}
        _expect(name, f"metadata.{field}", entries, "object", kind)
        for key, value in entries.items():
            bad_value = not isinstance(value, str) or (check_value and not label_value_ok(value))
            if not qualified_name_ok(key) or bad_value:
                detail = f"Invalid value: {json.dumps({key: value})}: not a valid {field[:-1]}"
                raise invalid(name, f"metadata.{field}", "FieldValueInvalid", detail, kind)
    meta.update(name=name, namespace=namespace)
    return {k: v for k, v in meta.items() if v not in ({}, None) and k in OBJECT_META_FIELDS}
