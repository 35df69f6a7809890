"""The most the Kubernetes API server stores in one object, and what an AppProject weighs.

An object is one etcd value, and etcd refuses a request over `--max-request-bytes`, 1.5 MiB
by default (https://etcd.io/docs/v3.5/dev-guide/limit/); kube-apiserver caps a request body
at 3 MiB. An AppProject's destinations are clusters times namespaces, about 150 bytes each
through Connect Gateway, so 10,000 destinations come to about 1.54 MB. We keep a margin for
the metadata the API server adds (managedFields above all) and refuse to send what would be
over it: the run then says which AppProject and why, rather than failing at the server.
"""

from __future__ import annotations

import json

from fleetsync.core.tenancy import AppProject

ETCD_MAX_REQUEST_BYTES = 1_572_864  # 1.5 MiB
MAX_APPPROJECT_BYTES = 1_250_000  # what we write at most: room for managedFields and others'


def appproject_bytes(project: AppProject, namespace: str = "argocd") -> int:
    """The JSON body we would send for it (the API server stores about this much more)."""
    body = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": project.name, "namespace": namespace, "labels": project.labels},
        "spec": project.spec,
    }
    return len(json.dumps(body, separators=(",", ":")).encode())


def too_big(project: AppProject) -> str:
    """Why this AppProject is not written, or ""."""
    size = appproject_bytes(project)
    if size <= MAX_APPPROJECT_BYTES:
        return ""
    destinations = len(project.spec.get("destinations") or ())
    return (
        f"AppProject {project.name}: {destinations} destinations make {size:,} bytes, over "
        f"the {MAX_APPPROJECT_BYTES:,} we write at most (etcd stores 1.5 MiB per object); "
        "not written: split the scope, or bind fewer clusters or namespaces to it"
    )
