"""What the API server accepts as a SIG-Multicluster `ClusterProfile`
(multicluster.x-k8s.io/v1alpha1): a custom resource whose CRD declares a status subresource
and one CEL rule, `spec.clusterManager` immutable.

The three writes differ in what they take from the request (apiextensions-apiserver v0.33.5
`pkg/registry/customresource`): a create drops `status` (`strategy.go` PrepareForCreate); an
update or merge patch of the object keeps the stored `status` (PrepareForUpdate); an update or
patch of `/status` keeps everything but `status` from the stored object (`status_strategy.go`
PrepareForUpdate) and validates `status` alone against its own schema (`validator.go`
ValidateStatusUpdate: the field under `status.`, kube-openapi's message relative to it). All
three then check list types and the transition rule (`crdrules`). Which of them bumps
`generation` is `objects`' and `subresources`'.

Sources: kubernetes-sigs/cluster-inventory-api v0.1.2
`config/crd/bases/multicluster.x-k8s.io_clusterprofiles.yaml`, embedded as
`crds/clusterprofile-v1alpha1.json`; the structural rules of `structural`, `openapivalues`
and `crdrules`; ObjectMeta as `appprojects.object_metadata` checks it, its errors first in
the schema's list (`validator.go` `Validate`), so they too block the CEL rule.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

from sandbox.kubernetes.appprojects import (
    invalid_fields,
    object_metadata,
    pruned_body,
    typed_body,
)
from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.crdrules import check_modelled, strategy_errors
from sandbox.kubernetes.structural import FieldError, Schema, validate

GROUP, VERSION, KIND = "multicluster.x-k8s.io", "v1alpha1", "ClusterProfile"
API_VERSION = f"{GROUP}/{VERSION}"
Object = dict[str, Any]
_CRD = json.loads(
    resources.files("sandbox.kubernetes").joinpath("crds/clusterprofile-v1alpha1.json").read_text()
)
SCHEMA: Schema = _CRD["openAPIV3Schema"]
STATUS_SCHEMA: Schema = SCHEMA["properties"]["status"]
check_modelled(SCHEMA)  # refuses, at import, any rule or keyword not modelled


def _typed(body: Any) -> Object:
    """The 400s the API server answers before validating: not an object, another kind."""
    typed = typed_body(body, API_VERSION, KIND)
    if not isinstance(typed.get("metadata"), dict):
        raise KubeError(400, "Object 'metadata' is missing or is not an object")
    return typed


def _decoded(body: Any, namespace: str) -> tuple[Object, list[FieldError]]:
    """The request body as decoded (unknown fields and nulls pruned) and ObjectMeta's errors,
    which start the schema's list (`validator.go` `Validate`, `ValidateUpdate`)."""
    metadata = _typed(body)["metadata"]
    errors: list[FieldError] = []
    meta = object_metadata(dict(metadata), namespace, (KIND, VERSION), errors, (KIND, GROUP))
    return {**pruned_body(body, SCHEMA, (KIND, VERSION)), "metadata": meta}, errors


def _checked(errors: list[FieldError], new: Object, old: Object | None) -> Object:
    if errors := strategy_errors(errors, new, SCHEMA, old):
        raise invalid_fields(new["metadata"]["name"], errors, (KIND, GROUP))
    return new


def validated_create(body: Any, namespace: str) -> Object:
    """The stored form of a create's body (its `status` dropped), or the API server's error."""
    new, errors = _decoded(body, namespace)
    new.pop("status", None)
    return _checked(errors + validate(new, SCHEMA), new, None)


def validated_update(body: Any, namespace: str, current: Object) -> Object:
    """An update of the object: the stored `status` kept, whatever the body says."""
    new, errors = _decoded(body, namespace)
    new.pop("status", None)
    if "status" in current:
        new["status"] = copy.deepcopy(current["status"])
    return _checked(errors + validate(new, SCHEMA), new, current)


def validated_status(body: Any, namespace: str, current: Object) -> Object:
    """An update of `/status`: the stored object with the body's `status` (none if absent)."""
    meta = _typed(body)["metadata"]
    if meta.get("namespace") not in (None, namespace):
        raise KubeError(
            400,
            "the namespace of the provided object does not match the namespace sent on the request",
        )
    pruned = pruned_body(body, SCHEMA, (KIND, VERSION))
    new = copy.deepcopy(current)
    new.pop("status", None)
    errors: list[FieldError] = []
    if "status" in pruned:
        new["status"] = pruned["status"]
        for found in validate(pruned["status"], STATUS_SCHEMA):
            where = f"status.{found.field}" if found.field else "status"
            errors.append(FieldError(where, found.reason, found.detail))
    return _checked(errors, new, current)
