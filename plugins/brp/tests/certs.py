"""A throw-away CA, server and client certificate for mutual-TLS tests (PKIoverheid stand-in)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from devkit.doubles import issue_certificate, make_ca, write_private_key


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_client_cert: Path
    other_client_key: Path

    def server_context(self) -> ssl.SSLContext:
        """TLS for the double: its own certificate, client certificates from our CA required."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.server_cert), str(self.server_key))
        context.load_verify_locations(cafile=str(self.ca))
        context.verify_mode = ssl.CERT_REQUIRED
        return context


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gemeente Voorbeeldstad"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _issue(
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    cn: str,
    *,
    usage: x509.ObjectIdentifier,
    san: bool,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    return issue_certificate(
        issuer_key,
        issuer,
        _name(cn),
        usage=usage,
        dns_names=("localhost",) if san else (),
        ip_addresses=("127.0.0.1",) if san else (),
        days=1,
    )


def _ca(cn: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    return make_ca(_name(cn), days=1)


def make_pki(directory: Path) -> Pki:
    """Write a CA, a server certificate for 127.0.0.1 and two client certificates."""
    ca_cert, ca_key = _ca("Test PKIoverheid Private Root")
    other_ca_cert, other_ca_key = _ca("Untrusted Root")
    server, server_key = _issue(
        ca_key, ca_cert.subject, "brp.localhost", usage=ExtendedKeyUsageOID.SERVER_AUTH, san=True
    )
    client, client_key = _issue(
        ca_key, ca_cert.subject, "kcc-hub", usage=ExtendedKeyUsageOID.CLIENT_AUTH, san=False
    )
    other, other_key = _issue(
        other_ca_key,
        other_ca_cert.subject,
        "intruder",
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
        san=False,
    )
    paths = Pki(
        ca=directory / "ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server.key",
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
        other_client_cert=directory / "other.pem",
        other_client_key=directory / "other.key",
    )
    pem = serialization.Encoding.PEM
    paths.ca.write_bytes(ca_cert.public_bytes(pem))
    paths.server_cert.write_bytes(server.public_bytes(pem))
    write_private_key(server_key, paths.server_key)
    paths.client_cert.write_bytes(client.public_bytes(pem))
    write_private_key(client_key, paths.client_key)
    paths.other_client_cert.write_bytes(other.public_bytes(pem))
    write_private_key(other_key, paths.other_client_key)
    return paths
