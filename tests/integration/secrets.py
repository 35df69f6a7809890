"""Secret names and hand-made Secrets for tests of the function."""

from __future__ import annotations

import base64

import kubernetes.client as k

NUMBER = "123456789012"


def name(ident, location="us-central1"):
    return f"{ident}.{location}.{NUMBER}"


def plant(admin, secret_name, labels=None, annotations=None, data=None):
    body = k.V1Secret(
        metadata=k.V1ObjectMeta(
            name=secret_name, labels=labels or {}, annotations=annotations or {}
        ),
        data={key: base64.b64encode(v.encode()).decode() for key, v in (data or {}).items()},
    )
    return admin().create_namespaced_secret("argocd", body)
