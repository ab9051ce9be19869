"""Logging in to the ``/beheer/`` pages.

* **OIDC** — authorization code with PKCE (S256) against the gemeente's configured issuer
  (``[auth.oidc]`` with ``client_id``), through authlib's OAuth 2 client. The ID token is verified
  like an API token (JWKS, issuer, expiry) with the pages' client id as audience and the nonce of
  this login, then mapped to roles and gemeenten by the same ``caller_from_claims`` as the API.
* **Dev login** — only where the gemeente's ``[auth]`` has a ``dev_key``, which production never
  configures. It asks for no credential: whoever holds the dev key can mint any token anyway
  (``kcc-hub token``), so it adds nothing an attacker would not already have.

A session is bound to its gemeenten: only those named by the login's claims whose configuration
trusts the same issuer (or, for a dev login, the one gemeente chosen).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import httpx
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749 import OAuth2Error
from requests import RequestException

from hub.auth import verify_id_token
from hub.beheer.sessie import LoginPoging, Sessie, ingelogde_sessie
from hub.caller import Caller
from hub.errors import Unauthorized
from hub.secrets import SecretResolutionError
from hub.tenants import KNOWN_ROLES, Gemeente, OidcSettings, Tenants

_DISCOVERY_SECONDS = 3600.0
_TIMEOUT = 10.0
DEV_BRON = "dev"


class LoginMislukt(Exception):
    """Logging in did not work; the message is shown to the user (no secrets, no tokens)."""


@dataclass(frozen=True)
class Eindpunten:
    authorization: str
    token: str


_discovered: dict[str, tuple[float, Eindpunten]] = {}
_lock = threading.Lock()


def oidc_gemeenten(tenants: Tenants) -> list[Gemeente]:
    """Gemeenten whose users log in through OIDC (their ``[auth.oidc]`` names a client)."""
    return [
        g
        for _, g in sorted(tenants.gemeenten.items())
        if g.auth.oidc is not None and g.auth.oidc.client_id
    ]


def dev_gemeenten(tenants: Tenants) -> list[Gemeente]:
    """Gemeenten that accept development logins (a ``dev_key`` is configured)."""
    return [g for _, g in sorted(tenants.gemeenten.items()) if g.auth.dev_key is not None]


def bron_vertrouwd(gemeente: Gemeente, bron: str) -> bool:
    """Whether ``gemeente`` trusts logins from ``bron`` (an issuer, or the dev login)."""
    if bron == DEV_BRON:
        return gemeente.auth.dev_key is not None
    oidc = gemeente.auth.oidc
    return oidc is not None and bool(oidc.client_id) and oidc.issuer == bron


def eindpunten(oidc: OidcSettings) -> Eindpunten:
    """The authorization and token endpoints: configured, or from the discovery document."""
    if oidc.authorization_endpoint and oidc.token_endpoint:
        return Eindpunten(oidc.authorization_endpoint, oidc.token_endpoint)
    url = oidc.discovery_url or oidc.issuer.rstrip("/") + "/.well-known/openid-configuration"
    with _lock:
        cached = _discovered.get(url)
    if cached is not None and time.monotonic() - cached[0] < _DISCOVERY_SECONDS:
        return cached[1]
    try:
        response = httpx.get(url, timeout=_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        found = Eindpunten(
            oidc.authorization_endpoint or str(document["authorization_endpoint"]),
            oidc.token_endpoint or str(document["token_endpoint"]),
        )
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        raise LoginMislukt("de inlogdienst van de gemeente is niet bereikbaar") from None
    with _lock:
        _discovered[url] = (time.monotonic(), found)
    return found


def _client(oidc: OidcSettings, redirect_uri: str) -> OAuth2Session:
    secret: str | None = None
    if oidc.client_secret is not None:
        try:
            secret = oidc.client_secret.resolve()
        except SecretResolutionError:
            raise LoginMislukt("het client-geheim voor inloggen is niet ingesteld") from None
    return OAuth2Session(
        client_id=oidc.client_id,
        client_secret=secret,
        token_endpoint_auth_method="client_secret_basic" if secret else "none",
        scope=" ".join(oidc.scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=_TIMEOUT,
    )


def _oidc(gemeente: Gemeente) -> OidcSettings:
    oidc = gemeente.auth.oidc
    if oidc is None or not oidc.client_id:
        raise LoginMislukt(f"inloggen via OIDC is voor gemeente {gemeente.code} niet ingesteld")
    return oidc


def begin(gemeente: Gemeente, redirect_uri: str) -> tuple[str, LoginPoging]:
    """The issuer's authorization URL for this login, and what the callback must check."""
    oidc = _oidc(gemeente)
    poging = LoginPoging(
        state=generate_token(32),
        verifier=generate_token(64),
        nonce=generate_token(32),
        gemeente=gemeente.code,
    )
    with _client(oidc, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            eindpunten(oidc).authorization,
            state=poging.state,
            code_verifier=poging.verifier,
            nonce=poging.nonce,
        )
    return str(url), poging


def voltooi(
    tenants: Tenants, poging: LoginPoging, *, code: str, state: str, redirect_uri: str
) -> Sessie:
    """Exchange the code (with the PKCE verifier), verify the ID token, bind the gemeenten."""
    if state != poging.state:
        raise LoginMislukt("het antwoord van de inlogdienst hoort niet bij deze inlogpoging")
    gemeente = tenants.get(poging.gemeente)
    if gemeente is None:
        raise LoginMislukt("de gekozen gemeente is niet (meer) aangesloten")
    oidc = _oidc(gemeente)
    try:
        with _client(oidc, redirect_uri) as client:
            token = client.fetch_token(
                eindpunten(oidc).token,
                grant_type="authorization_code",
                code=code,
                code_verifier=poging.verifier,
            )
    except (OAuth2Error, RequestException, ValueError):
        raise LoginMislukt("de inlogdienst heeft de inlogcode niet geaccepteerd") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise LoginMislukt("de inlogdienst gaf geen ID-token terug")
    try:
        caller = verify_id_token(id_token, gemeente.auth, nonce=poging.nonce)
    except Unauthorized as exc:
        raise LoginMislukt(exc.detail) from None
    return ingelogde_sessie(caller, gebonden_gemeenten(tenants, caller, oidc.issuer), oidc.issuer)


def gebonden_gemeenten(tenants: Tenants, caller: Caller, bron: str) -> list[str]:
    """The caller's gemeenten that are configured here and trust this login's source."""
    return [
        code
        for code in sorted(caller.gemeenten)
        if (g := tenants.get(code)) is not None and bron_vertrouwd(g, bron)
    ]


def dev_login(tenants: Tenants, *, gemeente: str, rol: str, naam: str) -> Sessie:
    """A development session for one gemeente and one role (demo only, see the module doc)."""
    config = tenants.get(gemeente)
    if config is None or config.auth.dev_key is None:
        raise LoginMislukt("ontwikkel-login is voor deze gemeente niet toegestaan")
    if rol not in KNOWN_ROLES:
        raise LoginMislukt("onbekende rol")
    subject = "dev-" + re.sub(r"[^a-z0-9]+", "-", naam.lower()).strip("-")[:40]
    caller = Caller(
        subject=subject if subject != "dev-" else "dev-gebruiker",
        display_name=naam.strip()[:80] or "Ontwikkelaar",
        roles=frozenset({rol}),
        gemeenten=frozenset({gemeente}),
    )
    return ingelogde_sessie(caller, [gemeente], DEV_BRON)
