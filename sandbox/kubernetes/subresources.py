"""Objects of a custom resource with a status subresource: the object's writes ignore
`status`, `/status`'s writes change nothing else and never `generation`.

Kubernetes docs, "Extend the Kubernetes API with CustomResourceDefinitions", Status
subresource: "PUT requests to the /status subresource take a custom resource object and
ignore changes to anything except the status stanza"; "PUT/POST/PATCH requests to the custom
resource ignore changes to the status stanza"; "The .metadata.generation value is incremented
for all changes, except for changes to .metadata or .status". Both take the
`resourceVersion` precondition, and a custom resource's PUT needs one: `AllowUnconditionalUpdate`
is false for custom resources (apiextensions-apiserver `customresource/strategy.go`), so
apiserver `registry/generic/registry/store.go` `Update` answers 422 `metadata.resourceVersion:
Invalid value: 0x0: must be specified for an update`, the Invalid naming the resource.
What each write keeps is the kind's (`clusterprofiles`). Requests reach a subresource as
apiextensions-apiserver `customresource_handler.go` routes them once RBAC allowed them: one the
CRD does not declare is the object's 404 (`ServeHTTP`), a verb `/status` lacks (`serveStatus`:
get, update, patch) a 405 `NewMethodNotSupported`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sandbox.kubernetes.conventions import KubeError, merge_patch
from sandbox.kubernetes.kinds import Kind, Object
from sandbox.kubernetes.objects import Holder, Objects

# (body, namespace of the URL, the stored object) -> the object to store, or the error
Update = Callable[[Any, str, Object], Object]


def check_subresource(kind: Kind, verb: str, name: str, sub: str) -> None:
    """After RBAC, as the custom resource handler routes: a subresource the CRD lacks is the
    object's 404, a verb `/status` lacks a 405 naming the resource (`NewMethodNotSupported`)."""
    if sub and sub != "status":
        raise KubeError(404, f'{kind.qualified} "{name}" not found', details=kind.details(name))
    if sub and verb not in ("get", "update", "patch"):
        message = f'{verb} is not supported on resources of kind "{kind.qualified}"'
        details = {"group": kind.group, "kind": kind.resource}
        raise KubeError(405, message, details=details)


class StatusObjects(Objects):
    """`Objects` whose kind has `/status`: `update` builds an object write, `status` a status
    write, each from the request body and the stored object."""

    def __init__(self, cluster: Holder, kind: Kind, update: Update, status: Update) -> None:
        super().__init__(cluster, kind)
        self.writes = {"": update, "status": status}

    def replace(self, namespace: str, name: str, body: Any, subresource: str = "") -> Object:
        current = self.get(namespace, name)
        self._preconditions(current, body, put=True)
        updated = self.writes[subresource](body, namespace, current)
        return self._update(current, updated, bump=not subresource)

    def patch(
        self, namespace: str, name: str, patch: Any, content_type: str, subresource: str = ""
    ) -> Object:
        current = self.get(namespace, name)
        self.check_patch(patch, content_type)
        merged = merge_patch(copy.deepcopy(current), patch)
        self._preconditions(current, merged, put=False)
        updated = self.writes[subresource](merged, namespace, current)
        return self._update(current, updated, bump=not subresource)

    def _preconditions(self, current: Object, body: Any, put: bool) -> None:
        """The URL's name and the `resourceVersion`, checked before the body is validated."""
        meta = body.get("metadata") if isinstance(body, dict) else None
        if not isinstance(meta, dict):
            return  # the kind's validation answers for a body without metadata
        name = current["metadata"]["name"]
        if meta.get("name") != name:
            raise KubeError(
                400,
                f"the name of the object ({meta.get('name')}) does not match the name on the "
                f"URL ({name})",
            )
        version = meta.get("resourceVersion")
        if put:
            self.require_version(current, body)
        if version not in (None, "", current["metadata"]["resourceVersion"]):
            raise self._conflict(
                name,
                "the object has been modified; please apply your changes to the latest "
                "version and try again",
            )
