"""A loopback OpenID Connect provider for the login tests of the ``/beheer/`` pages.

It speaks the authorization code flow as RFC 6749, RFC 7636 (PKCE) and OpenID Connect Core
describe it, and checks what a real provider checks: a known client and registered redirect
URI, ``response_type=code``, the ``openid`` scope, an S256 code challenge, client
authentication at the token endpoint, a one-time code bound to its client, redirect URI and
challenge. The ID token is RS256-signed with a key published in its JWKS. The user who "logs
in" is whatever the test put in :attr:`OidcProvider.next_user` (claims).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from werkzeug.wrappers import Request, Response

from devkit.doubles import LoopbackWsgiDouble


class OidcProvider(LoopbackWsgiDouble):
    thread_name = "oidc-double"

    def __init__(
        self,
        *,
        client_id: str = "kcc-hub-beheer",
        client_secret: str | None = "beheer-geheim-voor-tests",
        redirect_uris: Iterable[str] = (),
        port: int = 0,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = set(redirect_uris)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.next_user: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.nonce_override: str | None = None
        self._listen("127.0.0.1", port)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/realms/kcc"

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        path = request.path.removeprefix("/realms/kcc")
        if path == "/.well-known/openid-configuration":
            response = self._json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": self.issuer + "/protocol/openid-connect/auth",
                    "token_endpoint": self.issuer + "/protocol/openid-connect/token",
                    "jwks_uri": self.issuer + "/protocol/openid-connect/certs",
                    "response_types_supported": ["code"],
                    "code_challenge_methods_supported": ["S256"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            )
        elif path == "/protocol/openid-connect/certs":
            jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            jwk.update(kid="idp-1", use="sig", alg="RS256")
            response = self._json({"keys": [jwk]})
        elif path == "/protocol/openid-connect/auth" and request.method == "GET":
            response = self._authorize(request)
        elif path == "/protocol/openid-connect/token" and request.method == "POST":
            response = self._token(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    @staticmethod
    def _json(body: dict[str, Any], status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def _authorize(self, request: Request) -> Response:
        q = request.args
        if q.get("client_id") != self.client_id:
            return Response("unknown client", status=400)
        redirect_uri = q.get("redirect_uri", "")
        if redirect_uri not in self.redirect_uris:
            return Response("redirect_uri is not registered", status=400)
        problems = []
        if q.get("response_type") != "code":
            problems.append("response_type must be code")
        if "openid" not in q.get("scope", "").split():
            problems.append("scope must include openid")
        if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) != 43:
            problems.append("PKCE with S256 is required")
        if not q.get("state") or not q.get("nonce"):
            problems.append("state and nonce are required")
        if problems:
            error = urlencode(
                {"error": "invalid_request", "error_description": "; ".join(problems)}
            )
            return Response(status=302, headers={"Location": f"{redirect_uri}?{error}"})
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "challenge": q["code_challenge"],
            "nonce": q["nonce"],
            "claims": dict(self.next_user),
        }
        query = urlencode({"code": code, "state": q["state"]})
        return Response(status=302, headers={"Location": f"{redirect_uri}?{query}"})

    def _client_ok(self, request: Request) -> bool:
        auth = request.authorization
        if self.client_secret is None:
            return request.form.get("client_id") == self.client_id
        if auth is not None and auth.type == "basic":
            return auth.username == self.client_id and auth.password == self.client_secret
        return (
            request.form.get("client_id") == self.client_id
            and request.form.get("client_secret") == self.client_secret
        )

    def _token(self, request: Request) -> Response:
        form = request.form
        self.token_requests.append(dict(form))
        if not self._client_ok(request):
            return self._json({"error": "invalid_client"}, 401)
        if form.get("grant_type") != "authorization_code":
            return self._json({"error": "unsupported_grant_type"}, 400)
        grant = self.codes.pop(form.get("code", ""), None)  # one use only
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce_override or grant["nonce"],
            "azp": self.client_id,
            **grant["claims"],
        }
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "idp-1"})
        return self._json(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )
