"""The five Secret calls the Argo CD adapter makes, through the kubernetes client's ApiClient.

Same names, requests and answers as the client's CoreV1Api, whose import builds every core
model and hundreds of validated methods: most of a cold start, for five calls. The requests
are built with the client's own `param_serialize`, sent with `call_api` and read with
`response_deserialize`, as the generated methods do (kubernetes 37).
"""

from __future__ import annotations

import base64
from typing import Any

from fleetsync.core.model import ClusterSecret

SECRETS_PATH = "/api/v1/namespaces/{namespace}/secrets"
SECRET_PATH = SECRETS_PATH + "/{name}"
# What each answer deserialises to, as CoreV1Api has it; a non-2xx raises ApiException.
ONE_SECRET: dict[str, str | None] = {
    "200": "V1Secret",
    "201": "V1Secret",
    "202": "V1Secret",
    "401": None,
}


class SecretsApi:
    """The Secret calls of the client's CoreV1Api, same names, requests and answers, made
    through its ApiClient: importing CoreV1Api builds every core model (Pods, Nodes, ...)
    and hundreds of validated methods, most of a cold start, for five calls."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def list_namespaced_secret(
        self,
        namespace: str,
        *,
        label_selector: str,
        limit: int,
        _continue: str | None,
        _request_timeout: Any,
    ) -> Any:
        query: list[tuple[str, Any]] = [] if _continue is None else [("continue", _continue)]
        query += [("labelSelector", label_selector), ("limit", limit)]
        return self._call(
            "GET",
            SECRETS_PATH,
            {"namespace": namespace},
            {"200": "V1SecretList", "401": None},
            _request_timeout,
            query=query,
        )

    def read_namespaced_secret(self, name: str, namespace: str, *, _request_timeout: Any) -> Any:
        where = {"name": name, "namespace": namespace}
        return self._call("GET", SECRET_PATH, where, ONE_SECRET, _request_timeout)

    def create_namespaced_secret(self, namespace: str, body: Any, *, _request_timeout: Any) -> Any:
        where = {"namespace": namespace}
        return self._call("POST", SECRETS_PATH, where, ONE_SECRET, _request_timeout, body=body)

    def patch_namespaced_secret(
        self, name: str, namespace: str, body: Any, *, _content_type: str, _request_timeout: Any
    ) -> Any:
        return self._call(
            "PATCH",
            SECRET_PATH,
            {"name": name, "namespace": namespace},
            ONE_SECRET,
            _request_timeout,
            body=body,
            content_type=_content_type,
        )

    def delete_namespaced_secret(
        self, name: str, namespace: str, *, body: Any, _request_timeout: Any
    ) -> Any:
        return self._call(
            "DELETE",
            SECRET_PATH,
            {"name": name, "namespace": namespace},
            {"200": "object", "202": "object", "401": None},
            _request_timeout,
            body=body,
        )

    def _call(
        self,
        method: str,
        path: str,
        path_params: dict[str, str],
        types: dict[str, str | None],
        timeout: Any,
        *,
        query: list[tuple[str, Any]] | None = None,
        body: Any = None,
        content_type: str = "",
    ) -> Any:
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        request = self._client.param_serialize(
            method=method,
            resource_path=path,
            path_params=path_params,
            query_params=query or [],
            header_params=headers,
            body=body,
            post_params=[],
            files={},
            auth_settings=["BearerToken"],
            collection_formats={},
        )
        response = self._client.call_api(*request, _request_timeout=timeout)
        response.read()
        return self._client.response_deserialize(response, types).data


# --- between the API's Secrets and ours: data is base64 there, decoded strings here ---


def b64(value: str) -> str:
    return base64.b64encode(value.encode("utf-8", "surrogateescape")).decode()


def encode_data(data: Any) -> dict[str, str]:
    return {key: b64(value) for key, value in data.items()}


def diff(before: Any, after: Any) -> dict[str, str | None]:
    changed: dict[str, str | None] = {k: v for k, v in after.items() if before.get(k) != v}
    changed.update({k: None for k in before if k not in after})
    return changed


def cluster_secret(item: Any) -> ClusterSecret:
    meta = item.metadata
    data = {}
    for key, value in (item.data or {}).items():
        raw = value if isinstance(value, bytes) else base64.b64decode(value)
        data[key] = raw.decode("utf-8", "surrogateescape")
    return ClusterSecret(
        name=meta.name,
        labels=dict(meta.labels or {}),
        annotations=dict(meta.annotations or {}),
        data=data,
        resource_version=str(meta.resource_version or ""),
    )
