"""Adapter: Argo CD cluster Secrets in the Argo CD cluster, through Connect Gateway.

Uses the official `kubernetes` client. Writes are conditional: updates are merge patches that
carry the `resourceVersion` we read, deletes carry it as a precondition, so a Secret that
changed since we looked is never overwritten or removed; the API server answers 409 instead.
"""

from __future__ import annotations

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
from fleetsync.adapters.secrets_api import SecretsApi, b64, cluster_secret, diff, encode_data
from fleetsync.config.settings import Settings
from fleetsync.core.errors import (
    AccessError,
    ConflictError,
    RetryableError,
    with_backoff,
)
from fleetsync.core.model import SECRET_TYPE_CLUSTER, SECRET_TYPE_LABEL, ClusterSecret
from fleetsync.core.naming import gateway_url

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
                settings.argocd_project_number or settings.fleet_project_number,
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
        self.api_client = k.ApiClient(config)  # shared with the AppProjects adapter
        self.namespace, self.timeout = self._namespace, self._timeout
        self._api = SecretsApi(self.api_client)
        self._force_refresh = False

    def _refresh_token(self, config: Any) -> None:
        config.api_key["authorization"] = self._tokens.bearer_token(self._force_refresh)
        self._force_refresh = False

    def list_cluster_secrets(self) -> dict[str, ClusterSecret]:
        """Every Argo CD cluster Secret in the namespace (ours and others'), all pages.

        A `continue` token expires (410 Expired) when a long list outlives the API server's
        compaction window; the list then starts again, a bounded number of times.
        """
        return self.restarting(self._list_pages, "Secrets")

    def restarting(self, list_pages: Callable[[], T], what: str) -> T:
        """`list_pages()`, started again while its continue token expires, a bounded number
        of times (for any paged list through this connection)."""
        for _ in range(LIST_RESTARTS):
            try:
                return list_pages()
            except ExpiredError:
                continue
        raise RetryableError(f"listing {what}: continue token expired {LIST_RESTARTS} times")

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
                secrets[item.metadata.name] = cluster_secret(item)
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
        return cluster_secret(item)

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
            data=encode_data(secret.data),
        )
        return cluster_secret(
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
                "labels": diff(current.labels, merged.labels),
                "annotations": diff(current.annotations, merged.annotations),
            },
            "data": {
                k: None if v is None else b64(v) for k, v in diff(current.data, merged.data).items()
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
        return cluster_secret(patched)

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

    def read(self, call: Callable[[], T]) -> T:
        """Any read through this gateway connection: retried, its errors translated."""
        return self._call(call)

    def write(self, call: Callable[[], T]) -> T:
        """Any write: within the gateway budget, retried, its errors translated."""
        return self._write(call)

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
