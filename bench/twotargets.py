"""Two Argo CD clusters of one fleet project, as the budget figures set them up: the
sandbox's second Argo CD membership, the `FLEET_SYNC_CONFIG` naming both, the function's
environment for it, a clock the sandbox and an in-process function can share, and when
each Secret create reached the sandbox."""

from __future__ import annotations

from bench.fleets import A
from sandbox.client import SandboxClient
from sandbox.harness import config_env


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
    return config_env(base_url, document, **env)


def secret_creates(served: list[dict]) -> list[float]:
    """When each Secret create reached the sandbox, in order."""
    return sorted(r["at"] for r in served if r["method"] == "POST" and "/secrets" in r["path"])
