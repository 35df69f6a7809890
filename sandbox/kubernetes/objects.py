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
import json
import uuid
from typing import Any, Protocol

from sandbox.kubernetes.conventions import KubeError, merge_patch, strategic_merge_patch
from sandbox.kubernetes.fieldvalidation import StrictDecodingError, patch_refusal
from sandbox.kubernetes.kinds import STRATEGIC_MERGE_PATCH, Kind, Object
from sandbox.kubernetes.lists import ListPolicy, Snapshots, list_page
from sandbox.kubernetes.names import with_generated_name


class Holder(Protocol):
    """What objects need of the cluster that holds them (`kube.Cluster`)."""

    revision: int  # the cluster's latest resourceVersion
    policy: ListPolicy

    def next_version(self) -> str: ...

    def timestamp(self) -> str: ...

    def get_namespace(self, name: str) -> Object: ...


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

    def list(
        self, namespace: str, selector: str, limit: int, cont: str, fields: str = ""
    ) -> Object:
        def current() -> tuple[int, list[tuple[str, Object]]]:
            entries = sorted((f"{ns}/{name}", o) for (ns, name), o in self.objects.items())
            return self.cluster.revision, entries

        page = list_page(
            current, self.snapshots, self.cluster.policy, namespace, selector, limit, cont, fields
        )
        return {**page, "kind": self.kind.list_kind, "apiVersion": self.kind.api_version}

    def create(self, namespace: str, body: Any) -> Object:
        self.cluster.get_namespace(namespace)
        created = self.kind.validate(with_generated_name(body), namespace)
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
        self.objects[(namespace, name)] = _storable(created)
        return created

    def replace(self, namespace: str, name: str, body: Any) -> Object:
        current = self.get(namespace, name)
        self.require_version(current, body)
        return self._update(current, self.kind.validate(body, namespace))

    def require_version(self, current: Object, body: Any) -> None:
        """A custom resource's PUT needs a `resourceVersion`: `AllowUnconditionalUpdate` is
        false for custom resources (apiextensions-apiserver `customresource/strategy.go`), so
        apiserver `registry/generic/registry/store.go` `Update` answers 422. The kinds served
        with a `generation` are the custom resources."""
        meta = body.get("metadata") if isinstance(body, dict) else None
        if not self.kind.generation or not isinstance(meta, dict) or meta.get("resourceVersion"):
            return
        name = current["metadata"]["name"]
        raise KubeError(
            422,
            f'{self.kind.qualified} "{name}" is invalid: metadata.resourceVersion: Invalid '
            "value: 0x0: must be specified for an update",
            details={**self.kind.details(name), "causes": [{
                "reason": "FieldValueInvalid", "field": "metadata.resourceVersion",
                "message": "Invalid value: 0x0: must be specified for an update",
            }]},
        )  # fmt: skip

    def check_patch(self, patch: Any, content_type: str) -> None:
        """A patch type the kind takes (415 otherwise), and a body that is an object."""
        if content_type not in self.kind.patch_types:
            raise KubeError(
                415,
                "the body of the request was in an unknown format - accepted media types "
                f"include: {', '.join(self.kind.patch_types)}",
            )
        if not isinstance(patch, dict):
            raise KubeError(400, "a merge patch must be a JSON object")

    def patch(self, namespace: str, name: str, patch: Any, content_type: str) -> Object:
        current = self.get(namespace, name)
        self.check_patch(patch, content_type)
        strategic = content_type == STRATEGIC_MERGE_PATCH
        merged = (strategic_merge_patch if strategic else merge_patch)(
            copy.deepcopy(current), patch
        )
        try:
            updated = self.kind.validate(merged, namespace)
        except StrictDecodingError as err:
            raise patch_refusal(err, patch if strategic else merged, strategic) from None
        return self._update(current, updated)

    def _update(self, current: Object, updated: Object, bump: bool = True) -> Object:
        """Store `updated` over `current`; `bump=False` (a status write) keeps the generation."""
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
        if self.kind.check_update is not None:
            self.kind.check_update(updated, current)
        kept = ("uid", "creationTimestamp", "resourceVersion", "generation")
        meta.update({k: old[k] for k in kept if k in old})
        if self.kind.same(updated, current):
            return current
        if bump and self.kind.generation and _spec_of(updated) != _spec_of(current):
            meta["generation"] = old["generation"] + 1
        meta["resourceVersion"] = self.cluster.next_version()
        self.objects[(old["namespace"], name)] = _storable(updated)
        return updated

    def delete(self, namespace: str, name: str, options: Any) -> Object:
        current = self.get(namespace, name)
        preconditions = (options or {}).get("preconditions") or {}
        # apiserver `registry/rest/delete.go` BeforeDelete, which runs before the store and
        # names the kind rather than the resource (`GroupResource{Group, Resource: gvk.Kind}`).
        checks = (
            ("uid", "UID", "deleted and then recreated"),
            ("resourceVersion", "ResourceVersion", "modified"),
        )
        for field, label, since in checks:
            wanted, actual = preconditions.get(field), current["metadata"][field]
            if wanted is not None and wanted != actual:
                kind = self.kind.list_kind.removesuffix("List")
                raise KubeError(
                    409,
                    f"Operation cannot be fulfilled on "
                    f'{f"{kind}.{self.kind.group}" if self.kind.group else kind} "{name}": the '
                    f"{label} in the precondition ({wanted}) does not match the {label} in "
                    f"record ({actual}). The object might have been {since}",
                    reason="Conflict",
                    details={**self.kind.details(name), "kind": kind},
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


# etcd refuses a value over its --max-request-bytes, 1.5 MiB by default
# (https://etcd.io/docs/v3.5/dev-guide/limit/); kube-apiserver passes that on as a 500
# InternalError "etcdserver: request is too large".
ETCD_MAX_REQUEST_BYTES = 1_572_864


def _storable(obj: Object) -> Object:
    if len(json.dumps(obj, separators=(",", ":")).encode()) > ETCD_MAX_REQUEST_BYTES:
        raise KubeError(500, "etcdserver: request is too large")
    return obj
