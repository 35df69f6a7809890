"""Every kind of fleet member gets a Secret Argo CD can use: the Connect Gateway path for its
kind, and its metadata for ApplicationSet templates. The function runs against the sandbox."""

from __future__ import annotations

import base64

import kubernetes.client as k
import pytest
import requests

from tests.integration.functions import Fn, start_for
from tests.integration.secrets import name

GATEWAY = "{base}/v1/projects/123456789012/locations/us-central1/{collection}/{ident}"
PLATFORM = "fleet-argocd-sync.io/platform"


@pytest.mark.parametrize(
    ("platform", "collection"),
    [
        ("gke", "gkeMemberships"),
        ("eks", "memberships"),
        ("aks", "memberships"),
        ("on-prem", "memberships"),
    ],
)
def test_each_kind_of_member_gets_the_path_it_is_reached_by(
    sandbox, fn, running_sandbox, platform, collection
):
    sandbox.add_membership("us-central1", "member", {"env": "prod"}, platform=platform)
    status, report = fn.resync()
    assert status == 200 and name("member") in report["created"]
    secret = sandbox.secrets()[name("member")]
    server = GATEWAY.format(base=running_sandbox.base_url, collection=collection, ident="member")
    assert secret["data"]["server"] == server
    assert secret["metadata"]["labels"][PLATFORM] == platform
    annotations = secret["metadata"]["annotations"]
    assert annotations[PLATFORM] == platform
    assert annotations["fleet-argocd-sync.io/location"] == "us-central1"
    assert annotations["fleet-argocd-sync.io/kubernetes-version"].startswith("v1.")
    assert ("fleet-argocd-sync.io/cluster" in annotations) == (platform == "gke")
    # Argo CD's own request to that server, as the Secret tells it to: it answers.
    listed = requests.get(
        server + "/api/v1/namespaces", headers={"Authorization": "Bearer admin-token"}, timeout=5
    )
    assert listed.status_code == 200


def test_a_plugin_secret_with_the_wrong_path_is_corrected(sandbox, fn, admin, running_sandbox):
    sandbox.add_membership("us-central1", "eks-1", platform="eks", emit=False)
    wrong = GATEWAY.format(
        base=running_sandbox.base_url, collection="gkeMemberships", ident="eks-1"
    )
    plugin = admin().create_namespaced_secret(
        "argocd",
        k.V1Secret(
            metadata=k.V1ObjectMeta(
                name=name("eks-1"),
                labels={"argocd.argoproj.io/secret-type": "cluster"},
                annotations={"fleet.gke.io/managed-by-fleet-plugin": "true"},
            ),
            data={"server": base64.b64encode(wrong.encode()).decode()},
        ),
    )
    status, report = fn.resync()
    assert status == 200 and report["updated"] == [name("eks-1")]
    adopted = sandbox.secrets()[name("eks-1")]
    assert adopted["metadata"]["uid"] == plugin.metadata.uid
    assert adopted["data"]["server"].endswith("/locations/us-central1/memberships/eks-1")


def test_the_argocd_cluster_may_be_an_attached_cluster(sandbox, running_sandbox, tmp_path):
    # The sandbox's Argo CD cluster, made an attached (EKS) member: the gateway then serves
    # it under memberships/ only, so only a function that chose that path reaches it.
    hub = running_sandbox.store.memberships[("global", "argocd-hub")]
    hub.platform, hub.cluster = "eks", ""
    sandbox.add_membership("us-central1", "m1")
    process = start_for(running_sandbox, tmp_path)
    try:
        status, report = Fn(process.url).resync()
    finally:
        process.stop()
    assert status == 200, report
    assert name("m1") in sandbox.secrets()
    served = [r["path"] for r in sandbox.requests() if "/argocd-hub/" in r["path"]]
    assert served and all("/memberships/argocd-hub/" in path for path in served)
