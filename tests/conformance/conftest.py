"""One sandbox for the conformance suite, holding every kind of membership it can make, with
Eventarc and a Cloud Logging sink pointed at a recorder; `hub_get` reads it over HTTP as
google-cloud-gke-hub's REST transport does (bearer token, optional `$alt`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from sandbox.client import SandboxClient
from sandbox.server import RunningSandbox, start
from tests.conformance.recorder import Recorder, start_recorder

PROJECT_ID, NUMBER = "conform-fleet", "345678901234"
TOPIC = f"projects/{PROJECT_ID}/topics/fleet-audit"
INT_ENUMS = "json;enum-encoding=int"
STATES = {  # membership id -> the state the control API gives it
    "gke-creating": "CREATING",
    "gke-updating": "UPDATING",
    "gke-deleting": "DELETING",
    "gke-service-updating": "SERVICE_UPDATING",
    "gke-unspecified": "CODE_UNSPECIFIED",
    "gke-future-state": 7,
}
HAND = {"eks-hand": "eks", "aks-hand": "aks", "onprem-hand": "on-prem", "generic-hand": "generic"}
REGISTERED = {  # platform -> (location, name) a service registers
    "attached": ("us-west1", "attached-eks"),
    "aws": ("us-east4", "aws-one"),
    "azure": ("us-east4", "azure-one"),
    "vmware": ("us-central1", "vmware-one"),
    "vmware-admin": ("us-central1", "vmware-admin-one"),
    "baremetal": ("us-central1", "bm-one"),
}
GLOBAL_MEMBERS = [
    "argocd-hub", "gke-labelled", "gke-plain", "gke-missing", *STATES, *HAND,
    *(name for _, name in REGISTERED.values()),
]  # fmt: skip
REGIONAL_MEMBERS = ["made-with-cluster"]  # us-central1


@dataclass
class Conformance:
    running: RunningSandbox
    control: SandboxClient
    recorder: Recorder

    def hub_get(self, path: str, alt: str = "", token: str | None = "sandbox-token",
                **params: Any) -> requests.Response:  # fmt: skip
        query = {**params, **({"$alt": alt} if alt else {})}
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(self.running.base_url + path, params=query, headers=headers, timeout=10)


@pytest.fixture(scope="session")
def conformance() -> Iterator[Conformance]:
    recorder = start_recorder()
    running = start(
        project_id=PROJECT_ID,
        project_number=NUMBER,
        sinks=[recorder.url + "/"],
        eventarc_time_scale=0.005,
    )
    control = SandboxClient(running.base_url)
    control.add_logsink(TOPIC, "", pubsub_emulator=recorder.host_port)
    try:
        _populate(control)
        control.wait_idle()
        control.wait_published()
        yield Conformance(running, control, recorder)
    finally:
        running.stop()
        recorder.stop()


def _populate(control: SandboxClient) -> None:
    """Every change the control API makes, each kind of member it can hold, and what stays."""
    # A label whose value is an enum name must stay a string under enum-encoding=int.
    control.add_membership("global", "gke-labelled", {"env": "prod", "code": "READY"})
    control.add_membership("global", "gke-plain")
    control.add_membership("global", "gke-missing")
    control.ok("DELETE", "/sandbox/clusters/global/gke-missing")  # clusterMissing stays
    for ident, state in STATES.items():
        control.add_membership("global", ident, state=state)
    for ident, platform in HAND.items():
        control.add_membership("global", ident, {"platform": platform}, platform=platform)
    for platform, (location, name) in REGISTERED.items():
        extra = {"distribution": "eks"} if platform == "attached" else {}
        control.register(platform, location, name, labels={"via": platform}, **extra)
    made = {"location": "us-central1", "name": "made-with-cluster"}
    control.ok("POST", "/sandbox/clusters", made)
    control.add_scope("team-a", labels={"team": "a"}, namespace_labels={"owner": "a"})
    control.add_namespace("team-a", "web", labels={"app": "web"}, namespace_labels={"tier": "1"})
    control.add_namespace("team-a", "api")
    control.bind("global/gke-labelled", "team-a")
    control.bind("global/gke-labelled", "team-b", id="bind-b")  # creates scope team-b
    control.bind("us-central1/made-with-cluster", "team-a")
    # Changes that end in other entries: update, delete, unbind, a failed operation, gone.
    control.add_membership("global", "short-lived", {"x": "y"}, api_version="v1beta1")
    control.update_membership("global", "short-lived", labels={"x": "z"})
    control.bind("global/short-lived", "team-a", id="gone")
    control.ok("DELETE", "/sandbox/bindings/global/short-lived/gone")
    control.delete_membership("global", "short-lived")
    control.ok("POST", "/sandbox/operations", {"fail_next": 1})
    control.call("POST", "/sandbox/memberships", {"location": "global", "id": "fails"})
    control.add_scope("brief")
    control.add_namespace("brief", "tmp")
    control.delete_namespace("brief", "tmp")
    control.delete_scope("brief")
    control.register("attached", "us-west1", "leaves", distribution="aks")
    control.unregister("attached", "us-west1", "leaves")
    control.ok("POST", "/sandbox/clusters", {"location": "europe-west1", "name": "cluster-gone"})
    control.ok("DELETE", "/sandbox/clusters/europe-west1/cluster-gone")
