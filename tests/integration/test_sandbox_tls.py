"""The sandbox over HTTPS (`--tls-dir`): its certificate, the files it writes for clients, and the
official Kubernetes client reaching the Argo CD cluster with nothing but `DIR/kubeconfig`."""

from __future__ import annotations

import base64
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from cryptography import x509
from kubernetes import client, config

from sandbox.server import RunningSandbox, start

SANDBOX = str(Path(sys.executable).parent / "fleet-sandbox")


@pytest.fixture(scope="module")
def tls_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    running = start(tls_dir=tmp_path_factory.mktemp("tls"))
    yield running
    running.stop()


def _get(url: str, ca_file: Path, token: str = "") -> dict[str, object]:
    answer = requests.get(
        url, headers={"Authorization": f"Bearer {token}"}, verify=str(ca_file), timeout=10
    )
    answer.raise_for_status()
    return dict(answer.json())


def test_the_command_prints_its_https_url_and_writes_the_files(tmp_path):
    process = subprocess.Popen(
        [SANDBOX, "--port", "0", "--tls-dir", str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("fleet-sandbox ready at https://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1]
        assert _get(url + "/healthz", tmp_path / "ca.pem")["status"] == "ok"
        kubeconfig = yaml.safe_load((tmp_path / "kubeconfig").read_text())
        assert kubeconfig["clusters"][0]["cluster"]["server"].startswith(url + "/v1/projects/")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def test_the_certificate_names_every_local_address(tls_sandbox):
    port = tls_sandbox.server.server_port
    context = ssl.create_default_context(cafile=str(tls_sandbox.ca_file))
    for host in ("127.0.0.1", "localhost"):
        with (
            socket.create_connection((host, port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            leaf = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True) or b"")
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost"} <= set(names.get_values_for_type(x509.DNSName))
    assert {"127.0.0.1", "::1"} <= {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}


def test_a_client_that_never_speaks_holds_up_no_one(tls_sandbox):
    # A TCP connection with no TLS handshake: the sandbox must still serve the next client.
    with socket.create_connection(("127.0.0.1", tls_sandbox.server.server_port), timeout=10):
        assert _get(tls_sandbox.base_url + "/healthz", tls_sandbox.ca_file)["status"] == "ok"


def test_the_kubeconfig_reaches_the_argocd_cluster_as_the_admin(tls_sandbox):
    api = config.new_client_from_config(str(tls_sandbox.ca_file.parent / "kubeconfig"))
    core = client.CoreV1Api(api)
    namespace = "argocd"
    created = core.create_namespaced_secret(
        namespace, {"metadata": {"name": "written-with-the-kubeconfig"}, "stringData": {"a": "b"}}
    )
    assert created.metadata.namespace == namespace
    listed = core.list_namespaced_secret(namespace)
    assert "written-with-the-kubeconfig" in {s.metadata.name for s in listed.items}
    core.delete_namespaced_secret("written-with-the-kubeconfig", namespace)


def test_generated_credentials_carry_the_ca(tls_sandbox):
    path = "/v1/projects/acme-fleet/locations/global/memberships/argocd-hub:generateCredentials"
    answer = _get(tls_sandbox.base_url + path, tls_sandbox.ca_file, token="admin-token")
    kubeconfig = yaml.safe_load(base64.b64decode(str(answer["kubeconfig"])))
    cluster = kubeconfig["clusters"][0]["cluster"]
    assert base64.b64decode(cluster["certificate-authority-data"]) == (
        tls_sandbox.ca_file.read_bytes()
    )
    assert cluster["server"].startswith(tls_sandbox.base_url)
