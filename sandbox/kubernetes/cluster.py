"""One fleet cluster: its namespaces, RBAC per identity, and its objects (Secrets, Argo CD
AppProjects, ClusterProfiles and Leases, whose rules are `objects`' and `subresources`').

Secret validation lives in `secrets`, error bodies in `conventions`; routing in `apiserver`
and, in front of it, `gateway.routing`.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import uuid
from collections.abc import Iterable
from typing import Any

from sandbox.kubernetes.clusterprofiles import validated_status, validated_update
from sandbox.kubernetes.conventions import OBJECT_META_FIELDS, KubeError
from sandbox.kubernetes.kinds import APPPROJECTS, CLUSTERPROFILES, LEASES, SECRETS
from sandbox.kubernetes.lists import ListPolicy
from sandbox.kubernetes.names import label_problems, with_generated_name
from sandbox.kubernetes.objects import Objects
from sandbox.kubernetes.rbac import Rule, authorize
from sandbox.kubernetes.subresources import StatusObjects

_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_LABEL_RULE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def namespace_name_problems(name: str) -> list[str]:
    """apimachinery `IsDNS1123Label`'s messages for `name` (none when it is a namespace name)."""
    problems = ["must be no more than 63 characters"] if len(name.encode()) > 63 else []
    if not re.fullmatch(_LABEL, name):
        subdomain = re.fullmatch(rf"{_LABEL}(\.{_LABEL})*", name)
        problems.append("must not contain dots" if subdomain else _LABEL_RULE)
    return problems


NAMESPACE_AS = 'Namespace in version "v1" cannot be handled as a Namespace'
_NAMESPACE_FIELDS = frozenset(("apiVersion", "kind", "metadata", "spec", "status"))


def namespace_unknown_fields(body: Any) -> list[str]:
    """The fields decoding a Namespace drops, in the document's order (sigs.k8s.io/json)."""
    found: list[str] = []
    for key, value in body.items() if isinstance(body, dict) else ():
        if key == "metadata" and isinstance(value, dict):
            found += [f"metadata.{k}" for k in value if k not in OBJECT_META_FIELDS]
        elif key not in _NAMESPACE_FIELDS:
            found.append(key)
    return found


def _invalid_namespace(
    name: str, problems: list[str], head: str, field: str = "metadata.name"
) -> KubeError:
    causes = [{"reason": "FieldValueInvalid" if name else "FieldValueRequired",
               "message": f"{head}: {p}", "field": field} for p in problems]  # fmt: skip
    listed = [f"{field}: {c['message']}" for c in causes]
    text = listed[0] if len(listed) == 1 else f"[{', '.join(listed)}]"
    return KubeError(422, f'Namespace "{name}" is invalid: {text}',
                     details={"name": name, "kind": "Namespace", "causes": causes})  # fmt: skip


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
        self.clusterprofiles = StatusObjects(
            self, CLUSTERPROFILES, validated_update, validated_status
        )
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

    def create_namespace(self, body: Any, dry_run: bool = False) -> dict[str, Any]:
        """POST /api/v1/namespaces: the name validated as `ValidateNamespaceName` does (a DNS
        label: apimachinery `validation.IsDNS1123Label`), 409 if it exists; a dry run
        (`dryRun=All`) answers the same and stores nothing (`DryRunnableStorage.Create`)."""
        meta = with_generated_name(body).get("metadata") if isinstance(body, dict) else None
        if not isinstance(meta, dict):
            raise KubeError(400, "Object 'metadata' is missing or is not an object")
        name, labels = meta.get("name"), meta.get("labels") or {}
        if not isinstance(name, str) or not name:
            raise _invalid_namespace("", ["name or generateName is required"], "Required value")
        if problems := namespace_name_problems(name):
            raise _invalid_namespace(name, problems, f"Invalid value: {json.dumps(name)}")
        for bad, problem in label_problems(labels)[:1]:
            raise _invalid_namespace(
                name, [problem], f"Invalid value: {json.dumps(bad)}", "metadata.labels"
            )
        if name in self.namespaces:
            raise KubeError(409, f'namespaces "{name}" already exists',
                            details={"name": name, "kind": "namespaces"})  # fmt: skip
        created = self._namespace(name)
        created["metadata"]["labels"] = {**labels, "kubernetes.io/metadata.name": name}
        for kept in ("generateName", "annotations"):
            if meta.get(kept):
                created["metadata"][kept] = meta[kept]
        if dry_run:  # never stored, so no resourceVersion (DryRunnableStorage's copyInto)
            del created["metadata"]["resourceVersion"]
            return created
        created["metadata"]["resourceVersion"] = self.next_version()
        self.namespaces[name] = created
        return created

    def list_namespaces(self) -> dict[str, Any]:
        items = [self.namespaces[n] for n in sorted(self.namespaces)]
        return {
            "kind": "NamespaceList",
            "apiVersion": "v1",
            "metadata": {"resourceVersion": str(self.revision)},
            "items": items,
        }
