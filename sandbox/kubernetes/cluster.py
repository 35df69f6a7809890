"""One fleet cluster: its namespaces, RBAC per identity, and its objects (Secrets and Argo CD
AppProjects, whose rules are `objects`').

Secret validation lives in `secrets`, error bodies in `conventions`; routing in `apiserver`
and, in front of it, `gateway.routing`.
"""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Iterable
from typing import Any

from sandbox.kubernetes.conventions import KubeError
from sandbox.kubernetes.kinds import APPPROJECTS, LEASES, SECRETS
from sandbox.kubernetes.lists import ListPolicy
from sandbox.kubernetes.objects import Objects
from sandbox.kubernetes.rbac import Rule, authorize


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Cluster:
    """The objects of one cluster. Thread-safe; every write bumps `resourceVersion`."""

    def __init__(
        self,
        name: str,
        namespaces: Iterable[str],
        rules: Iterable[Rule],
        policy: ListPolicy | None = None,
    ) -> None:
        self.name = name
        self.policy = policy or ListPolicy()
        self.lock = threading.Lock()
        self.revision = 1
        self.namespaces = {
            ns: self._namespace(ns) for ns in ("default", "kube-system", *namespaces)
        }
        self.secrets = Objects(self, SECRETS)
        self.appprojects = Objects(self, APPPROJECTS)
        self.leases = Objects(self, LEASES)
        self.rules = list(rules)

    def next_version(self) -> str:
        self.revision += 1
        return str(self.revision)

    def timestamp(self) -> str:
        return _now()

    def _namespace(self, name: str) -> dict[str, Any]:
        return {
            "kind": "Namespace",
            "apiVersion": "v1",
            "metadata": {
                "name": name,
                "uid": str(uuid.uuid4()),
                "creationTimestamp": _now(),
                "resourceVersion": "1",
                "labels": {"kubernetes.io/metadata.name": name},
            },
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }

    # --- access control -------------------------------------------------------------

    def authorize(
        self, identity: str, verb: str, resource: str, namespace: str, name: str, group: str = ""
    ) -> None:
        authorize(self.rules, identity, verb, resource, namespace, name, group)

    # --- namespaces -------------------------------------------------------------------

    def get_namespace(self, name: str) -> dict[str, Any]:
        if name not in self.namespaces:
            raise KubeError(
                404, f'namespaces "{name}" not found', details={"name": name, "kind": "namespaces"}
            )
        return self.namespaces[name]

    def list_namespaces(self) -> dict[str, Any]:
        items = [self.namespaces[n] for n in sorted(self.namespaces)]
        return {
            "kind": "NamespaceList",
            "apiVersion": "v1",
            "metadata": {"resourceVersion": str(self.revision)},
            "items": items,
        }
