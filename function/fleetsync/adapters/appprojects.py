"""Adapter: Argo CD AppProjects in the Argo CD cluster, through the same gateway connection.

Uses the official client's CustomObjectsApi. Writes are conditional as for Secrets: a merge
patch carries the resourceVersion we read and a delete carries it as a precondition, so an
AppProject changed since we looked is never overwritten or removed (409 instead). A patch
sends only our labels and spec fields: roles, sync windows and the rest stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fleetsync.adapters.gateway import Gateway
from fleetsync.adapters.gateway_errors import SecretMissingError
from fleetsync.core.errors import ConflictError
from fleetsync.core.tenancy import OWNED_SPEC, AppProject

GROUP, VERSION, PLURAL = "argoproj.io", "v1alpha1", "appprojects"


class AppProjects:
    def __init__(self, gateway: Gateway) -> None:
        from kubernetes.client import CustomObjectsApi

        self._gateway, self._timeout = gateway, gateway.timeout
        self._namespace = gateway.namespace
        self._api: Any = CustomObjectsApi(gateway.api_client)

    def list_projects(self) -> dict[str, AppProject]:
        """Every AppProject in the namespace (ours and others', to see a clash), all pages."""
        return self._gateway.restarting(self._list_pages, "AppProjects")

    def _list_pages(self) -> dict[str, AppProject]:
        items = self._gateway.custom_objects(self._api, GROUP, VERSION, self._namespace, PLURAL)
        return {project.name: project for project in map(_project, items)}

    def create(self, project: AppProject) -> AppProject:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "AppProject",
            "metadata": {
                "name": project.name,
                "namespace": self._namespace,
                "labels": dict(project.labels),
            },
            "spec": dict(project.spec),
        }
        return _project(
            self._gateway.write(
                lambda: self._api.create_namespaced_custom_object(
                    GROUP, VERSION, self._namespace, PLURAL, body, _request_timeout=self._timeout
                )
            )
        )

    def update(self, project: AppProject, stale_labels: Sequence[str] = ()) -> AppProject:
        """Our labels and spec fields, on condition it is still at `project.resource_version`;
        `stale_labels` (ours, no longer true) are removed."""
        labels: dict[str, str | None] = {**dict(project.labels), **dict.fromkeys(stale_labels)}
        patch = {
            "metadata": {"resourceVersion": project.resource_version, "labels": labels},
            "spec": {key: project.spec.get(key) for key in OWNED_SPEC},
        }
        try:
            patched = self._gateway.write(
                lambda: self._api.patch_namespaced_custom_object(
                    GROUP,
                    VERSION,
                    self._namespace,
                    PLURAL,
                    project.name,
                    patch,
                    _content_type="application/merge-patch+json",
                    _request_timeout=self._timeout,
                )
            )
        except SecretMissingError:
            raise ConflictError(
                f"AppProject {project.name} disappeared before our update"
            ) from None
        return _project(patched)

    def delete(self, project: AppProject) -> None:
        options = {"preconditions": {"resourceVersion": project.resource_version}}
        try:
            self._gateway.write(
                lambda: self._api.delete_namespaced_custom_object(
                    GROUP,
                    VERSION,
                    self._namespace,
                    PLURAL,
                    project.name,
                    body=options,
                    _request_timeout=self._timeout,
                )
            )
        except SecretMissingError:
            return  # already gone: the outcome we wanted


def _project(item: Any) -> AppProject:
    metadata = item.get("metadata") or {}
    return AppProject(
        name=str(metadata.get("name", "")),
        labels=dict(metadata.get("labels") or {}),
        spec=dict(item.get("spec") or {}),
        resource_version=str(metadata.get("resourceVersion", "")),
    )
