"""Token verification: Bearer JWTs become a :class:`~hub.caller.Caller`.

Production tokens are RS256/ES256, verified against the OIDC issuer's JWKS
(issuer, audience and JWKS URL from configuration). Development tokens are
HS256 with the configured dev key, which production simply does not configure.
"""

from __future__ import annotations

import hmac
import threading
import time
import uuid
from typing import Any

import jwt
from jwt import PyJWKClient

from hub.caller import Caller
from hub.errors import Unauthorized
from hub.secrets import SecretResolutionError
from hub.tenants import AuthSettings

_JWKS_CLIENTS: dict[str, PyJWKClient] = {}
_JWKS_LOCK = threading.Lock()


def _jwks_client(url: str) -> PyJWKClient:
    with _JWKS_LOCK:
        client = _JWKS_CLIENTS.get(url)
        if client is None:
            client = PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
            _JWKS_CLIENTS[url] = client
        return client


def verify_token(token: str, auth: AuthSettings) -> Caller:
    """Verify signature, expiry, issuer and audience; map claims to a Caller. Raise Unauthorized."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized("het token is geen geldig JWT") from None
    alg = header.get("alg")
    try:
        if alg == "HS256":
            claims = _verify_dev(token, auth)
        elif auth.oidc is not None and alg in auth.oidc.algorithms:
            signing_key = _jwks_client(auth.oidc.jwks_url).get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=auth.oidc.algorithms,
                audience=auth.oidc.audience,
                issuer=auth.oidc.issuer,
                leeway=auth.leeway_seconds,
                options={"require": ["exp", "iat", "sub"]},
            )
        else:
            raise Unauthorized("het token is ondertekend met een algoritme dat niet is toegestaan")
    except jwt.ExpiredSignatureError:
        raise Unauthorized("het token is verlopen") from None
    except jwt.PyJWKClientError:
        raise Unauthorized("de sleutel van het token is niet te vinden bij de uitgever") from None
    except jwt.PyJWTError:
        raise Unauthorized("het token is ongeldig of verkeerd ondertekend") from None
    check_time_claims(claims, auth.leeway_seconds)
    return caller_from_claims(claims, auth)


def verify_id_token(id_token: str, auth: AuthSettings, *, nonce: str) -> Caller:
    """Verify an ID token from the login flow of the ``/beheer/`` pages; map it like the API.

    The audience is the pages' own client id and the nonce must be the one sent with the
    authorization request, so a token issued for another client or login is refused.
    """
    oidc = auth.oidc
    if oidc is None or oidc.client_id is None:
        raise Unauthorized("inloggen via OIDC is voor deze gemeente niet ingesteld")
    try:
        signing_key = _jwks_client(oidc.jwks_url).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            signing_key.key,
            algorithms=oidc.algorithms,
            audience=oidc.client_id,
            issuer=oidc.issuer,
            leeway=auth.leeway_seconds,
            options={"require": ["exp", "iat", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("het ID-token is verlopen") from None
    except jwt.PyJWKClientError:
        raise Unauthorized(
            "de sleutel van het ID-token is niet te vinden bij de uitgever"
        ) from None
    except jwt.PyJWTError:
        raise Unauthorized("het ID-token is ongeldig of verkeerd ondertekend") from None
    check_time_claims(claims, auth.leeway_seconds)
    if not hmac.compare_digest(str(claims.get("nonce")), nonce):
        raise Unauthorized("het ID-token hoort niet bij deze inlogpoging")
    return caller_from_claims(claims, auth)


# RFC 7519 NumericDate claims: whole seconds, after 2000 and at most a year ahead. PyJWT accepts
# numeric strings and floats such as 1e300, which no issuer sends.
_EARLIEST = 946_684_800
_MAX_AHEAD = 366 * 24 * 3600


def check_time_claims(claims: dict[str, Any], leeway: int, *, now: float | None = None) -> None:
    """Require integer ``exp``/``nbf``/``iat`` within sane bounds; raise Unauthorized."""
    moment = int(now if now is not None else time.time())
    for name in ("exp", "nbf", "iat"):
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise Unauthorized(f"de claim {name} van het token moet een geheel getal zijn")
        if not _EARLIEST <= value <= moment + _MAX_AHEAD:
            raise Unauthorized(f"de claim {name} van het token ligt buiten de toegestane grenzen")
    if "iat" in claims and claims["iat"] > moment + leeway:
        raise Unauthorized("het token is uitgegeven in de toekomst (claim iat)")


def _verify_dev(token: str, auth: AuthSettings) -> dict[str, Any]:
    if auth.dev_key is None:
        raise Unauthorized("ontwikkeltokens (HS256) zijn voor deze gemeente niet toegestaan")
    try:
        key = auth.dev_key.resolve()
    except SecretResolutionError:
        raise Unauthorized("ontwikkeltokens zijn niet geconfigureerd") from None
    return jwt.decode(
        token,
        key,
        algorithms=["HS256"],
        audience=auth.dev_audience,
        issuer=auth.dev_issuer,
        leeway=auth.leeway_seconds,
        options={"require": ["exp", "iat", "sub"]},
    )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _claim(claims: dict[str, Any], path: str) -> Any:
    """Claims may be nested (Keycloak's ``realm_access.roles``)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def caller_from_claims(claims: dict[str, Any], auth: AuthSettings) -> Caller:
    names = auth.claims
    roles = {r for v in _as_list(_claim(claims, names.roles)) if (r := auth.map_role(v))}
    return Caller(
        subject=str(claims.get(names.subject) or claims["sub"]),
        display_name=str(_claim(claims, names.name) or claims["sub"]),
        roles=frozenset(roles),
        gemeenten=frozenset(_as_list(_claim(claims, names.gemeenten))),
        client_id=str(_claim(claims, names.client_id) or "onbekend"),
        email=_email(_claim(claims, names.email)),
    )


def _email(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and "@" in value else None


def issue_dev_token(
    auth: AuthSettings,
    *,
    subject: str,
    gemeenten: list[str],
    roles: list[str],
    name: str | None = None,
    email: str | None = None,
    lifetime_seconds: int = 8 * 3600,
) -> str:
    """A development token; refuses when no dev key is configured."""
    if auth.dev_key is None:
        raise SecretResolutionError(
            "no dev key is configured ([auth] dev_key in config/hub.toml); "
            "dev tokens are for development only"
        )
    key = auth.dev_key.resolve()
    now = int(time.time())
    claims = {
        "iss": auth.dev_issuer,
        "aud": auth.dev_audience,
        "sub": subject,
        "iat": now,
        "exp": now + lifetime_seconds,
        "jti": uuid.uuid4().hex,
        auth.claims.name: name or subject,
        auth.claims.roles: roles,
        auth.claims.gemeenten: gemeenten,
        auth.claims.client_id: "kcc-hub-dev",
    }
    if email:
        claims[auth.claims.email] = email
    return jwt.encode(claims, key, algorithm="HS256")
