"""One fleet cluster's objects: namespaces and Secrets, with RBAC per identity; its Argo CD
AppProjects are `appprojects`'.

The API server's validation and error bodies live in `kubeapi`; routing in `gateway`.
"""

from __future__ import annotations

import copy
import datetime
import threading
import uuid
from collections.abc import Iterable
from typing import Any

from sandbox.appprojects import AppProjects
from sandbox.kubeapi import KubeError, merge_patch, validated_secret
from sandbox.kubelists import ListPolicy, Snapshots, list_page
from sandbox.rbac import Rule, authorize

_MERGE_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json")


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
        self.snapshots = Snapshots()
        self.lock = threading.Lock()
        self.revision = 1
        self.namespaces = {
            ns: self._namespace(ns) for ns in ("default", "kube-system", *namespaces)
        }
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.appprojects = AppProjects(self)
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

    # --- secrets ----------------------------------------------------------------------

    def get_secret(self, namespace: str, name: str) -> dict[str, Any]:
        # A missing namespace is reported as a missing Secret, as the API server does.
        found = self.secrets.get((namespace, name))
        if found is None:
            raise KubeError(
                404, f'secrets "{name}" not found', details={"name": name, "kind": "secrets"}
            )
        return found

    def list_secrets(self, namespace: str, selector: str, limit: int, cont: str) -> dict[str, Any]:
        return list_page(
            self._entries, self.snapshots, self.policy, namespace, selector, limit, cont
        )

    def _entries(self) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
        entries = sorted((f"{ns}/{name}", s) for (ns, name), s in self.secrets.items())
        return self.revision, entries

    def create_secret(self, namespace: str, body: Any) -> dict[str, Any]:
        self.get_namespace(namespace)
        secret = validated_secret(body, namespace)
        name = secret["metadata"]["name"]
        if (namespace, name) in self.secrets:
            raise KubeError(
                409, f'secrets "{name}" already exists', details={"name": name, "kind": "secrets"}
            )
        meta = secret["metadata"]
        meta.update(
            uid=str(uuid.uuid4()), creationTimestamp=_now(), resourceVersion=self.next_version()
        )
        self.secrets[(namespace, name)] = secret
        return secret

    def replace_secret(self, namespace: str, name: str, body: Any) -> dict[str, Any]:
        current = self.get_secret(namespace, name)
        secret = validated_secret(body, namespace)
        if secret["metadata"]["name"] != name:
            raise KubeError(
                400,
                "the name of the object "
                f"({secret['metadata']['name']}) does not match the name on the URL ({name})",
            )
        return self._store_update(current, secret)

    def patch_secret(
        self, namespace: str, name: str, patch: Any, content_type: str
    ) -> dict[str, Any]:
        current = self.get_secret(namespace, name)
        if content_type not in _MERGE_TYPES:
            raise KubeError(
                415,
                f"the body of the request was in an unknown format - "
                f"accepted media types include: {', '.join(_MERGE_TYPES)}",
            )
        if not isinstance(patch, dict):
            raise KubeError(400, "a merge patch must be a JSON object")
        merged = merge_patch(copy.deepcopy(current), patch)
        return self._store_update(current, validated_secret(merged, namespace))

    def _store_update(self, current: dict[str, Any], secret: dict[str, Any]) -> dict[str, Any]:
        meta, old = secret["metadata"], current["metadata"]
        name = old["name"]
        if meta.get("resourceVersion") not in (None, "", old["resourceVersion"]):
            raise KubeError(
                409,
                f'Operation cannot be fulfilled on secrets "{name}": the object has been '
                "modified; please apply your changes to the latest version and try again",
                reason="Conflict",
                details={"name": name, "kind": "secrets"},
            )
        if _same(secret, current):
            return current
        meta.update(
            uid=old["uid"],
            creationTimestamp=old["creationTimestamp"],
            resourceVersion=self.next_version(),
        )
        self.secrets[(old["namespace"], name)] = secret
        return secret

    def delete_secret(self, namespace: str, name: str, options: Any) -> dict[str, Any]:
        current = self.get_secret(namespace, name)
        preconditions = (options or {}).get("preconditions") or {}
        for field, meta_key in (("uid", "uid"), ("resourceVersion", "resourceVersion")):
            wanted = preconditions.get(field)
            if wanted is not None and wanted != current["metadata"][meta_key]:
                label = "UID" if field == "uid" else "ResourceVersion"
                raise KubeError(
                    409,
                    f'Operation cannot be fulfilled on secrets "{name}": Precondition failed: '
                    f"{label} in precondition: {wanted}, {label} in object meta: "
                    f"{current['metadata'][meta_key]}",
                    reason="Conflict",
                    details={"name": name, "kind": "secrets"},
                )
        del self.secrets[(namespace, name)]
        self.revision += 1
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": name, "kind": "secrets", "uid": current["metadata"]["uid"]},
        }


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("labels", "annotations")
    return (
        a.get("data") == b.get("data")
        and a.get("type") == b.get("type")
        and all(a["metadata"].get(k) == b["metadata"].get(k) for k in keys)
    )
