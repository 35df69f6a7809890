"""Adapter: the target's resync Lease (`core.leases`) in the Argo CD namespace, through the
target's gateway connection, with the official client's CustomObjectsApi (plain JSON).

Every write is conditional: a create fails if the Lease exists, a replace carries the
resourceVersion read, a delete carries it as a precondition; a 409 is ConflictError.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fleetsync.adapters.gateway import Gateway
from fleetsync.adapters.gateway_errors import SecretMissingError
from fleetsync.core.leases import LEASE_NAME, Lease, micro_time, parse_micro_time

GROUP, VERSION, PLURAL = "coordination.k8s.io", "v1", "leases"


class Leases:
    def __init__(self, gateway: Gateway) -> None:
        self._gateway, self._timeout = gateway, gateway.timeout
        self._namespace = gateway.namespace
        self._client: Any = None

    @property
    def _api(self) -> Any:
        """Imported on the first resync, not on an event: an event's cold start stays short."""
        if self._client is None:
            from kubernetes.client import CustomObjectsApi

            self._client = CustomObjectsApi(self._gateway.api_client)
        return self._client

    def read(self) -> Lease | None:
        try:
            item = self._gateway.read(
                lambda: self._api.get_namespaced_custom_object(
                    *self._where(), LEASE_NAME, _request_timeout=self._timeout
                )
            )
        except SecretMissingError:  # the gateway's 404 for a named object
            return None
        return _lease(item)

    def take(self, current: Lease | None, holder: str, duration_s: int, now: datetime) -> Lease:
        """Hold it from now: created if absent, else replaced at the version read."""
        spec = {
            "holderIdentity": holder,
            "leaseDurationSeconds": duration_s,
            "acquireTime": micro_time(now),
            "renewTime": micro_time(now),
            "leaseTransitions": (current.transitions + 1) if current else 0,
        }
        metadata: dict[str, Any] = {"name": LEASE_NAME, "namespace": self._namespace}
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Lease", "spec": spec}
        if current is None:
            call = self._api.create_namespaced_custom_object
            args: tuple[Any, ...] = (*self._where(), {**body, "metadata": metadata})
        else:
            metadata["resourceVersion"] = current.resource_version
            call = self._api.replace_namespaced_custom_object
            args = (*self._where(), LEASE_NAME, {**body, "metadata": metadata})
        return _lease(self._gateway.write(lambda: call(*args, _request_timeout=self._timeout)))

    def release(self, current: Lease) -> None:
        options = {"preconditions": {"resourceVersion": current.resource_version}}
        try:
            self._gateway.write(
                lambda: self._api.delete_namespaced_custom_object(
                    *self._where(), LEASE_NAME, body=options, _request_timeout=self._timeout
                )
            )
        except SecretMissingError:
            return

    def _where(self) -> tuple[str, str, str, str]:
        return GROUP, VERSION, self._namespace, PLURAL


def _lease(item: Any) -> Lease:
    spec, metadata = item.get("spec") or {}, item.get("metadata") or {}
    return Lease(
        holder=str(spec.get("holderIdentity") or ""),
        renewed=parse_micro_time(spec.get("renewTime")),
        duration_s=int(spec.get("leaseDurationSeconds") or 0),
        resource_version=str(metadata.get("resourceVersion", "")),
        transitions=int(spec.get("leaseTransitions") or 0),
    )
