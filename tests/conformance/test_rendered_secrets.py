"""Every Secret the product renders validates against Kubernetes' own Secret schema.

The schema is kubernetes-validate's newest strict one (no field the API does not define, every
type as declared): a source that is neither the product nor the sandbox. The Secrets are those
`fleet-argocd-sync render` prints for memberships of every kind the sandbox makes (GKE global
and regional, attached EKS and AKS, GKE on AWS and Azure, on-prem VMware and bare metal, a
generic one), with labels and scopes, in two fleets and two targets (one with tenancy); and
the wire form of each, as the adapter's create sends it. The schema types fields but checks
no label syntax or size: each form also passes the sandbox's API-server rules for Secrets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kubernetes.client as k
import kubernetes_validate
import pytest
import yaml

from fleetsync.adapters.secrets_api import encode_data
from fleetsync_cli.main import main
from sandbox.client import SandboxClient
from sandbox.harness import config_env
from sandbox.kubernetes.secrets import validated_secret
from sandbox.server import RunningSandbox
from tests.integration.fleets import CONFIG, TEAMS_HUB, A, B, start_two_fleets

LONG_SCOPE = "s" * 63
GKE = {  # membership id -> (location, labels)
    "gke-global": ("global", {"env": "prod", "team": "payments", "cost-centre": "42"}),
    "gke-regional": ("us-central1", {"env": "dev"}),
}
REGISTERED = {  # membership id -> (platform, the cluster's location, extra fields)
    "attached-eks": ("attached", "us-west1", {"distribution": "eks"}),
    "attached-aks": ("attached", "us-west1", {"distribution": "aks"}),
    "aws-one": ("aws", "us-east4", {}),
    "azure-one": ("azure", "us-east4", {}),
    "vmware-one": ("vmware", "us-central1", {}),
    "bm-one": ("baremetal", "us-central1", {}),
}


@pytest.fixture(scope="module")
def two_fleets() -> Iterator[RunningSandbox]:
    running = start_two_fleets()
    client = SandboxClient(running.base_url)
    client.add_membership("global", TEAMS_HUB, project_number=B, argocd_namespace="argocd")
    for number in (A, B):
        for ident, (location, labels) in GKE.items():
            client.add_membership(location, ident, labels, project_number=number)
        for ident, (platform, location, extra) in REGISTERED.items():
            labels = {"env": "prod", "via": platform}
            client.register(
                platform, location, ident, labels=labels, project_number=number, **extra
            )
        client.add_membership(
            "global", "generic-one", {"env": "prod"}, platform="generic", project_number=number
        )
        for scope in ("payments", LONG_SCOPE):
            client.add_scope(scope, project_number=number)
            client.add_namespace(scope, "web", project_number=number)
        client.bind("global/gke-global", "payments", project_number=number)
        client.bind("global/gke-global", LONG_SCOPE, id="long", project_number=number)
        client.wait_idle()  # registrations are operations
        client.bind("global/attached-eks", LONG_SCOPE, project_number=number)
    client.wait_idle()
    yield running
    running.stop()


def memberships() -> list[str]:
    where = {ident: location for ident, (location, _) in GKE.items()}
    where |= dict.fromkeys(REGISTERED, "global")  # a service registers in the fleet's global
    where["generic-one"] = "global"
    return [
        f"projects/{number}/locations/{location}/memberships/{ident}"
        for number in (A, B)
        for ident, location in sorted(where.items())
    ]


def rendered(running: RunningSandbox, name: str, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    env = config_env(running.base_url, CONFIG)
    assert main(["render", name], env) == 0, capsys.readouterr().err
    return [doc for doc in yaml.safe_load_all(capsys.readouterr().out) if doc is not None]


def wire_form(manifest: dict[str, Any]) -> dict[str, Any]:
    """The body the adapter's create sends for the same Secret (`ArgoCD.create`)."""
    meta = manifest["metadata"]
    body = k.V1Secret(
        api_version="v1",
        kind="Secret",
        type="Opaque",
        metadata=k.V1ObjectMeta(
            name=meta["name"],
            namespace=meta["namespace"],
            labels=meta["labels"],
            annotations=meta["annotations"],
        ),
        data=encode_data(manifest["stringData"]),
    )
    serialised: dict[str, Any] = k.ApiClient().sanitize_for_serialization(body)
    return serialised


VERSION = kubernetes_validate.latest_version()


@pytest.mark.parametrize("name", memberships())
def test_every_rendered_secret_is_a_valid_kubernetes_secret(two_fleets, capsys, name):
    documents = rendered(two_fleets, name, capsys)
    targets = {doc["metadata"]["labels"]["fleet-argocd-sync.io/target"] for doc in documents}
    assert targets in ({"prod", "teams"}, {"teams"})  # prod selects env=prod
    for manifest in documents:
        for form in (manifest, wire_form(manifest)):
            kubernetes_validate.validate(form, VERSION, strict=True)
            validated_secret(form, "argocd")


def test_the_schema_refuses_what_the_api_server_would_not_take():
    bad = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "data": {"k": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, VERSION, strict=True)
    unknown = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "spec": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(unknown, VERSION, strict=True)
