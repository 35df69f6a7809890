"""Fleet scopes and fleet namespaces.

Fields follow `Scope` and `Namespace` in google/cloud/gkehub/v1/fleet.proto; Hub answers with
them in the shapes of `hub.resources`. Which fleet holds them is `fleet`'s concern.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

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
