"""One cluster's namespaced objects of one kind (Secrets, Argo CD AppProjects): create, get,
list, replace, merge patch and delete, with the API server's optimistic concurrency.

The semantics are those of any Kubernetes object (API conventions, "Concurrency Control and
Consistency"): a write whose `metadata.resourceVersion` is not the current one, or a delete
whose `preconditions` do not hold, is 409 Conflict; a write that changes nothing keeps the
resourceVersion. A custom resource without a status subresource also keeps
`metadata.generation`, which starts at 1 and grows with every change outside `metadata`
(Kubernetes docs, "Extend the Kubernetes API with CustomResourceDefinitions", Status
subresource). Lists follow `kubelists`. What is valid is each kind's `validate`.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.kubernetes.appprojects import API_VERSION, validated_appproject
from sandbox.kubernetes.conventions import KubeError, merge_patch, validated_secret
from sandbox.kubernetes.lists import ListPolicy, Snapshots, list_page

MERGE_PATCH = "application/merge-patch+json"
Object = dict[str, Any]


class Holder(Protocol):
    """What objects need of the cluster that holds them (`kube.Cluster`)."""

    revision: int  # the cluster's latest resourceVersion
    policy: ListPolicy

    def next_version(self) -> str: ...

    def timestamp(self) -> str: ...

    def get_namespace(self, name: str) -> Object: ...


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
        and all(a["metadata"].get(k) == b["metadata"].get(k) for k in keys)
    )


SECRETS = Kind(
    "secrets",
    "",
    "SecretList",
    "v1",
    validated_secret,
    (MERGE_PATCH, "application/strategic-merge-patch+json"),
    _same_secret,
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


class Objects:
    """Objects of one kind by (namespace, name); the cluster's lock guards them, its revision
    versions them, so resourceVersions are unique across the cluster's objects."""

    def __init__(self, cluster: Holder, kind: Kind) -> None:
        self.cluster, self.kind = cluster, kind
        self.objects: dict[tuple[str, str], Object] = {}
        self.snapshots = Snapshots()

    def get(self, namespace: str, name: str) -> Object:
        # A missing namespace is reported as a missing object, as the API server does.
        found = self.objects.get((namespace, name))
        if found is None:
            raise KubeError(
                404, f'{self.kind.qualified} "{name}" not found', details=self.kind.details(name)
            )
        return found

    def list(self, namespace: str, selector: str, limit: int, cont: str) -> Object:
        def current() -> tuple[int, list[tuple[str, Object]]]:
            entries = sorted((f"{ns}/{name}", o) for (ns, name), o in self.objects.items())
            return self.cluster.revision, entries

        page = list_page(
            current, self.snapshots, self.cluster.policy, namespace, selector, limit, cont
        )
        return {**page, "kind": self.kind.list_kind, "apiVersion": self.kind.api_version}

    def create(self, namespace: str, body: Any) -> Object:
        self.cluster.get_namespace(namespace)
        created = self.kind.validate(body, namespace)
        meta = created["metadata"]
        name = meta["name"]
        if (namespace, name) in self.objects:
            raise KubeError(
                409,
                f'{self.kind.qualified} "{name}" already exists',
                details=self.kind.details(name),
            )
        meta.pop("generation", None)
        meta.update(
            uid=str(uuid.uuid4()),
            creationTimestamp=self.cluster.timestamp(),
            resourceVersion=self.cluster.next_version(),
        )
        if self.kind.generation:
            meta["generation"] = 1
        self.objects[(namespace, name)] = created
        return created

    def replace(self, namespace: str, name: str, body: Any) -> Object:
        current = self.get(namespace, name)
        return self._update(current, self.kind.validate(body, namespace))

    def patch(self, namespace: str, name: str, patch: Any, content_type: str) -> Object:
        current = self.get(namespace, name)
        if content_type not in self.kind.patch_types:
            raise KubeError(
                415,
                "the body of the request was in an unknown format - accepted media types "
                f"include: {', '.join(self.kind.patch_types)}",
            )
        if not isinstance(patch, dict):
            raise KubeError(400, "a merge patch must be a JSON object")
        merged = merge_patch(copy.deepcopy(current), patch)
        return self._update(current, self.kind.validate(merged, namespace))

    def _update(self, current: Object, updated: Object) -> Object:
        meta, old = updated["metadata"], current["metadata"]
        name = old["name"]
        if meta["name"] != name:
            raise KubeError(
                400,
                f"the name of the object ({meta['name']}) does not match the name on the URL "
                f"({name})",
            )
        if meta.get("resourceVersion") not in (None, "", old["resourceVersion"]):
            raise self._conflict(
                name,
                "the object has been modified; please apply your changes to the latest "
                "version and try again",
            )
        kept = ("uid", "creationTimestamp", "resourceVersion", "generation")
        meta.update({k: old[k] for k in kept if k in old})
        if self.kind.same(updated, current):
            return current
        if self.kind.generation and _spec_of(updated) != _spec_of(current):
            meta["generation"] = old["generation"] + 1
        meta["resourceVersion"] = self.cluster.next_version()
        self.objects[(old["namespace"], name)] = updated
        return updated

    def delete(self, namespace: str, name: str, options: Any) -> Object:
        current = self.get(namespace, name)
        preconditions = (options or {}).get("preconditions") or {}
        for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            wanted, actual = preconditions.get(field), current["metadata"][field]
            if wanted is not None and wanted != actual:
                raise self._conflict(
                    name,
                    f"Precondition failed: {label} in precondition: {wanted}, "
                    f"{label} in object meta: {actual}",
                )
        del self.objects[(namespace, name)]
        self.cluster.next_version()
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {**self.kind.details(name), "uid": current["metadata"]["uid"]},
        }

    def _conflict(self, name: str, why: str) -> KubeError:
        return KubeError(
            409,
            f'Operation cannot be fulfilled on {self.kind.qualified} "{name}": {why}',
            reason="Conflict",
            details=self.kind.details(name),
        )


def _spec_of(found: Object) -> Object:
    return {k: v for k, v in found.items() if k != "metadata"}
