"""What the reliability suite does to the fleet and checks of it: two function instances on
their real ADC path, events delivered to them, and the end state every scenario must reach."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import kubernetes.client as k
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.client import SandboxClient
from sandbox.harness import FunctionProcess, start_function
from sandbox.server import RunningSandbox
from tests.cloudevents import audit_event

NUMBER = "123456789012"


FUNCTION_SA = "fleet-argocd-sync@acme-fleet.iam.gserviceaccount.com"


MANAGED_BY = "app.kubernetes.io/managed-by"


FOREIGN = ("hand-made-cluster", f"ghost.us-central1.{NUMBER}")


CREATE = "google.cloud.gkehub.v1.GkeHub.CreateMembership"


UPDATE = "google.cloud.gkehub.v1.GkeHub.UpdateMembership"


DELETE = "google.cloud.gkehub.v1.GkeHub.DeleteMembership"


BIND = "google.cloud.gkehub.v1.GkeHub.CreateMembershipBinding"


def service_account_key(token_uri: str) -> dict[str, str]:
    """A service account key file like the one IAM hands out, with its own fresh RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "acme-fleet",
        "private_key_id": "sandbox",
        "private_key": pem,
        "client_email": FUNCTION_SA,
        "client_id": "1",
        "token_uri": token_uri,
    }


# Longer than any test takes between holding a request and releasing it.
HOLDING_TIMEOUT_S = 120.0


def adc_env(
    running: RunningSandbox, workdir: Path, request_timeout_s: float = 1.0
) -> dict[str, str]:
    """The function on its real ADC path: a key file whose token_uri is the sandbox.

    A short request timeout makes the timeout faults quick; tests that hold a request until
    they release it need one longer than anything they do meanwhile (`HOLDING_TIMEOUT_S`),
    or the held call times out, is retried unheld, and the window under test never opens."""
    credentials = workdir / "adc.json"
    credentials.write_text(json.dumps(service_account_key(running.base_url + "/token")))
    return {
        "FLEET_PROJECT_NUMBER": NUMBER,
        "ARGOCD_MEMBERSHIP": "global/argocd-hub",
        "GKEHUB_ENDPOINT": running.base_url,
        "CONNECT_GATEWAY_ENDPOINT": running.base_url,
        "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
        "GOOGLE_CLOUD_PROJECT": "acme-fleet",
        "REQUEST_TIMEOUT_SECONDS": str(request_timeout_s),
    }


def resync(instance: FunctionProcess, **params: str) -> tuple[int, dict[str, Any]]:
    answer = requests.post(instance.url + "/resync", params=params, timeout=120)
    return answer.status_code, answer.json()


def plant_foreign(admin: Callable[[], Any]) -> dict[str, str]:
    """Secrets that are not ours, one with a name we would use; returns their versions."""
    api = admin()
    versions = {}
    for name in FOREIGN:
        made = api.create_namespaced_secret(
            "argocd",
            k.V1Secret(
                metadata=k.V1ObjectMeta(
                    name=name, labels={"argocd.argoproj.io/secret-type": "cluster"}
                )
            ),
        )
        versions[name] = made.metadata.resource_version
    return versions


def memberships(running: RunningSandbox) -> list[dict[str, Any]]:
    listing = requests.get(
        f"{running.base_url}/v1/projects/{NUMBER}/locations/-/memberships",
        params={"pageSize": 1000},
        headers={"Authorization": "Bearer admin-token"},
        timeout=10,
    ).json()
    return listing.get("resources", [])


def assert_converged(
    running: RunningSandbox, foreign: dict[str, str], among: Iterable[str] | None = None
) -> None:
    """Our Secrets are exactly the fleet's READY memberships (those `among` these ids, when
    only events were delivered), each up to date, and every foreign Secret is as it was."""
    sandbox = SandboxClient(running.base_url)
    secrets = sandbox.secrets()
    ours = {
        n: s
        for n, s in secrets.items()
        if s["metadata"].get("labels", {}).get(MANAGED_BY) == "fleet-argocd-sync"
    }
    wanted = {}
    for membership in memberships(running):
        _, _, _, location, _, ident = membership["name"].split("/")
        if membership["state"].get("code") == "READY":
            wanted[f"{ident}.{location}.{NUMBER}"] = membership
    if among is not None:
        ids = set(among)
        wanted = {n: m for n, m in wanted.items() if n.split(".")[0] in ids}
        ours = {n: s for n, s in ours.items() if n.split(".")[0] in ids}
    assert set(ours) == set(wanted) - set(foreign), "managed Secrets differ from the fleet"
    for name, secret in ours.items():
        membership = wanted[name]
        annotations = secret["metadata"]["annotations"]
        assert annotations["fleet-argocd-sync.io/membership-uid"] == membership["uniqueId"], name
        for key, value in membership.get("labels", {}).items():  # proto3 JSON: {} is left out
            assert secret["metadata"]["labels"].get(key) == value, (name, key)
    for name, version in foreign.items():
        assert secrets[name]["metadata"]["resourceVersion"] == version, f"{name} was touched"


def resource(ident: str) -> str:
    return f"projects/{NUMBER}/locations/us-central1/memberships/{ident}"


def deliver(instance, method, ident, phase="last", event_id="e") -> int:
    headers, body = audit_event(method, resource(ident), phase=phase, event_id=event_id)
    return requests.post(instance.url + "/", headers=headers, data=body, timeout=60).status_code


def deliver_all(instances, deliveries) -> list[int]:
    """Send every (method, ident, phase) at once, spread over the instances."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [
            pool.submit(deliver, instances[i % len(instances)], method, ident, phase, f"e{i}")
            for i, (method, ident, phase) in enumerate(deliveries)
        ]
        return [f.result() for f in futures]


def two_instances(
    running: RunningSandbox,
    workdir: Path,
    config: dict[str, Any] | None = None,
    request_timeout_s: float = 1.0,
) -> list[FunctionProcess]:
    """Two function processes on their application-default-credentials path; with `config`,
    in the multi form (FLEET_SYNC_CONFIG instead of the single-form variables)."""
    env = adc_env(running, workdir, request_timeout_s)
    if config is not None:
        env.pop("FLEET_PROJECT_NUMBER")
        env.pop("ARGOCD_MEMBERSHIP")
        env["FLEET_SYNC_CONFIG"] = json.dumps(config)
    return [start_function(env, workdir / f"instance-{i}.log") for i in range(2)]
