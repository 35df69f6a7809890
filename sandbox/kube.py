"""One fleet cluster's Kubernetes API: namespaces and Secrets, with RBAC per identity.

Status codes and `Status` bodies are those of the real API server, so the official client
raises the same `ApiException`s it would in production.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import json
import re
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from fleetsync.errors import PermanentError
from fleetsync.labels import is_dns_subdomain, is_label_key, is_label_value, parse_selector

WILDCARD = "*"
_DATA_KEY_RE = re.compile(r"^[-._a-zA-Z0-9]+$")
_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "AlreadyExists",
    415: "UnsupportedMediaType",
    422: "Invalid",
}
_MERGE_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json")


class KubeError(Exception):
    def __init__(self, code: int, message: str, reason: str = "", details: Any = None) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.reason = reason or _REASONS.get(code, "InternalError")
        self.details = details


def status_response(err: KubeError) -> Response:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": err.message,
        "reason": err.reason,
        "code": err.code,
    }
    if err.details is not None:
        body["details"] = err.details
    return Response(json.dumps(body), status=err.code, mimetype="application/json")


def _ok(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


@dataclass(frozen=True)
class Rule:
    """Allows `identity` the `verbs` on `resource`, in `namespace` (or everywhere: "*")."""

    identity: str
    verbs: frozenset[str]
    resource: str
    namespace: str = WILDCARD

    def allows(self, identity: str, verb: str, resource: str, namespace: str) -> bool:
        return (
            self.identity in (identity, WILDCARD)
            and (verb in self.verbs or WILDCARD in self.verbs)
            and self.resource in (resource, WILDCARD)
            and self.namespace in (namespace, WILDCARD)
        )


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Cluster:
    """The objects of one cluster. Thread-safe; every write bumps `resourceVersion`."""

    def __init__(self, name: str, namespaces: Iterable[str], rules: Iterable[Rule]) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.revision = 1
        self.namespaces = {
            ns: self._namespace(ns) for ns in ("default", "kube-system", *namespaces)
        }
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.rules = list(rules)

    def _next_version(self) -> str:
        self.revision += 1
        return str(self.revision)

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

    def authorize(self, identity: str, verb: str, resource: str, namespace: str, name: str) -> None:
        if any(r.allows(identity, verb, resource, namespace) for r in self.rules):
            return
        subject = f'{resource} "{name}"' if name else resource
        where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
        message = (
            f'{subject} is forbidden: User "{identity}" cannot {verb} resource "{resource}" '
            f'in API group "" {where}'
        )
        details = {"name": name, "kind": resource} if name else {"kind": resource}
        raise KubeError(403, message, details=details)

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
        self.get_namespace(namespace)
        found = self.secrets.get((namespace, name))
        if found is None:
            raise KubeError(
                404, f'secrets "{name}" not found', details={"name": name, "kind": "secrets"}
            )
        return found

    def list_secrets(self, namespace: str, selector: str, limit: int, cont: str) -> dict[str, Any]:
        try:
            parsed = parse_selector(selector)
        except PermanentError as err:
            raise KubeError(400, f"unable to parse requirement: {err}") from None
        if namespace:
            self.get_namespace(namespace)
        items = [
            s
            for (ns, _), s in sorted(self.secrets.items())
            if (not namespace or ns == namespace)
            and parsed.matches(s["metadata"].get("labels", {}))
        ]
        start = int(cont) if cont.isdigit() else 0
        end = start + limit if limit > 0 else len(items)
        metadata: dict[str, Any] = {"resourceVersion": str(self.revision)}
        if end < len(items):
            metadata["continue"] = str(end)
            metadata["remainingItemCount"] = len(items) - end
        return {
            "kind": "SecretList",
            "apiVersion": "v1",
            "metadata": metadata,
            "items": items[start:end],
        }

    def create_secret(self, namespace: str, body: Any) -> dict[str, Any]:
        self.get_namespace(namespace)
        secret = _validated_secret(body, namespace)
        name = secret["metadata"]["name"]
        if (namespace, name) in self.secrets:
            raise KubeError(
                409, f'secrets "{name}" already exists', details={"name": name, "kind": "secrets"}
            )
        meta = secret["metadata"]
        meta.update(
            uid=str(uuid.uuid4()), creationTimestamp=_now(), resourceVersion=self._next_version()
        )
        self.secrets[(namespace, name)] = secret
        return secret

    def replace_secret(self, namespace: str, name: str, body: Any) -> dict[str, Any]:
        current = self.get_secret(namespace, name)
        secret = _validated_secret(body, namespace)
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
        merged = _merge_patch(copy.deepcopy(current), patch)
        return self._store_update(current, _validated_secret(merged, namespace))

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
            resourceVersion=self._next_version(),
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


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = _merge_patch(target.get(key), value)
    return target


def _invalid(name: str, field: str, value: Any, detail: str) -> KubeError:
    message = f'Secret "{name}" is invalid: {field}: Invalid value: {json.dumps(value)}: {detail}'
    cause = {
        "reason": "FieldValueInvalid",
        "message": f"Invalid value: {json.dumps(value)}: {detail}",
        "field": field,
    }
    return KubeError(422, message, details={"name": name, "kind": "Secret", "causes": [cause]})


def _validated_secret(body: Any, namespace: str) -> dict[str, Any]:
    """A stored Secret built from a request body, or the API server's error for it."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
        raise KubeError(
            400, 'Secret in version "v1" cannot be handled as a Secret: metadata is missing'
        )
    if body.get("kind", "Secret") != "Secret":
        raise KubeError(400, f"the kind of the object ({body.get('kind')}) is not Secret")
    meta = _validated_metadata(dict(body["metadata"]), namespace)
    name = meta["name"]
    data = _decoded_data(name, body.get("data") or {})
    for key, value in (body.get("stringData") or {}).items():
        data[key] = str(value).encode()
    for key in data:
        if not _DATA_KEY_RE.match(key):
            raise _invalid(
                name,
                f"data[{key}]",
                key,
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            )
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": meta,
        "type": body.get("type") or "Opaque",
        "data": {k: base64.b64encode(v).decode() for k, v in sorted(data.items())},
    }


def _validated_metadata(meta: dict[str, Any], namespace: str) -> dict[str, Any]:
    name = meta.get("name")
    if meta.get("namespace", namespace) != namespace:
        raise KubeError(
            400,
            "the namespace of the provided object does not match the namespace sent on the request",
        )
    if not isinstance(name, str) or not name:
        raise KubeError(
            422,
            'Secret "" is invalid: metadata.name: Required value: name or generateName is required',
            details={"kind": "Secret"},
        )
    if not is_dns_subdomain(name):
        raise _invalid(
            name,
            "metadata.name",
            name,
            "a lowercase RFC 1123 subdomain must consist "
            "of lower case alphanumeric characters, '-' or '.', and must start and end "
            "with an alphanumeric character",
        )
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    for key, value in labels.items():
        if not is_label_key(key) or not isinstance(value, str) or not is_label_value(value):
            raise _invalid(
                name,
                "metadata.labels",
                {key: value},
                "a valid label must be an "
                "empty string or consist of alphanumeric characters, '-', '_' or '.'",
            )
    for key, value in annotations.items():
        if not is_label_key(key) or not isinstance(value, str):
            raise _invalid(
                name,
                "metadata.annotations",
                key,
                "name part must consist of alphanumeric characters, '-', '_' or '.'",
            )
    meta.update(name=name, namespace=namespace, labels=labels, annotations=annotations)
    return {k: v for k, v in meta.items() if v not in ({}, None)}


def _decoded_data(name: str, data: Any) -> dict[str, bytes]:
    if not isinstance(data, dict):
        raise _invalid(name, "data", data, "must be a map of strings")
    decoded = {}
    for key, value in data.items():
        try:
            decoded[key] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(name, f"data[{key}]", "<value>", "illegal base64 data") from None
    return decoded
