"""API discovery for what a member cluster serves, so kubectl and client-go can map a resource
to its URL: `/api`, `/api/v1`, `/apis`, `/apis/{group}/{version}` and `/version`.

Shapes from the Kubernetes API reference (meta/v1 APIVersions, APIGroupList, APIResourceList)
and KEP-3352 "Aggregated Discovery": a client that asks for
`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList` (kubectl 1.30 and later;
1.27-1.29 ask for `v2beta1`, the same shape) gets every group in one answer, with that media
type in Content-Type; any other client gets the legacy documents, which is also what makes a
client that asked for both fall back. One table below is the source for both forms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.kubernetes.conventions import KubeError, ok

_WRITE = ("create", "delete", "get", "list", "patch", "update")
# The server's version as GKE reports it (`gitVersion` carries the `-gke.N` build).
VERSION = {
    "major": "1",
    "minor": "33",
    "gitVersion": "v1.33.5-gke.1201000",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-10-01T00:00:00Z",
    "goVersion": "go1.24.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}


@dataclass(frozen=True)
class Served:
    """One resource the cluster serves, as discovery names it."""

    group: str  # "" for the core API
    version: str
    resource: str
    kind: str
    singular: str
    verbs: tuple[str, ...]
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()  # each served with get, patch and update


SERVED = (
    Served(
        "", "v1", "namespaces", "Namespace", "namespace", ("create", "get", "list"), False, ("ns",)
    ),
    Served("", "v1", "secrets", "Secret", "secret", _WRITE),
    # Only listed, empty: `kubectl describe` reads an object's events after it.
    Served("", "v1", "events", "Event", "event", ("list",), short_names=("ev",)),
    Served(
        "argoproj.io",
        "v1alpha1",
        "appprojects",
        "AppProject",
        "appproject",
        _WRITE,
        short_names=("appproj", "appprojs"),
    ),
    Served("coordination.k8s.io", "v1", "leases", "Lease", "lease", _WRITE),
    Served(
        "multicluster.x-k8s.io",
        "v1alpha1",
        "clusterprofiles",
        "ClusterProfile",
        "clusterprofile",
        _WRITE,
        subresources=("status",),
    ),
)
_SUBRESOURCE_VERBS = ["get", "patch", "update"]
_AGGREGATED = "application/json;g=apidiscovery.k8s.io;v={v};as=APIGroupDiscoveryList"


def serve_discovery(request: Request, path: str) -> Response | None:
    """The discovery document at `path`, or None when `path` is not a discovery path."""
    path = path.rstrip("/") or "/"
    if path == "/version":
        return ok(VERSION)
    if path in ("/api", "/apis"):
        return _root(request, core=path == "/api")
    for group, version in _group_versions():
        prefix = f"/apis/{group}" if group else "/api"
        if path == f"{prefix}/{version}":
            return ok(_resource_list(group, version))
        if group and path == prefix:
            return ok({"kind": "APIGroup", "apiVersion": "v1", **_group(group)})
    if path.startswith("/apis/") and path.count("/") <= 3:
        raise KubeError(404, "the server could not find the requested resource")
    return None


def _root(request: Request, core: bool) -> Response:
    """`/api` or `/apis`: aggregated when the client asks for it, else the legacy list."""
    accept = request.headers.get("Accept", "")
    for version in ("v2", "v2beta1"):
        if _AGGREGATED.format(v=version) in accept:
            return _aggregated(core, version)
    if core:
        return ok({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
    return ok({"kind": "APIGroupList", "apiVersion": "v1", "groups": _groups()})


def _group_versions() -> list[tuple[str, str]]:
    return sorted({(s.group, s.version) for s in SERVED})


def _group(group: str) -> dict[str, Any]:
    versions = [
        {"groupVersion": f"{group}/{v}", "version": v} for g, v in _group_versions() if g == group
    ]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def _groups() -> list[dict[str, Any]]:
    return [_group(g) for g in sorted({s.group for s in SERVED if s.group})]


def _resource_list(group: str, version: str) -> dict[str, Any]:
    resources = [
        {
            "name": s.resource,
            "singularName": s.singular,
            "namespaced": s.namespaced,
            "kind": s.kind,
            "verbs": list(s.verbs),
            **({"shortNames": list(s.short_names)} if s.short_names else {}),
        }
        for s in SERVED
        if (s.group, s.version) == (group, version)
    ]
    resources += [  # as a CRD's subresources are listed: `clusterprofiles/status`
        {"name": f"{s.resource}/{sub}", "singularName": "", "namespaced": s.namespaced,
         "kind": s.kind, "verbs": _SUBRESOURCE_VERBS}
        for s in SERVED if (s.group, s.version) == (group, version) for sub in s.subresources
    ]  # fmt: skip
    group_version = f"{group}/{version}" if group else version
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }


def _subresources(s: Served) -> dict[str, Any]:
    """Aggregated discovery's `subresources` (KEP-3352 `APISubresourceDiscovery`)."""
    if not s.subresources:
        return {}
    kind = {"group": s.group, "version": s.version, "kind": s.kind}
    return {
        "subresources": [
            {"subresource": sub, "responseKind": kind, "verbs": _SUBRESOURCE_VERBS}
            for sub in s.subresources
        ]
    }


def _aggregated(core: bool, discovery_version: str) -> Response:
    items = []
    for group in sorted({s.group for s in SERVED if (s.group == "") == core}):
        versions = [
            {
                "version": version,
                "resources": [
                    {
                        "resource": s.resource,
                        "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
                        "scope": "Namespaced" if s.namespaced else "Cluster",
                        "singularResource": s.singular,
                        "verbs": list(s.verbs),
                        **({"shortNames": list(s.short_names)} if s.short_names else {}),
                        **_subresources(s),
                    }
                    for s in SERVED
                    if (s.group, s.version) == (group, version)
                ],
                "freshness": "Current",
            }
            for g, version in _group_versions()
            if g == group
        ]
        items.append({"metadata": {"name": group}, "versions": versions})
    body = {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{discovery_version}",
        "metadata": {},
        "items": items,
    }
    return Response(
        json.dumps(body), mimetype=None, content_type=_AGGREGATED.format(v=discovery_version)
    )
