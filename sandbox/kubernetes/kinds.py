"""The kinds of object a member cluster serves, and what differs between them: the URL's
resource and group, validation, patch types, what counts as no change.

Secrets (core v1), Argo CD AppProjects (argoproj.io/v1alpha1, a custom resource),
SIG-Multicluster ClusterProfiles (multicluster.x-k8s.io/v1alpha1, with `/status`) and Leases
(coordination.k8s.io/v1, Kubernetes API reference "Lease v1 coordination.k8s.io"), which a
client takes to run alone: `holderIdentity`, `leaseDurationSeconds`, `acquireTime`,
`renewTime` and `leaseTransitions`, validated as pkg/apis/coordination/validation does
(a duration above 0, transitions not negative, times as MicroTime).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.kubernetes.appprojects import (
    API_VERSION,
    invalid,
    object_metadata,
    validated_appproject,
)
from sandbox.kubernetes.clusterprofiles import API_VERSION as CLUSTERPROFILE_VERSION
from sandbox.kubernetes.clusterprofiles import validated_create
from sandbox.kubernetes.conventions import OBJECT_META_FIELDS, KubeError
from sandbox.kubernetes.fieldvalidation import unknown_fields
from sandbox.kubernetes.secrets import validated_secret
from sandbox.kubernetes.secrettypes import check_update

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
Object = dict[str, Any]
# metav1.MicroTime: RFC 3339 with microseconds, as the API server writes and reads it.
_MICRO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class Kind:
    """What differs between kinds of objects; the rules above are the same for all."""

    resource: str  # the plural in URLs, RBAC rules and error details
    group: str  # "" for the core API
    list_kind: str
    api_version: str
    validate: Callable[[Any, str], Object]  # (body, namespace of the URL) -> the object
    patch_types: tuple[str, ...]
    same: Callable[[Object, Object], bool]  # an update that changes nothing
    generation: bool = False
    check_update: Callable[[Object, Object], None] | None = None  # (new, old): refuse or not

    @property
    def qualified(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource

    def details(self, name: str) -> dict[str, str]:
        return {
            "name": name,
            **({"group": self.group} if self.group else {}),
            "kind": self.resource,
        }


def _same_secret(a: Object, b: Object) -> bool:
    keys = ("labels", "annotations")
    return (
        a.get("data") == b.get("data")
        and a.get("type") == b.get("type")
        and a.get("immutable") == b.get("immutable")
        and all(a["metadata"].get(k) == b["metadata"].get(k) for k in keys)
    )


SECRETS = Kind(
    "secrets",
    "",
    "SecretList",
    "v1",
    validated_secret,
    (MERGE_PATCH, STRATEGIC_MERGE_PATCH),
    _same_secret,
    check_update=check_update,
)
# A custom resource takes no strategic merge patch; JSON patch is not served here.
APPPROJECTS = Kind(
    "appprojects",
    "argoproj.io",
    "AppProjectList",
    API_VERSION,
    validated_appproject,
    (MERGE_PATCH,),
    lambda a, b: a == b,
    generation=True,
)


CLUSTERPROFILES = Kind(
    "clusterprofiles",
    "multicluster.x-k8s.io",
    "ClusterProfileList",
    CLUSTERPROFILE_VERSION,
    validated_create,  # updates are `subresources.StatusObjects`'
    (MERGE_PATCH,),
    lambda a, b: a == b,
    generation=True,
)


def validated_lease(body: Any, namespace: str) -> Object:
    """A stored Lease built from a request body, or the API server's error for it."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
        raise KubeError(400, "Object 'metadata' is missing or is not an object")
    if body.get("kind", "Lease") != "Lease":
        raise KubeError(400, f"the kind of the object ({body.get('kind')}) is not Lease")
    meta = object_metadata(dict(body["metadata"]), namespace, ("Lease", "v1"))
    name, spec = meta["name"], body.get("spec") or {}
    if not isinstance(spec, dict):
        raise invalid(name, "spec", "FieldValueInvalid", "spec must be an object")
    checks = (
        ("holderIdentity", lambda v: isinstance(v, str), "must be a string"),
        ("leaseDurationSeconds", lambda v: _int(v) and v > 0, "must be greater than 0"),
        ("leaseTransitions", lambda v: _int(v) and v >= 0, "must be greater than or equal to 0"),
        ("acquireTime", lambda v: isinstance(v, str) and _MICRO_TIME.match(v), "a MicroTime"),
        ("renewTime", lambda v: isinstance(v, str) and _MICRO_TIME.match(v), "a MicroTime"),
    )
    for field, ok, why in checks:
        if spec.get(field) is not None and not ok(spec[field]):
            detail = f"Invalid value: {json.dumps(spec[field])}: {why}"
            raise invalid(name, f"spec.{field}", "FieldValueInvalid", detail)
    known = {field for field, _, _ in checks}  # unknown fields are dropped, as decoding does
    unknown_fields(
        'Lease in version "v1" cannot be handled as a Lease', _unknown(body), built_in=True
    )
    kept = {k: v for k, v in spec.items() if k in known and v is not None}
    return {"kind": "Lease", "apiVersion": "coordination.k8s.io/v1", "metadata": meta, "spec": kept}


# LeaseSpec's fields (coordination/v1); the last two are alpha in 1.33, off, and so cleared.
_LEASE_SPEC = ("holderIdentity", "leaseDurationSeconds", "leaseTransitions", "acquireTime",
               "renewTime", "strategy", "preferredHolder")  # fmt: skip


def _unknown(body: Object) -> list[str]:
    """A Lease body's unknown fields, in document order, as the decoder meets them."""
    found: list[str] = []
    for key, value in body.items():
        if key in ("metadata", "spec") and isinstance(value, dict):
            known = OBJECT_META_FIELDS if key == "metadata" else _LEASE_SPEC
            found += [f"{key}.{k}" for k in value if k not in known]
        elif key not in ("apiVersion", "kind", "metadata", "spec"):
            found.append(key)
    return found


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31


LEASES = Kind(
    "leases",
    "coordination.k8s.io",
    "LeaseList",
    "coordination.k8s.io/v1",
    validated_lease,
    (MERGE_PATCH, STRATEGIC_MERGE_PATCH),
    lambda a, b: (
        a.get("spec") == b.get("spec")
        and a["metadata"].get("labels") == b["metadata"].get("labels")
    ),
)
