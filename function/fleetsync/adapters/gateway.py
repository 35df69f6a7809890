"""Adapter: one connection to an Argo CD cluster's API server, through Connect Gateway.

Every call through it is retried with a short, bounded backoff, its errors translated by
`gateway_errors`; every attempt of a write waits for the gateway's write budget; a paged
list whose continue token expires starts again. A 401 fetches a fresh token for the next
attempt. What is read and written (Secrets, AppProjects) is `argocd`'s and `appprojects`'.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from fleetsync.adapters.credentials import TokenSource
from fleetsync.adapters.gateway_errors import ExpiredError, UnauthorizedError, classify
from fleetsync.adapters.pacing import WriteBudget
from fleetsync.adapters.unreachable import unreachable_message
from fleetsync.config.settings import Settings
from fleetsync.core.errors import AccessError, RetryableError, with_backoff
from fleetsync.core.naming import gateway_url

T = TypeVar("T")
LIST_PAGE_SIZE = 500
LIST_RESTARTS = 3


class Gateway:
    def __init__(
        self,
        settings: Settings,
        tokens: TokenSource,
        *,
        gke: bool = True,
        budget: WriteBudget | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`budget`: the quota holder's, shared by every gateway into that fleet project."""
        import kubernetes.client as k

        self._sleep, self._backoff = sleep, settings.backoff
        per_minute = settings.gateway_max_writes_per_minute
        self.budget = budget or WriteBudget(per_minute, clock=clock, sleep=sleep)
        self.namespace = settings.argocd_namespace
        self._tokens = tokens
        self.timeout = (min(5.0, settings.request_timeout_s), settings.request_timeout_s)
        self._host = settings.connect_gateway_endpoint or "the Google endpoint"
        config: Any = k.Configuration(
            host=gateway_url(
                settings.argocd_membership,
                settings.argocd_project_number or settings.fleet_project_number,
                settings.connect_gateway_endpoint,
                gke=gke,
            )
        )
        config.ssl_ca_cert = settings.ca_file or None
        config.api_key = {"authorization": ""}
        config.api_key_prefix = {"authorization": "Bearer"}
        config.refresh_api_key_hook = self._refresh_token
        config.connection_pool_maxsize = max(4, settings.concurrency * 2)
        # Retries are ours alone (with_backoff: bounded, Retry-After honoured, sleep injected);
        # urllib3's own would sleep on a 429 and repeat a timeout four times behind our back.
        config.retries = False
        self._k: Any = k
        self.api_client = k.ApiClient(config)  # shared by the Secrets and AppProjects adapters
        self._force_refresh = False

    def _refresh_token(self, config: Any) -> None:
        config.api_key["authorization"] = self._tokens.bearer_token(self._force_refresh)
        self._force_refresh = False

    def restarting(self, list_pages: Callable[[], T], what: str) -> T:
        """`list_pages()`, started again while its continue token expires, a bounded number
        of times (for any paged list through this connection)."""
        for _ in range(LIST_RESTARTS):
            try:
                return list_pages()
            except ExpiredError:
                continue
        raise RetryableError(f"listing {what}: continue token expired {LIST_RESTARTS} times")

    def custom_objects(
        self, api: Any, group: str, version: str, namespace: str, plural: str
    ) -> list[dict[str, Any]]:
        """Every custom object of a kind in a namespace (CustomObjectsApi `api`), all pages;
        give it to `restarting`, whose restart an expired continue token asks for."""
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            page = self.read(
                partial(
                    api.list_namespaced_custom_object,
                    group,
                    version,
                    namespace,
                    plural,
                    limit=LIST_PAGE_SIZE,
                    _continue=token or None,
                    _request_timeout=self.timeout,
                )
            )
            items += page.get("items") or []
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return items

    def paced_seconds(self) -> float:
        """How long writes have waited for the budget so far, all threads added up."""
        return self.budget.waited_s

    def read(self, call: Callable[[], T]) -> T:
        """Any read through this gateway connection: retried, its errors translated."""
        return self._call(call)

    def write(self, call: Callable[[], T]) -> T:
        """Any write: within the gateway budget, every attempt of it; retried, translated."""

        def paced() -> T:
            with self.budget.slot():
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
            service = f"Connect Gateway at {self._host}"
            message = unreachable_message(service, "CONNECT_GATEWAY_ENDPOINT", err)
            raise RetryableError(message) from err

    def _translate(self, err: Any) -> Exception:
        translated = classify(
            int(err.status or 0),
            err.body,
            err.reason,
            getattr(err, "headers", None),
            self.namespace,
        )
        if isinstance(translated, UnauthorizedError):
            self._force_refresh = True  # the next attempt fetches a new token
        return translated
