"""HTTPS for the sandbox: a CA and a server certificate made at start, and the files a client
needs to trust them (`--tls-dir DIR`: `DIR/ca.pem` and `DIR/kubeconfig`).

kubectl and client-go send a bearer token only over TLS, so real Kubernetes clients need this;
the product trusts the CA through FLEET_SYNC_CA_FILE. The certificates follow what
`cryptography`'s X.509 tutorial builds for a private CA (a self-signed root with
`BasicConstraints(ca=True)`, a leaf with `SubjectAlternativeName` and `ExtendedKeyUsage`
serverAuth, as RFC 5280 and the CA/Browser Forum's baseline require of a server certificate;
Go's crypto/x509, inside kubectl, matches hosts against the SANs only, never the common name).
"""

from __future__ import annotations

import datetime
import ipaddress
import socketserver
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
KUBECONFIG_FILE = "kubeconfig"
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
_VALIDITY = datetime.timedelta(days=30)
# A CA signs certificates and revocation lists, nothing else (RFC 5280, 4.2.1.3).
_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    key_cert_sign=True,
    crl_sign=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class Certificates:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fleet-sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _alternative_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def issue(host: str) -> Certificates:
    """A fresh CA, and a certificate it signs for `host` and the local names."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("fleet-sandbox CA"))
        .issuer_name(_name("fleet-sandbox CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = list(dict.fromkeys([host, *LOCAL_NAMES]))
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([_alternative_name(n) for n in names]), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return Certificates(_pem(ca), _pem(leaf), key_pem)


def server_context(certificates: Certificates, directory: Path) -> ssl.SSLContext:
    """The server's TLS context; its certificate and key are written to `directory` to load."""
    chain, key = directory / "server.pem", directory / "server-key.pem"
    chain.write_bytes(certificates.cert_pem + certificates.ca_pem)
    key.touch(mode=0o600)
    key.write_bytes(certificates.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(chain, key)
    return context


def serve_tls(server: socketserver.TCPServer, context: ssl.SSLContext) -> None:
    """Make `server` speak TLS, each handshake in its connection's own thread.

    Werkzeug's `ssl_context` wraps the listening socket with the handshake done on accept, in the
    one thread that accepts: a client that connects and says nothing would hold every other
    client off. Deferred, the handshake happens on the connection's first read, in the thread
    that serves it. `ssl_context` stays set so the WSGI environ says `https`.
    """
    server.socket = context.wrap_socket(
        server.socket, server_side=True, do_handshake_on_connect=False
    )
    server.ssl_context = context  # type: ignore[attr-defined]


def write_client_files(
    directory: Path, certificates: Certificates, kubeconfig: dict[str, Any]
) -> Path:
    """`DIR/ca.pem` and `DIR/kubeconfig`; the CA file's path."""
    ca_file = directory / CA_FILE
    ca_file.write_bytes(certificates.ca_pem)
    (directory / KUBECONFIG_FILE).write_text(yaml.safe_dump(kubeconfig, sort_keys=False))
    return ca_file
