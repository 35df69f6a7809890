"""The sandbox's URL on an IPv6 address: RFC 3986 (3.2.2) writes an IPv6 literal host in
brackets, so `--host ::1` is `https://[::1]:PORT`, in what it prints and in its kubeconfig
(client-go, like `requests`, refuses `https://::1:PORT`)."""

from __future__ import annotations

import socket

import pytest
import requests
import yaml

from sandbox.server import start


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")
def test_an_ipv6_host_is_bracketed_in_the_url_and_the_kubeconfig(tmp_path):
    running = start(host="::1", tls_dir=tmp_path)
    try:
        port = running.server.server_port
        assert running.base_url == f"https://[::1]:{port}"
        kubeconfig = yaml.safe_load((tmp_path / "kubeconfig").read_text())
        assert kubeconfig["clusters"][0]["cluster"]["server"].startswith(f"https://[::1]:{port}/")
        answer = requests.get(
            running.base_url + "/healthz", verify=str(running.ca_file), timeout=10
        )
        assert answer.json()["status"] == "ok"
    finally:
        running.stop()
