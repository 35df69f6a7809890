"""Adapter: ClusterProfiles in one namespace of the Argo CD cluster, through the same gateway
connection as its Secrets.

Uses the official client's CustomObjectsApi. An API server takes a ClusterProfile's `status`
only through `/status` (the CRD declares the subresource), so a create is the object, then
its status; an update patches our labels, annotations and spec on condition of the
resourceVersion read, then the status on condition of the one that answer carried. Each call
is a write in the gateway's budget. A status write that fails leaves the object without our
status, and the next pass writes it, since what it reads then differs from what it wants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from fleetsync.adapters.gateway import Gateway
from fleetsync.adapters.gateway_errors import SecretMissingError
from fleetsync.core.errors import ConflictError
from fleetsync.core.profiles import (
    GROUP,
    VERSION,
    ClusterProfile,
    profile_manifest,
    profile_of,
    status_manifest,
)

PLURAL = "clusterprofiles"
MERGE_PATCH = "application/merge-patch+json"


def _now() -> str:
    """metav1.Time: RFC 3339 in UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ClusterProfiles:
    def __init__(self, gateway: Gateway, namespace: str, now: Callable[[], str] = _now) -> None:
        from kubernetes.client import CustomObjectsApi

        self._gateway, self._timeout, self._now = gateway, gateway.timeout, now
        self.namespace = namespace
        self._api: Any = CustomObjectsApi(gateway.api_client)

    def list_profiles(self) -> dict[str, ClusterProfile]:
        """Every ClusterProfile in the namespace (ours and others'), all pages."""
        return self._gateway.restarting(self._list_pages, "ClusterProfiles")

    def _list_pages(self) -> dict[str, ClusterProfile]:
        items = self._gateway.custom_objects(self._api, GROUP, VERSION, self.namespace, PLURAL)
        return {profile.name: profile for profile in map(profile_of, items)}

    def create(self, profile: ClusterProfile) -> ClusterProfile:
        """The object (an existing one is a 409: ConflictError), then its status."""
        body = profile_manifest(profile, self.namespace)
        created = self._gateway.write(
            lambda: self._api.create_namespaced_custom_object(
                GROUP, VERSION, self.namespace, PLURAL, body, _request_timeout=self._timeout
            )
        )
        return self._write_status(profile_of(created), profile)

    def update(
        self, current: ClusterProfile, profile: ClusterProfile, stale_labels: Sequence[str] = ()
    ) -> ClusterProfile:
        """Our labels, annotations and spec on condition of `current.resource_version`, then
        the status. The merge patch keeps labels others added; `stale_labels` (ours, no
        longer true) are removed, as the AppProjects adapter removes its own."""
        manifest = profile_manifest(profile, self.namespace)
        labels: dict[str, str | None] = {**manifest["metadata"]["labels"]}
        labels.update(dict.fromkeys(stale_labels))
        patch = {
            "metadata": {
                "resourceVersion": current.resource_version,
                "labels": labels,
                "annotations": manifest["metadata"]["annotations"],
            },
            "spec": manifest["spec"],
        }
        patched = self._patch(profile.name, patch, self._api.patch_namespaced_custom_object)
        return self._write_status(profile_of(patched), profile)

    def _write_status(self, stored: ClusterProfile, profile: ClusterProfile) -> ClusterProfile:
        status = status_manifest(profile, stored.status, self._now())
        patch = {"metadata": {"resourceVersion": stored.resource_version}, "status": status}
        written = self._patch(profile.name, patch, self._api.patch_namespaced_custom_object_status)
        return profile_of(written)

    def _patch(self, name: str, patch: dict[str, Any], call: Callable[..., Any]) -> Any:
        try:
            return self._gateway.write(
                lambda: call(
                    GROUP,
                    VERSION,
                    self.namespace,
                    PLURAL,
                    name,
                    patch,
                    _content_type=MERGE_PATCH,
                    _request_timeout=self._timeout,
                )
            )
        except SecretMissingError:
            raise ConflictError(f"ClusterProfile {name} disappeared before our write") from None

    def delete(self, current: ClusterProfile) -> None:
        options = {"preconditions": {"resourceVersion": current.resource_version}}
        try:
            self._gateway.write(
                lambda: self._api.delete_namespaced_custom_object(
                    GROUP,
                    VERSION,
                    self.namespace,
                    PLURAL,
                    current.name,
                    body=options,
                    _request_timeout=self._timeout,
                )
            )
        except SecretMissingError:
            return  # already gone: the outcome we wanted
