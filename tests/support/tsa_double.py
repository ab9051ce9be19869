"""A loopback RFC 3161 time-stamp authority: the witness's TSA in tests.

It answers ``application/timestamp-query`` with a granted ``TimeStampResp``: a CMS
SignedData over a TSTInfo (the request's message imprint and nonce, the time),
signed by a TSA certificate with the critical ``timeStamping`` extended key usage,
issued by a throw-away CA whose certificate the hub is configured to trust.
Requests are parsed as RFC 3161 (asn1crypto): a malformed one gets 400.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from werkzeug.wrappers import Request, Response

from devkit.doubles import LoopbackWsgiDouble, make_ca

POLICY = "1.3.6.1.4.1.99999.1"


def _tsa_certificate(
    ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


class TsaDouble(LoopbackWsgiDouble):
    thread_name = "tsa-double"

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA CA")])
        self.ca_cert, ca_key = make_ca(name)
        self.cert, self.key = _tsa_certificate(self.ca_cert, ca_key)
        self.ca_file = directory / "tsa-ca.pem"
        self.ca_file.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))
        self._serials = itertools.count(1)
        self.requests = 0
        self._listen(host, port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tsr"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method != "POST" or request.mimetype != "application/timestamp-query":
            return Response(status=400)(environ, start_response)
        try:
            query = tsp.TimeStampReq.load(request.get_data())
            query.native  # noqa: B018 - parses the whole structure, raising on a malformed one
        except ValueError:
            return Response(status=400)(environ, start_response)
        self.requests += 1
        body = self._respond(query)
        return Response(body, content_type="application/timestamp-reply")(environ, start_response)

    def _respond(self, query: tsp.TimeStampReq) -> bytes:
        info: dict[str, Any] = {
            "version": "v1",
            "policy": POLICY,
            "message_imprint": query["message_imprint"],
            "serial_number": next(self._serials),
            "gen_time": datetime.now(UTC),
            "accuracy": {"seconds": 1},
            "ordering": False,
        }
        if query["nonce"].native is not None:
            info["nonce"] = query["nonce"]
        content = tsp.TSTInfo(info).dump()
        cert = ax509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(content).digest()]}
                ),
                cms.CMSAttribute(
                    {
                        "type": "signing_certificate_v2",
                        "values": [
                            {
                                "certs": [
                                    {
                                        "hash_algorithm": {"algorithm": "sha256"},
                                        "cert_hash": hashlib.sha256(cert.dump()).digest(),
                                    }
                                ]
                            }
                        ],
                    }
                ),
            ]
        )
        signature = self.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": {
                            "issuer": cert.issuer,
                            "serial_number": cert.serial_number,
                        }
                    }
                ),
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": signed_attrs,
                "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                "signature": signature,
            }
        )
        signed = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [{"algorithm": "sha256"}],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(content),
                },
                "certificates": [cert],
                "signer_infos": [signer],
            }
        )
        return tsp.TimeStampResp(
            {
                "status": {"status": "granted"},
                "time_stamp_token": {"content_type": "signed_data", "content": signed},
            }
        ).dump()
