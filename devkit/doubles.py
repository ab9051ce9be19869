"""Shared parts of the plugins' loopback test doubles (``plugins/<name>/double``).

Plugins never import each other, so what their doubles have in common lives here.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# Re-exported for the doubles' `__main__` modules (plugins import only the core's surface).
from hub.shutdown import stop_on_signals  # noqa: F401


class QuietHandler(WSGIRequestHandler):
    """Writes no access lines: upstream URLs (ZGW) and bodies can carry person data, and
    nothing about persons belongs in a log, not even a double's."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return

    def log(self, type: str, message: str, *args: Any) -> None:
        return


class LoopbackWsgiDouble:
    """A double that is its own WSGI app, served on loopback from a daemon thread.

    Subclasses call :meth:`_listen` in ``__init__`` (port 0 picks a free port) and
    implement ``__call__(environ, start_response)``.
    """

    handler_class: type[WSGIRequestHandler] = QuietHandler
    thread_name = "double"
    port: int
    _server: BaseWSGIServer

    def _listen(self, host: str, port: int, ssl_context: ssl.SSLContext | None = None) -> None:
        self._server = make_server(
            host,
            port,
            self,  # type: ignore[arg-type]  # subclasses are WSGI callables
            threaded=True,
            request_handler=self.handler_class,
            ssl_context=ssl_context,
        )
        self.port = self._server.server_port

    def start(self) -> Self:
        # A short poll interval makes stop() quick; tests start many doubles.
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.thread_name,
            daemon=True,
        ).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()


# --- throw-away PKI for TLS tests (LDAPS to Samba, mutual TLS to the BRP) ---------------

_KEY_USAGE_CA = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def make_ca(
    name: x509.Name, *, days: int = 2
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-signed CA that may sign end-entity certificates only."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_KEY_USAGE_CA, critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def issue_certificate(
    ca_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    subject: x509.Name,
    *,
    usage: x509.ObjectIdentifier,
    dns_names: tuple[str, ...] = (),
    ip_addresses: tuple[str, ...] = (),
    days: int = 2,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """An end-entity certificate for ``usage`` (server or client auth), with optional SANs."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def write_private_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    """PKCS#8 PEM, readable by the owner only (Samba refuses a key file others can read)."""
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
