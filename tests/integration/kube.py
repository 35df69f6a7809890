"""Kubernetes clients and objects for tests, over the sandbox's Connect Gateway."""

from __future__ import annotations

from typing import Any

import kubernetes.client as k

from fleetsync.adapters.credentials import TokenSource
from fleetsync.adapters.gateway import Gateway
from fleetsync.config.settings import Settings
from fleetsync.core.model import MembershipRef
from tests.conftest import PROJECT_NUMBER

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


def gateway(base_url: str, **settings: Any) -> Gateway:
    """The product's own gateway connection to the sandbox's Argo CD cluster, as the
    function's identity; `settings` override the Settings fields (a write budget, ...), and
    `clock` and `sleep` go to the Gateway."""
    timing = {k: settings.pop(k) for k in ("clock", "sleep") if k in settings}
    config = Settings(
        fleet_project_number=PROJECT_NUMBER,
        argocd_membership=MembershipRef("global", "argocd-hub"),
        gkehub_endpoint=base_url,
        connect_gateway_endpoint=base_url,
        static_token="sandbox-token",
        **settings,
    )
    return Gateway(config, TokenSource(config.static_token), **timing)
