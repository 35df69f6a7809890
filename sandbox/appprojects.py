"""One cluster's Argo CD AppProjects (argoproj.io/v1alpha1, a custom resource): create, get,
list, merge patch, replace and delete, with the API server's optimistic concurrency.

Semantics are those of any Kubernetes object (API conventions, "Concurrency Control and
Consistency"): a write whose `metadata.resourceVersion` is not the current one, or a delete
whose `preconditions` do not hold, is 409 Conflict; a write that changes nothing keeps the
resourceVersion. `metadata.generation` starts at 1 and grows with every change outside
`metadata`, as for a custom resource without a status subresource (Kubernetes docs,
"Extend the Kubernetes API with CustomResourceDefinitions", Status subresource). Lists share
the Secret lists' selector and chunking rules (`kubelists`). What a valid AppProject is lives
in `appprojectschema`.
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

from sandbox.appprojectschema import API_VERSION, validated_appproject
from sandbox.kubeapi import KubeError, merge_patch
from sandbox.kubelists import Snapshots, list_page

if TYPE_CHECKING:  # the cluster owns its AppProjects: import its type for annotations only
    from sandbox.kube import Cluster

MERGE_PATCH = "application/merge-patch+json"
_DETAILS = {"group": "argoproj.io", "kind": "appprojects"}
_SERVER_FIELDS = ("uid", "creationTimestamp", "resourceVersion", "generation")


def _not_found(name: str) -> KubeError:
    message = f'appprojects.argoproj.io "{name}" not found'
    return KubeError(404, message, details={"name": name, **_DETAILS})


def _conflict(name: str, why: str) -> KubeError:
    message = f'Operation cannot be fulfilled on appprojects.argoproj.io "{name}": {why}'
    return KubeError(409, message, reason="Conflict", details={"name": name, **_DETAILS})


class AppProjects:
    """AppProjects by (namespace, name); the cluster's lock guards them, its revision versions
    them, so resourceVersions are unique across the cluster's objects."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.snapshots = Snapshots()

    def get(self, namespace: str, name: str) -> dict[str, Any]:
        found = self.objects.get((namespace, name))
        if found is None:
            raise _not_found(name)
        return found

    def list(self, namespace: str, selector: str, limit: int, cont: str) -> dict[str, Any]:
        def current() -> tuple[int, list[tuple[str, dict[str, Any]]]]:
            entries = sorted((f"{ns}/{name}", p) for (ns, name), p in self.objects.items())
            return self.cluster.revision, entries

        page = list_page(
            current, self.snapshots, self.cluster.policy, namespace, selector, limit, cont
        )
        return {**page, "kind": "AppProjectList", "apiVersion": API_VERSION}

    def create(self, namespace: str, body: Any) -> dict[str, Any]:
        self.cluster.get_namespace(namespace)
        project = validated_appproject(body, namespace)
        meta = project["metadata"]
        name = meta["name"]
        if (namespace, name) in self.objects:
            message = f'appprojects.argoproj.io "{name}" already exists'
            raise KubeError(409, message, details={"name": name, **_DETAILS})
        for field in _SERVER_FIELDS:
            meta.pop(field, None)
        meta.update(
            uid=str(uuid.uuid4()),
            creationTimestamp=self.cluster.timestamp(),
            resourceVersion=self.cluster.next_version(),
            generation=1,
        )
        self.objects[(namespace, name)] = project
        return project

    def patch(self, namespace: str, name: str, patch: Any, content_type: str) -> dict[str, Any]:
        current = self.get(namespace, name)
        if content_type != MERGE_PATCH:
            # Custom resources take no strategic merge patch; JSON patch is not served here.
            raise KubeError(
                415,
                "the body of the request was in an unknown format - "
                f"accepted media types include: {MERGE_PATCH}",
            )
        if not isinstance(patch, dict):
            raise KubeError(400, "a merge patch must be a JSON object")
        merged = merge_patch(copy.deepcopy(current), patch)
        return self._update(current, validated_appproject(merged, namespace))

    def replace(self, namespace: str, name: str, body: Any) -> dict[str, Any]:
        current = self.get(namespace, name)
        return self._update(current, validated_appproject(body, namespace))

    def _update(self, current: dict[str, Any], project: dict[str, Any]) -> dict[str, Any]:
        meta, old = project["metadata"], current["metadata"]
        name = old["name"]
        if meta["name"] != name:
            raise KubeError(
                400,
                f"the name of the object ({meta['name']}) does not match the name on the URL "
                f"({name})",
            )
        if meta.get("resourceVersion") not in (None, "", old["resourceVersion"]):
            raise _conflict(
                name,
                "the object has been modified; please apply your changes to the latest "
                "version and try again",
            )
        for field in _SERVER_FIELDS:
            meta[field] = old[field]
        if project == current:
            return current
        if _without_metadata(project) != _without_metadata(current):
            meta["generation"] = old["generation"] + 1
        meta["resourceVersion"] = self.cluster.next_version()
        self.objects[(old["namespace"], name)] = project
        return project

    def delete(self, namespace: str, name: str, options: Any) -> dict[str, Any]:
        current = self.get(namespace, name)
        preconditions = (options or {}).get("preconditions") or {}
        for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            wanted, actual = preconditions.get(field), current["metadata"][field]
            if wanted is not None and wanted != actual:
                raise _conflict(
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
            "details": {"name": name, **_DETAILS, "uid": current["metadata"]["uid"]},
        }


def _without_metadata(project: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in project.items() if k != "metadata"}
