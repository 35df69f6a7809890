"""Two Argo CD clusters of one fleet project, as the budget figures set them up: the
sandbox's second Argo CD membership, the `FLEET_SYNC_CONFIG` naming both, the function's
environment for it, a clock the sandbox and an in-process function can share, and the
busiest minute the figures are judged by."""

from __future__ import annotations

import json

from bench.fleets import A
from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env


class Clock:
    """Time the sandbox and the function share in-process, moved by sleeping."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def two_targets(base_url: str, memberships: int, **env: str) -> dict[str, str]:
    """Add the second Argo CD cluster and `memberships` clusters (m0, m1, ...) to fleet A
    without audit entries; the environment of a function whose targets `one` and `two`
    write through fleet A's gateway, with `env` on top."""
    sandbox = SandboxClient(base_url)
    sandbox.add_membership("global", "argocd-two", emit=False, argocd_namespace="argocd")
    members = [{"location": "us-central1", "id": f"m{i}"} for i in range(memberships)]
    sandbox.ok("POST", "/sandbox/memberships:batch", {"memberships": members})
    hub = f"projects/{A}/locations/global/memberships/"
    document = {
        "fleets": [A],
        "targets": [
            {"name": "one", "argocd_membership": hub + "argocd-hub"},
            {"name": "two", "argocd_membership": hub + "argocd-two"},
        ],
    }
    base = {k: v for k, v in sandbox_env(base_url).items() if "FLEET_PROJECT" not in k}
    base.pop("ARGOCD_MEMBERSHIP")
    return {**base, "FLEET_SYNC_CONFIG": json.dumps(document), **env}


def busiest_minute(arrivals: list[float]) -> int:
    """The most arrivals in any [t, t + 60), as the gateway's per-minute quota counts."""
    return max((sum(1 for u in arrivals if t <= u < t + 60) for t in arrivals), default=0)


def secret_creates(served: list[dict]) -> list[float]:
    """When each Secret create reached the sandbox, in order."""
    return sorted(r["at"] for r in served if r["method"] == "POST" and "/secrets" in r["path"])
