"""Real kubectl against the sandbox: find its versions, run one with a kubeconfig.

The Google Cloud SDK ships one kubectl per supported minor beside its `kubectl` dispatcher
(`bin/kubectl.1.27` ... `bin/kubectl.1.33`); the oldest and the newest found are the ones
the tests drive, as they bound what client-go does across versions. The machine's CA bundle
settings and `KUBECONFIG` are cleared, so only the kubeconfig given decides where kubectl goes
and whom it trusts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

KUBECTL_ABSENT = "kubectl (with the Google Cloud SDK's kubectl.1.NN beside it) is not on PATH"
OLDEST_WANTED, NEWEST_WANTED = (1, 27), (1, 33)
RUN_TIMEOUT_S = 120
CLEARED = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "KUBECONFIG")


def find_versions() -> dict[tuple[int, int], str]:
    """Every `kubectl.1.NN` beside the `kubectl` on PATH, by (major, minor)."""
    found = shutil.which("kubectl")
    if found is None:
        return {}
    versions = {}
    for binary in Path(found).resolve().parent.glob("kubectl.1.*"):
        if match := re.fullmatch(r"kubectl\.(\d+)\.(\d+)", binary.name):
            versions[int(match[1]), int(match[2])] = str(binary)
    return versions


def bounding_versions() -> list[tuple[int, int]]:
    """The oldest and the newest kubectl found (one, if only one is)."""
    versions = sorted(find_versions())
    return sorted({versions[0], versions[-1]}) if versions else []


@dataclass
class Kubectl:
    """One kubectl binary with one kubeconfig and a clean environment."""

    binary: str
    kubeconfig: Path
    home: Path
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. gcloud's, for its plugin

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        # HOME: kubectl caches discovery under ~/.kube/cache; each test run starts cold.
        return {
            **env,
            **self.extra_env,
            "KUBECONFIG": str(self.kubeconfig),
            "HOME": str(self.home),
        }

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )

    def out(self, *args: str, stdin: str | None = None) -> str:
        """The output of a command that must succeed."""
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, f"kubectl {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def fails(self, *args: str, stdin: str | None = None) -> str:
        """The error output of a command that must fail."""
        done = self.run(*args, stdin=stdin)
        assert done.returncode != 0, f"kubectl {' '.join(args)} succeeded:\n{done.stdout}"
        return done.stderr
