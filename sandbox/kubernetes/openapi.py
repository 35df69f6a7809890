"""The OpenAPI documents kubectl reads before `apply`, for what the cluster serves.

kubectl looks there for the PATCH operation tagged with the object's
`x-kubernetes-group-version-kind` and a `fieldValidation` query parameter: finding it, it leaves
validation to the server (`fieldValidation=Strict`) instead of validating against schemas it
downloads (Kubernetes docs, "Server Side Field Validation"; KEP-2885; cli-runtime
`resource/query_param_verifier.go`). kubectl 1.28 and later read `/openapi/v3` (an index of
group-versions, then one group-version's document); 1.27 reads `/openapi/v2` as protobuf
(`openapi_v2.py`). The paths and parameters follow the API server's published documents
(`/openapi/v3/api/v1`); the schemas of the objects themselves are not served, so
`kubectl explain` has nothing to show.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sandbox.kubernetes.discovery import SERVED, Served

QUERY = ("dryRun", "fieldManager", "fieldValidation", "pretty")
# The object verbs the documents describe, and the HTTP method of each.
OPERATIONS = {"get": "get", "update": "put", "patch": "patch", "delete": "delete"}
INFO = {"title": "Kubernetes", "version": "v1.33.5"}


def root(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def operations(served: Served) -> Iterator[tuple[str, str, str]]:
    """(item path, HTTP method, verb) of each object operation the cluster serves."""
    where = "/namespaces/{namespace}" if served.namespaced else ""
    item = f"/{root(served.group, served.version)}{where}/{served.resource}/{{name}}"
    for verb, method in OPERATIONS.items():
        if verb in served.verbs:
            yield item, method, verb


def gvk(served: Served) -> dict[str, str]:
    return {"group": served.group, "version": served.version, "kind": served.kind}


def paths(resources: Iterable[Served], parameter: Callable[[str], Any]) -> dict[str, Any]:
    """Each object path's operations; `parameter` writes one query parameter as the
    document's OpenAPI version does."""
    found: dict[str, Any] = {}
    for served in resources:
        for item, method, verb in operations(served):
            found.setdefault(item, {})[method] = {
                "operationId": f"{verb}{served.kind}",
                "parameters": [parameter(name) for name in QUERY],
                "responses": {"200": {"description": "OK"}},
                "x-kubernetes-action": verb,
                "x-kubernetes-group-version-kind": gvk(served),
            }
    return found


def _v3_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}


@functools.cache  # the documents are static: built once, served many times
def _document(group: str, version: str) -> dict[str, Any]:
    served = [s for s in SERVED if (s.group, s.version) == (group, version)]
    return {
        "openapi": "3.0.0",
        "info": INFO,
        "paths": paths(served, _v3_parameter),
        "components": {"schemas": {}},
    }


def serve_openapi(path: str) -> dict[str, Any] | None:
    """The v3 document at `path` (`/openapi/v3` or one group-version's), or None."""
    if path.rstrip("/") == "/openapi/v3":
        return _index()
    for group, version in _VERSIONS:
        if path.rstrip("/") == f"/openapi/v3/{root(group, version)}":
            return _document(group, version)
    return None


_VERSIONS = sorted({(s.group, s.version) for s in SERVED})


@functools.cache
def _index() -> dict[str, Any]:
    """Each group-version's document, named with the hash of its content (as kube-openapi's
    index does, so a client may cache it)."""
    index = {}
    for group, version in _VERSIONS:
        text = json.dumps(_document(group, version), sort_keys=True)
        digest = hashlib.sha512(text.encode()).hexdigest()[:32].upper()
        index[root(group, version)] = {
            "serverRelativeURL": f"/openapi/v3/{root(group, version)}?hash={digest}"
        }
    return {"paths": index}
