"""A member cluster's Kubernetes API behind Connect Gateway: which path reaches which object,
the verb RBAC checks, and the request body.

Served: namespaces (get, list, create), Secrets (`/api/v1/namespaces/{ns}/secrets`), Argo CD
AppProjects (`/apis/argoproj.io/v1alpha1/namespaces/{ns}/appprojects`, as the official
client's CustomObjectsApi calls them), ClusterProfiles
(`/apis/multicluster.x-k8s.io/v1alpha1/namespaces/{ns}/clusterprofiles[/{name}[/status]]`,
`/status` an RBAC resource of its own: get, update and patch only) and Leases
(`/apis/coordination.k8s.io/v1/namespaces/{ns}/leases`). Objects and their rules live in `objects`.
"""

from __future__ import annotations

import functools
import re

from werkzeug.wrappers import Request, Response

from sandbox.kubernetes.cluster import NAMESPACE_AS, Cluster, namespace_unknown_fields
from sandbox.kubernetes.conventions import KubeError, ok
from sandbox.kubernetes.discovery import serve_discovery
from sandbox.kubernetes.fieldvalidation import (
    duplicate_keys,
    duplicated,
    request_scope,
    unknown_fields,
    warning_headers,
)
from sandbox.kubernetes.objects import Objects
from sandbox.kubernetes.openapi import serve_openapi
from sandbox.kubernetes.openapi_v2 import serve_openapi_v2
from sandbox.kubernetes.protobuf import MEDIA_TYPE, decoded_namespace
from sandbox.kubernetes.subresources import check_subresource
from sandbox.kubernetes.writeoptions import OPTIONS, dry_run_asked, request_body

# `(?:namespaces/{ns}/)?`: a collection without a namespace is every namespace's (`kubectl -A`).
_IN = r"(?:/namespaces/(?P<ns>[^/]+))?"
_EVENTS = re.compile(rf"^/api/v1{_IN}/events/?$")
_NAMESPACES = re.compile(r"^/api/v1/namespaces(?:/(?P<ns>[^/]+))?/?$")
_VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
_NOT_ALLOWED = "the server does not allow this method on the requested resource"
# Go's encoding/json refuses bodies nested deeper than 10000 levels; Python's decoder and the
# sandbox's schema walk stop near 1000, so the sandbox refuses from there, also as a 400.
_TOO_DEEP = "the body of the request could not be decoded: exceeded max depth"


def serve_kubernetes(cluster: Cluster, identity: str, request: Request, path: str) -> Response:
    """Answer one Kubernetes API call on `cluster`; the caller holds the cluster's lock."""
    verb = _VERBS.get(request.method)
    if verb is None:
        raise KubeError(405, _NOT_ALLOWED)
    if verb == "get" and (document := _document(request, path)) is not None:
        return document
    stores = (cluster.secrets, cluster.appprojects, cluster.leases, cluster.clusterprofiles)
    for store in stores:
        if match := _object_path(store.kind.api_version, store.kind.resource).match(path):
            ns, name, sub = match["ns"] or "", match["name"] or "", match["sub"] or ""
            verb = verb if sub else _collection_verb(verb, name)
            if not ns and verb != "list":
                raise KubeError(404, "the server could not find the requested resource")
            resource = f"{store.kind.resource}/{sub}" if sub else store.kind.resource
            cluster.authorize(identity, verb, resource, ns, name, store.kind.group)
            check_subresource(store.kind, verb, name, sub)
            return _written(store, verb, request, ns, name, sub)
    if (match := _EVENTS.match(path)) and verb == "get":
        cluster.authorize(identity, "list", "events", match["ns"] or "", "")
        return ok({"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": []})
    if match := _NAMESPACES.match(path):
        name = match["ns"] or ""
        if verb == "create" and not name:  # POST /api/v1/namespaces
            cluster.authorize(identity, "create", "namespaces", "", "")
            return _created_namespace(cluster, request)
        if verb != "get":
            raise KubeError(405, _NOT_ALLOWED)
        cluster.authorize(identity, "get" if name else "list", "namespaces", "", name)
        return ok(cluster.get_namespace(name) if name else cluster.list_namespaces())
    raise KubeError(404, "the server could not find the requested resource")


@functools.cache
def _object_path(api_version: str, resource: str) -> re.Pattern[str]:
    """A kind's collection, object and subresource paths, from the kind's own table entry:
    `/api/v1` for the core group, `/apis/{group}/{version}` for the others."""
    root = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
    return re.compile(
        rf"^{re.escape(root)}{_IN}/{resource}(?:/(?P<name>[^/]+)(?:/(?P<sub>[^/]+))?)?/?$"
    )


def _document(request: Request, path: str) -> Response | None:
    """Discovery or OpenAPI, open to every authenticated caller (as `system:discovery`)."""
    if (found := serve_discovery(request, path)) is not None:
        return found
    if (document := serve_openapi(path)) is not None:
        return ok(document)
    if path.rstrip("/") == "/openapi/v2":
        return serve_openapi_v2(request)
    return None


def _collection_verb(verb: str, name: str) -> str:
    """The RBAC verb: GET on a collection is `list`; only POST creates, and only there."""
    if not name:
        verb = {"get": "list", "create": "create"}.get(verb, "")
        if not verb:
            raise KubeError(405, _NOT_ALLOWED)
    elif verb == "create":
        raise KubeError(405, _NOT_ALLOWED)
    return verb


def _list_args(request: Request) -> tuple[str, int, str, str]:
    limit = request.args.get("limit", "0")
    return (
        request.args.get("labelSelector", ""),
        int(limit) if limit.isdigit() else 0,
        request.args.get("continue", ""),
        request.args.get("fieldSelector", ""),
    )


def _objects(
    store: Objects, verb: str, request: Request, ns: str, name: str, sub: str = ""
) -> Response:
    """Carry out an authorized call on objects of one kind; `verb` is the RBAC verb, `sub` a
    subresource (`status`: its GET is the whole object)."""
    subresource = (sub,) if sub else ()
    if verb == "list":
        return ok(store.list(ns, *_list_args(request)))
    if verb == "get":
        return ok(store.get(ns, name))
    if verb == "delete":
        return ok(store.delete(ns, name, request_body(request, allow_empty=True)))
    body = request_body(request)
    if verb == "create":
        return ok(store.create(ns, body), 201)
    if verb == "update":
        return ok(store.replace(ns, name, body, *subresource))
    return ok(store.patch(ns, name, body, request.mimetype, *subresource))


def _written(
    store: Objects, verb: str, request: Request, ns: str, name: str, sub: str = ""
) -> Response:
    """One object call, with its `dryRun` and (writes only) its `fieldValidation` scope; each
    unknown field a `Warn` write dropped is a `Warning` header (RFC 7234 code 299)."""
    try:
        run = _dry_run if dry_run_asked(request, verb) else _objects
        if verb not in ("create", "update", "patch"):
            return run(store, verb, request, ns, name, sub)
        directive = request.args.get("fieldValidation", "")
        with request_scope(directive, OPTIONS[verb]) as warnings:
            duplicated(duplicate_keys(request_body(request)))
            answer = run(store, verb, request, ns, name, sub)
    except RecursionError:
        raise KubeError(400, _TOO_DEEP) from None
    for header in warning_headers(warnings):
        answer.headers.add("Warning", header)
    return answer


def _dry_run(
    store: Objects, verb: str, request: Request, ns: str, name: str, sub: str = ""
) -> Response:
    """`dryRun=All`: the answer the write would get, validation and conflicts included, and
    nothing stored; the cluster's lock is held, so putting the objects back is exact."""
    objects, revision = dict(store.objects), store.cluster.revision
    try:
        return _objects(store, verb, request, ns, name, sub)
    finally:
        store.objects, store.cluster.revision = objects, revision


def _created_namespace(cluster: Cluster, request: Request) -> Response:
    """POST /api/v1/namespaces: JSON (its unknown fields put to `fieldValidation`, as a built-in
    kind's) or protobuf (kubectl 1.33's `create namespace`), and `dryRun`."""
    dry_run = dry_run_asked(request, "create")
    with request_scope(request.args.get("fieldValidation", ""), "CreateOptions") as warnings:
        if request.mimetype == MEDIA_TYPE:
            body = decoded_namespace(request.get_data(cache=True))
        else:
            body = request_body(request)
            duplicated(duplicate_keys(body))
            unknown_fields(NAMESPACE_AS, namespace_unknown_fields(body), built_in=True)
        answer = ok(cluster.create_namespace(body, dry_run), 201)
    for header in warning_headers(warnings):
        answer.headers.add("Warning", header)
    return answer
