"""Fleet scopes and fleet namespaces, and their GKE Hub v1 REST shapes.

Shapes follow `Scope` and `Namespace` in google/cloud/gkehub/v1/fleet.proto; the namespace
name is the one the REST paths give it (`{name=projects/*/locations/*/scopes/*/namespaces/*}`
in google/cloud/gkehub/v1/service.proto), not the `projects/{p}/locations/{l}/namespaces/{n}`
the proto's comment shows. Which fleet holds them is `fleet`'s concern.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sandbox.google.conventions import now


@dataclass
class ScopeRecord:
    scope: str
    labels: dict[str, str] = field(default_factory=dict)
    namespace_labels: dict[str, str] = field(default_factory=dict)
    uid: str = field(default_factory=lambda: str(uuid.uuid4()))
    create_time: str = field(default_factory=now)
    update_time: str = field(default_factory=now)


@dataclass
class NamespaceRecord:
    scope: str
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)
    namespace_labels: dict[str, str] = field(default_factory=dict)
    uid: str = field(default_factory=lambda: str(uuid.uuid4()))
    create_time: str = field(default_factory=now)
    update_time: str = field(default_factory=now)


def scope_name(project: str, scope: str) -> str:
    return f"projects/{project}/locations/global/scopes/{scope}"


def scope_json(project: str, record: ScopeRecord) -> dict[str, Any]:
    """A scope as GKE Hub v1 REST returns it (`Scope`, fleet.proto)."""
    return {
        "name": scope_name(project, record.scope),
        "uid": record.uid,
        "createTime": record.create_time,
        "updateTime": record.update_time,
        "state": {"code": "READY"},
        "namespaceLabels": dict(record.namespace_labels),
        "labels": dict(record.labels),
    }


def namespace_json(project: str, record: NamespaceRecord) -> dict[str, Any]:
    """A fleet namespace as GKE Hub v1 REST returns it (`Namespace`, fleet.proto)."""
    scope = scope_name(project, record.scope)
    return {
        "name": f"{scope}/namespaces/{record.namespace}",
        "uid": record.uid,
        "createTime": record.create_time,
        "updateTime": record.update_time,
        "state": {"code": "READY"},
        "scope": scope,
        "namespaceLabels": dict(record.namespace_labels),
        "labels": dict(record.labels),
    }
