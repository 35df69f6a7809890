"""Control API views of what clusters hold, for people and tests reading them:
`GET /sandbox/secrets` (data decoded), `GET /sandbox/appprojects` and
`GET /sandbox/clusterprofiles`.

All take `membership` ({location}/{id}, the Argo CD cluster by default), `namespace` (the Argo
CD namespace by default; `fleet-cluster-inventory` for ClusterProfiles) and `project_number`
(the first fleet by default).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from sandbox.control.changelog import ControlError
from sandbox.kubernetes.cluster import Cluster
from sandbox.state.identities import INVENTORY_NAMESPACE
from sandbox.state.store import Store


def _cluster_and_namespace(
    store: Store, args: Mapping[str, str], namespace: str = ""
) -> tuple[Cluster, str]:
    number = args.get("project_number", store.project_number)
    fleet = store.fleets.get(number)
    if fleet is None:
        raise ControlError(404, f"fleet with project number {number!r} not found")
    location, _, ident = args.get("membership", store.argocd_membership).partition("/")
    with store.lock:
        cluster = fleet.cluster_for(location, ident)
    if cluster is None:
        raise ControlError(404, f"membership {location}/{ident} not found")
    return cluster, args.get("namespace", namespace or store.argocd_namespace)


def secrets_view(store: Store, args: Mapping[str, str]) -> list[dict[str, Any]]:
    cluster, namespace = _cluster_and_namespace(store, args)
    with cluster.lock:
        items = [s for (ns, _), s in sorted(cluster.secrets.objects.items()) if ns == namespace]
    return [
        {
            **s,
            "data": {
                k: base64.b64decode(v).decode("utf-8", "replace")
                for k, v in s.get("data", {}).items()
            },
        }
        for s in items
    ]


def appprojects_view(store: Store, args: Mapping[str, str]) -> list[dict[str, Any]]:
    cluster, namespace = _cluster_and_namespace(store, args)
    with cluster.lock:
        projects = cluster.appprojects.objects
        return [p for (ns, _), p in sorted(projects.items()) if ns == namespace]


def clusterprofiles_view(store: Store, args: Mapping[str, str]) -> list[dict[str, Any]]:
    cluster, namespace = _cluster_and_namespace(store, args, INVENTORY_NAMESPACE)
    with cluster.lock:
        profiles = cluster.clusterprofiles.objects
        return [p for (ns, _), p in sorted(profiles.items()) if ns == namespace]
