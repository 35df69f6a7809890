"""Adapter: Argo CD cluster Secrets in the Argo CD cluster, through Connect Gateway.

Uses the official `kubernetes` client. Writes are conditional: updates are merge patches that
carry the `resourceVersion` we read, deletes carry it as a precondition, so a Secret that
changed since we looked is never overwritten or removed; the API server answers 409 instead.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from fleetsync.adapters.credentials import TokenSource
from fleetsync.adapters.gateway_errors import (
    ExpiredError,
    SecretMissingError,
    UnauthorizedError,
    classify,
)
from fleetsync.adapters.pacing import WriteBudget
from fleetsync.core.errors import (
    AccessError,
    ConflictError,
    RetryableError,
    with_backoff,
)
from fleetsync.core.model import SECRET_TYPE_CLUSTER, SECRET_TYPE_LABEL, ClusterSecret
from fleetsync.core.naming import gateway_url
from fleetsync.settings import Settings

T = TypeVar("T")
LIST_PAGE_SIZE = 500
LIST_RESTARTS = 3


class ArgoCD:
    def __init__(
        self,
        settings: Settings,
        tokens: TokenSource,
        *,
        gke: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import kubernetes.client as k

        self._sleep, self._backoff = sleep, settings.backoff
        self.budget = WriteBudget(settings.gateway_max_writes_per_minute, clock=clock, sleep=sleep)
        self._namespace = settings.argocd_namespace
        self._tokens = tokens
        self._timeout = (min(5.0, settings.request_timeout_s), settings.request_timeout_s)
        self._host = settings.connect_gateway_endpoint or "the Google endpoint"
        config: Any = k.Configuration(
            host=gateway_url(
                settings.argocd_membership,
                settings.fleet_project_number,
                settings.connect_gateway_endpoint,
                gke=gke,
            )
        )
        config.api_key = {"authorization": ""}
        config.api_key_prefix = {"authorization": "Bearer"}
        config.refresh_api_key_hook = self._refresh_token
        config.connection_pool_maxsize = max(4, settings.concurrency * 2)
        # Retries are ours alone (with_backoff: bounded, Retry-After honoured, sleep injected);
        # urllib3's own would sleep on a 429 and repeat a timeout four times behind our back.
        config.retries = False
        self._k: Any = k
        self._api = _SecretsApi(k.ApiClient(config))
        self._force_refresh = False

    def _refresh_token(self, config: Any) -> None:
        config.api_key["authorization"] = self._tokens.bearer_token(self._force_refresh)
        self._force_refresh = False

    def list_cluster_secrets(self) -> dict[str, ClusterSecret]:
        """Every Argo CD cluster Secret in the namespace (ours and others'), all pages.

        A `continue` token expires (410 Expired) when a long list outlives the API server's
        compaction window; the list then starts again, a bounded number of times.
        """
        for _ in range(LIST_RESTARTS):
            try:
                return self._list_pages()
            except ExpiredError:
                continue
        raise RetryableError(f"listing Secrets: continue token expired {LIST_RESTARTS} times")

    def _list_pages(self) -> dict[str, ClusterSecret]:
        secrets: dict[str, ClusterSecret] = {}
        token: str | None = None
        while True:
            page = self._call(
                partial(
                    self._api.list_namespaced_secret,
                    self._namespace,
                    label_selector=f"{SECRET_TYPE_LABEL}={SECRET_TYPE_CLUSTER}",
                    limit=LIST_PAGE_SIZE,
                    _continue=token,
                    _request_timeout=self._timeout,
                )
            )
            for item in page.items:
                secrets[item.metadata.name] = _cluster_secret(item)
            token = page.metadata.var_continue
            if not token:
                return secrets

    def get(self, name: str) -> ClusterSecret | None:
        try:
            item = self._call(
                lambda: self._api.read_namespaced_secret(
                    name, self._namespace, _request_timeout=self._timeout
                )
            )
        except SecretMissingError:
            return None
        return _cluster_secret(item)

    def create(self, secret: ClusterSecret) -> ClusterSecret:
        """Create the Secret; it returns as stored, with its resourceVersion."""
        k = self._k
        body = k.V1Secret(
            api_version="v1",
            kind="Secret",
            type="Opaque",
            metadata=k.V1ObjectMeta(
                name=secret.name,
                namespace=self._namespace,
                labels=dict(secret.labels),
                annotations=dict(secret.annotations),
            ),
            data=_encode(secret.data),
        )
        return _cluster_secret(
            self._write(
                lambda: self._api.create_namespaced_secret(
                    self._namespace, body, _request_timeout=self._timeout
                )
            )
        )

    def update(self, current: ClusterSecret, merged: ClusterSecret) -> ClusterSecret:
        """Merge-patch `current` into `merged`, on condition it is still at the version we read."""
        patch = {
            "metadata": {
                "resourceVersion": current.resource_version,
                "labels": _diff(current.labels, merged.labels),
                "annotations": _diff(current.annotations, merged.annotations),
            },
            "data": {
                k: None if v is None else _b64(v)
                for k, v in _diff(current.data, merged.data).items()
            },
        }
        try:
            patched = self._write(
                lambda: self._api.patch_namespaced_secret(
                    current.name,
                    self._namespace,
                    patch,
                    _content_type="application/merge-patch+json",
                    _request_timeout=self._timeout,
                )
            )
        except SecretMissingError:
            raise ConflictError(f"Secret {current.name} disappeared before our update") from None
        return _cluster_secret(patched)

    def delete(self, current: ClusterSecret) -> None:
        k = self._k
        options = k.V1DeleteOptions(
            preconditions=k.V1Preconditions(resource_version=current.resource_version)
        )
        try:
            self._write(
                lambda: self._api.delete_namespaced_secret(
                    current.name, self._namespace, body=options, _request_timeout=self._timeout
                )
            )
        except SecretMissingError:
            return  # already gone: the outcome we wanted

    def paced_seconds(self) -> float:
        """How long writes have waited for the budget so far, all threads added up."""
        return self.budget.waited_s

    def _write(self, call: Callable[[], T]) -> T:
        """A write: within the budget, every attempt of it."""

        def paced() -> T:
            self.budget.acquire()
            return call()

        return self._call(paced)

    def _call(self, call: Callable[[], T]) -> T:
        try:
            return with_backoff(lambda: self._once(call), self._backoff, sleep=self._sleep)
        except UnauthorizedError as err:
            raise AccessError(
                f"{err}; a fresh token did not help: the function's service account needs "
                "roles/gkehub.gatewayEditor on the fleet host project"
            ) from err

    def _once(self, call: Callable[[], T]) -> T:
        from urllib3.exceptions import HTTPError

        try:
            return call()
        except self._k.ApiException as err:
            raise self._translate(err) from err
        except HTTPError as err:
            raise RetryableError(
                f"Connect Gateway at {self._host} unreachable ({type(err).__name__}): "
                "check CONNECT_GATEWAY_ENDPOINT and the network"
            ) from err

    def _translate(self, err: Any) -> Exception:
        translated = classify(
            int(err.status or 0),
            err.body,
            err.reason,
            getattr(err, "headers", None),
            self._namespace,
        )
        if isinstance(translated, UnauthorizedError):
            self._force_refresh = True  # the next attempt fetches a new token
        return translated


SECRETS_PATH = "/api/v1/namespaces/{namespace}/secrets"
SECRET_PATH = SECRETS_PATH + "/{name}"
# What each answer deserialises to, as CoreV1Api has it; a non-2xx raises ApiException.
ONE_SECRET: dict[str, str | None] = {
    "200": "V1Secret",
    "201": "V1Secret",
    "202": "V1Secret",
    "401": None,
}


class _SecretsApi:
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


def _b64(value: str) -> str:
    return base64.b64encode(value.encode("utf-8", "surrogateescape")).decode()


def _encode(data: Any) -> dict[str, str]:
    return {key: _b64(value) for key, value in data.items()}


def _diff(before: Any, after: Any) -> dict[str, str | None]:
    changed: dict[str, str | None] = {k: v for k, v in after.items() if before.get(k) != v}
    changed.update({k: None for k in before if k not in after})
    return changed


def _cluster_secret(item: Any) -> ClusterSecret:
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
