"""Kubernetes clients and objects for tests, over the sandbox's Connect Gateway."""

from __future__ import annotations

import kubernetes.client as k

GATEWAY = "/v1/projects/123456789012/locations/global/gkeMemberships/argocd-hub"


def core(base_url, token="sandbox-token", path=GATEWAY):
    config = k.Configuration(host=base_url + path)
    config.api_key = {"authorization": token}
    config.api_key_prefix = {"authorization": "Bearer"}
    return k.CoreV1Api(k.ApiClient(config))


def secret(name, labels=None, **fields):
    return k.V1Secret(
        metadata=k.V1ObjectMeta(name=name, labels=labels or {}), type="Opaque", **fields
    )
