"""The Microsoft identity platform's client-credentials token endpoint, as the doubles need it."""

from __future__ import annotations

import json
import secrets
import threading
import time
from urllib.parse import parse_qs


class TokenIssuer:
    """Issues bearer tokens for one registered app (client id + secret) and checks them."""

    def __init__(
        self,
        client_id: str = "kcc-hub-test",
        client_secret: str = "test-secret",  # noqa: S107 - the double's own test app
        lifetime: int = 3599,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.lifetime = lifetime
        self.issued = 0
        self.scopes: list[str] = []
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def handle(self, body: bytes) -> tuple[int, str]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return 400, json.dumps({"error": "unsupported_grant_type"})
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return 401, json.dumps(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret.",
                }
            )
        if not form.get("scope", "").endswith("/.default"):
            return 400, json.dumps({"error": "invalid_scope"})
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.issued += 1
            self.scopes.append(form["scope"])
            self._tokens[token] = time.monotonic() + self.lifetime
        return 200, json.dumps(
            {
                "token_type": "Bearer",
                "expires_in": self.lifetime,
                "ext_expires_in": self.lifetime,
                "access_token": token,
            }
        )

    def valid(self, token: str) -> bool:
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and expires > time.monotonic()

    def expire_all(self) -> None:
        """Let every issued token expire now, as if an hour had passed."""
        with self._lock:
            self._tokens = {t: 0.0 for t in self._tokens}
