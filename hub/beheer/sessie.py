"""Sessions of the ``/beheer/`` pages: a signed cookie, with a CSRF token for every form.

The cookie is signed (itsdangerous, HMAC-SHA256 with a timestamp), not encrypted: it holds only
who is logged in, their roles and gemeenten, never person data. It is ``HttpOnly``,
``SameSite=Strict`` and ``Secure`` (relaxed only for the demo on loopback http), scoped to
``/beheer``. A session lives at most ``[beheer] sessie_minuten`` from its login, because the
signature's timestamp is only renewed when the session itself changes.

The OIDC round trip needs a second, short-lived cookie (state, PKCE verifier, nonce) that is
``SameSite=Lax``: the identity provider's redirect back is a cross-site navigation, on which a
``Strict`` cookie is not sent.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from hub.caller import Caller
from hub.secrets import SecretResolutionError
from hub.tenants import BeheerSettings

log = logging.getLogger(__name__)

COOKIE = "kcc_beheer"
LOGIN_COOKIE = "kcc_beheer_login"
PATH = "/beheer"
LOGIN_PATH = "/beheer/oidc"
LOGIN_SECONDS = 600
CLIENT_ID = "kcc-hub-beheer"
BEHEER_ROLES = ("privacy-officer", "beheerder", "teamleider")


@dataclass(frozen=True)
class Sessie:
    """The state of one browser: anonymous (only a CSRF token) or logged in."""

    csrf: str
    subject: str | None = None
    naam: str = ""
    rollen: frozenset[str] = frozenset()
    gemeenten: tuple[str, ...] = ()
    # Where the login came from: "dev" or the OIDC issuer; a session serves only gemeenten
    # whose configuration trusts that source.
    bron: str = ""

    @property
    def ingelogd(self) -> bool:
        return self.subject is not None

    def heeft(self, *rollen: str) -> bool:
        return bool(self.rollen.intersection(rollen))

    def caller(self) -> Caller:
        """The session as the caller recorded in the logboek."""
        return Caller(
            subject=self.subject or "",
            display_name=self.naam,
            roles=self.rollen,
            gemeenten=frozenset(self.gemeenten),
            client_id=CLIENT_ID,
        )

    def csrf_klopt(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token, self.csrf)


def nieuwe_sessie() -> Sessie:
    return Sessie(csrf=secrets.token_urlsafe(32))


def ingelogde_sessie(caller: Caller, gemeenten: list[str], bron: str) -> Sessie:
    """A fresh session for a login: a new CSRF token, so no token from before the login works."""
    return replace(
        nieuwe_sessie(),
        subject=caller.subject,
        naam=caller.display_name,
        rollen=caller.roles,
        gemeenten=tuple(sorted(gemeenten)),
        bron=bron,
    )


@dataclass(frozen=True)
class LoginPoging:
    """What the OIDC callback must see again: state, PKCE verifier, nonce, chosen gemeente."""

    state: str
    verifier: str
    nonce: str
    gemeente: str


@dataclass
class Sessiesleutels:
    """Signs and reads both cookies; one key for every API process of a deployment."""

    sleutel: str
    max_seconden: int
    _sessie: URLSafeTimedSerializer = field(init=False, repr=False)
    _login: URLSafeTimedSerializer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessie = URLSafeTimedSerializer(self.sleutel, salt="kcc-hub-beheer-sessie")
        self._login = URLSafeTimedSerializer(self.sleutel, salt="kcc-hub-beheer-login")

    @classmethod
    def uit_instellingen(cls, settings: BeheerSettings) -> Sessiesleutels:
        sleutel: str | None = None
        if settings.sessie_sleutel is not None:
            try:
                sleutel = settings.sessie_sleutel.resolve()
            except SecretResolutionError:
                log.error("[beheer] sessie_sleutel cannot be resolved; using a per-process key")
        if not sleutel:
            # Sessions then end at a restart and do not cross processes; fine for one process.
            sleutel = secrets.token_urlsafe(48)
        return cls(sleutel, settings.sessie_minuten * 60)

    def schrijf(self, sessie: Sessie) -> str:
        data: dict[str, Any] = {"c": sessie.csrf}
        if sessie.ingelogd:
            data.update(
                s=sessie.subject,
                n=sessie.naam,
                r=sorted(sessie.rollen),
                g=list(sessie.gemeenten),
                b=sessie.bron,
            )
        return self._sessie.dumps(data)

    def lees(self, waarde: str | None) -> Sessie | None:
        if not waarde:
            return None
        try:
            data = self._sessie.loads(waarde, max_age=self.max_seconden)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        if "s" not in data:
            return Sessie(csrf=data["c"])
        return Sessie(
            csrf=data["c"],
            subject=str(data["s"]),
            naam=str(data.get("n", "")),
            rollen=frozenset(str(r) for r in data.get("r", [])),
            gemeenten=tuple(str(g) for g in data.get("g", [])),
            bron=str(data.get("b", "")),
        )

    def schrijf_login(self, poging: LoginPoging) -> str:
        return self._login.dumps(
            {"s": poging.state, "v": poging.verifier, "n": poging.nonce, "g": poging.gemeente}
        )

    def lees_login(self, waarde: str | None) -> LoginPoging | None:
        if not waarde:
            return None
        try:
            data = self._login.loads(waarde, max_age=LOGIN_SECONDS)
        except BadSignature:
            return None
        try:
            return LoginPoging(
                state=str(data["s"]),
                verifier=str(data["v"]),
                nonce=str(data["n"]),
                gemeente=str(data["g"]),
            )
        except (KeyError, TypeError):
            return None


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
