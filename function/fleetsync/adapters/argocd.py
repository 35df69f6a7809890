"""Adapter: Argo CD cluster Secrets in the Argo CD cluster, through Connect Gateway.

Uses the official `kubernetes` client, over one `Gateway` connection (retries, budget, error
translation). Writes are conditional: updates are merge patches that carry the
`resourceVersion` we read, deletes carry it as a precondition, so a Secret that changed
since we looked is never overwritten or removed; the API server answers 409 instead.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fleetsync.adapters.gateway import LIST_PAGE_SIZE, Gateway
from fleetsync.adapters.gateway_errors import SecretMissingError
from fleetsync.adapters.secrets_api import SecretsApi, b64, cluster_secret, diff, encode_data
from fleetsync.core.errors import ConflictError
from fleetsync.core.model import SECRET_TYPE_CLUSTER, SECRET_TYPE_LABEL, ClusterSecret


class ArgoCD:
    def __init__(self, gateway: Gateway) -> None:
        import kubernetes.client as k

        # Shared with the AppProjects adapter: one budget and one token per Argo CD cluster.
        self.gateway = gateway
        self._k: Any = k
        self._namespace, self._timeout = self.gateway.namespace, self.gateway.timeout
        self._api = SecretsApi(self.gateway.api_client)

    def list_cluster_secrets(self) -> dict[str, ClusterSecret]:
        """Every Argo CD cluster Secret in the namespace (ours and others'), all pages.

        A `continue` token expires (410 Expired) when a long list outlives the API server's
        compaction window; the list then starts again, a bounded number of times.
        """
        return self.gateway.restarting(self._list_pages, "Secrets")

    def _list_pages(self) -> dict[str, ClusterSecret]:
        secrets: dict[str, ClusterSecret] = {}
        token: str | None = None
        while True:
            page = self.gateway.read(
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
            item = self.gateway.read(
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
            self.gateway.write(
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
            patched = self.gateway.write(
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
            self.gateway.write(
                lambda: self._api.delete_namespaced_secret(
                    current.name, self._namespace, body=options, _request_timeout=self._timeout
                )
            )
        except SecretMissingError:
            return  # already gone: the outcome we wanted

    def paced_seconds(self) -> float:
        """How long writes have waited for the gateway budget so far, all threads added up."""
        return self.gateway.paced_seconds()
