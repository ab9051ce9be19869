"""Production tokens: RS256 and ES256 verified against the issuer's JWKS served on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from hub.auth import verify_token
from hub.errors import Unauthorized
from hub.tenants import AuthSettings

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks() -> bytes:
    rsa_jwk = json.loads(RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
    ec_jwk = json.loads(ECAlgorithm.to_jwk(EC_KEY.public_key()))
    rsa_jwk.update(kid="rsa-1", use="sig", alg="RS256")
    ec_jwk.update(kid="ec-1", use="sig", alg="ES256")
    return json.dumps({"keys": [rsa_jwk, ec_jwk]}).encode()


class _Jwks(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = _jwks()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/certs"
    server.shutdown()


@pytest.fixture
def auth(jwks_url: str) -> AuthSettings:
    return AuthSettings.model_validate(
        {
            "oidc": {
                "issuer": "https://login.voorbeeldstad.nl",
                "jwks_url": jwks_url,
                "audience": "kcc-hub",
            },
            "claims": {"roles": "realm_access.roles", "gemeenten": "gemeenten"},
            "roles": {"Klantcontactmedewerker": "kcc-medewerker"},
        }
    )


def _claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "https://login.voorbeeldstad.nl",
        "aud": "kcc-hub",
        "sub": "agent-7",
        "iat": now,
        "exp": now + 300,
        "name": "Agent Zeven",
        "azp": "kiss",
        "realm_access": {"roles": ["Klantcontactmedewerker", "offline_access"]},
        "gemeenten": ["9999"],
    }
    claims.update(over)
    return claims


def test_rs256_token_from_the_issuer_is_accepted_and_roles_are_mapped(auth: AuthSettings) -> None:
    token = jwt.encode(_claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    caller = verify_token(token, auth)
    assert caller.subject == "agent-7"
    assert caller.display_name == "Agent Zeven"
    assert caller.roles == {"kcc-medewerker"}
    assert caller.gemeenten == {"9999"}
    assert caller.client_id == "kiss"


def test_es256_token_from_the_issuer_is_accepted(auth: AuthSettings) -> None:
    token = jwt.encode(_claims(), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})
    assert verify_token(token, auth).subject == "agent-7"


def test_token_signed_by_an_unknown_key_is_refused(auth: AuthSettings) -> None:
    token = jwt.encode(_claims(), OTHER_RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    with pytest.raises(Unauthorized):
        verify_token(token, auth)


def test_token_for_another_audience_is_refused(auth: AuthSettings) -> None:
    token = jwt.encode(
        _claims(aud="ander-systeem"), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"}
    )
    with pytest.raises(Unauthorized):
        verify_token(token, auth)


def test_hs256_dev_token_is_refused_when_no_dev_key_is_configured(auth: AuthSettings) -> None:
    token = jwt.encode(_claims(), "een-gedeeld-geheim-dat-lang-genoeg-is-1234", algorithm="HS256")
    with pytest.raises(Unauthorized, match="ontwikkeltokens"):
        verify_token(token, auth)


def test_unsigned_token_is_refused(auth: AuthSettings) -> None:
    token = jwt.encode(_claims(), None, algorithm="none")
    with pytest.raises(Unauthorized):
        verify_token(token, auth)
