"""The product against a sandbox serving HTTPS (`--tls-dir`): it trusts the sandbox's CA
through FLEET_SYNC_CA_FILE (the CLI's --ca-file), and refuses the endpoints without it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.harness import sandbox_env, start_function
from sandbox.server import RunningSandbox, start

CLI = str(Path(sys.executable).parent / "fleet-argocd-sync")
NUMBER = "123456789012"
MEMBER = f"prod-1.us-central1.{NUMBER}"


@pytest.fixture(scope="module")
def tls_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    running = start(tls_dir=tmp_path_factory.mktemp("tls"))
    yield running
    running.stop()


@pytest.fixture
def control(tls_sandbox: RunningSandbox) -> SandboxClient:
    client = SandboxClient(tls_sandbox.base_url, str(tls_sandbox.ca_file))
    client.reset()
    client.add_membership("us-central1", "prod-1", {"env": "prod"}, emit=False)
    return client


def _environment(sandbox: RunningSandbox, **extra: str) -> dict[str, str]:
    """The machine's CA overrides cleared, so only what the test sets is trusted."""
    base = {
        k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    }
    return {**base, **sandbox_env(sandbox.base_url), **extra}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_sandbox_url_is_https(tls_sandbox):
    assert tls_sandbox.base_url.startswith("https://")
    assert tls_sandbox.ca_file is not None and tls_sandbox.ca_file.is_file()


def test_the_cli_trusts_the_sandbox_through_its_ca_file(tls_sandbox, control):
    env = _environment(tls_sandbox, FLEET_SYNC_CA_FILE=str(tls_sandbox.ca_file))
    applied = _cli(env, "resync")
    assert applied.returncode == 0, applied.stderr
    assert MEMBER in control.secrets()


def test_the_cli_flag_does_the_same(tls_sandbox, control):
    applied = _cli(_environment(tls_sandbox), "--ca-file", str(tls_sandbox.ca_file), "plan")
    assert applied.returncode == 2, applied.stderr  # changes pending, read over TLS


def test_the_ca_file_wins_over_the_machines_ca_bundle(tls_sandbox, control):
    # REQUESTS_CA_BUNDLE would otherwise override the session's own `verify` on every call.
    system = "/etc/ssl/certs/ca-certificates.crt"
    env = _environment(
        tls_sandbox,
        FLEET_SYNC_CA_FILE=str(tls_sandbox.ca_file),
        REQUESTS_CA_BUNDLE=system,
        CURL_CA_BUNDLE=system,
    )
    applied = _cli(env, "plan")
    assert applied.returncode == 2, applied.stderr


def test_without_the_ca_the_endpoints_are_refused_in_one_line(tls_sandbox, control):
    refused = _cli(_environment(tls_sandbox), "plan")
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) <= 2, refused.stderr
    assert "certificate is not trusted" in refused.stderr
    assert "FLEET_SYNC_CA_FILE" in refused.stderr


def test_the_function_writes_through_the_gateway_over_tls(tls_sandbox, control, tmp_path):
    env = {**sandbox_env(tls_sandbox.base_url), "FLEET_SYNC_CA_FILE": str(tls_sandbox.ca_file)}
    function = start_function(env, tmp_path / "function.log")
    try:
        control.set_sinks(function.url + "/")
        control.add_membership("europe-west1", "edge-1", {"env": "edge"})
        control.wait_idle()
        assert f"edge-1.europe-west1.{NUMBER}" in control.secrets()
    finally:
        control.set_sinks()
        function.stop()
