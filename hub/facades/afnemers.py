"""Who calls a facade: the client by its key, the end user by the name it forwards.

The client (KISS) proves itself with a key from the gemeente's configuration. The end
user is only named by the client; the directory decides who that is and which roles
their groups give (``hub.directory.identiteit``). Anything short of one known,
enabled medewerker with a mapped role is refused: fail closed.
"""

from __future__ import annotations

import hmac
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from hub.caller import Caller
from hub.directory.identiteit import Herkenning, herken_gebruiker, rollen_uit_groepen
from hub.errors import Forbidden
from hub.facades.settings import (
    HaalCentraalClient,
    HaalCentraalSettings,
    ObjectenClient,
    ObjectenSettings,
)
from hub.secrets import SecretRef, SecretResolutionError

_MAX_NAAM = 200
T = TypeVar("T")


class Geweigerd(Forbidden):
    """A refused end user, with a short code saying why (for the standard's error body)."""

    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail)
        self.code = code


def _matches(secret: SecretRef, presented: bytes) -> bool:
    try:
        expected = secret.resolve().encode()
    except SecretResolutionError:
        return False
    return hmac.compare_digest(expected, presented)


def client_met_sleutel(
    kandidaten: Sequence[tuple[T, SecretRef]], presented: str | None
) -> T | None:
    """The client whose configured secret was presented, or None."""
    if not presented:
        return None
    given = presented.encode()
    found = None
    # Every secret is compared, so the time taken does not tell which client came close.
    for client, secret in kandidaten:
        if _matches(secret, given):
            found = client
    return found


def haalcentraal_client(
    settings: HaalCentraalSettings | None, api_key: str | None
) -> HaalCentraalClient | None:
    if settings is None:
        return None
    return client_met_sleutel([(c, c.api_key) for c in settings.clients], api_key)


def objecten_client(settings: ObjectenSettings | None, token: str | None) -> ObjectenClient | None:
    if settings is None:
        return None
    return client_met_sleutel([(c, c.token) for c in settings.clients], token)


@dataclass(frozen=True)
class Vrager:
    """The caller to hand to the privacy pipeline, or the refusal it gets (logged first)."""

    caller: Caller
    weigering: Geweigerd | None = None


def _genoemd(waarde: str) -> str:
    """The user as the client named them, fit for the logboek (no control characters)."""
    text = "".join(c for c in waarde if unicodedata.category(c) != "Cc").strip()
    return text[:_MAX_NAAM] or "(leeg)"


_REDENEN = {
    Herkenning.ONBEKEND: ("onbekendeGebruiker", "deze gebruiker staat niet in de medewerkersgids"),
    Herkenning.UITGESCHAKELD: (
        "accountUitgeschakeld",
        "het account van deze gebruiker is uitgeschakeld",
    ),
    Herkenning.DUBBELZINNIG: (
        "gebruikerNietUniek",
        "meer dan een medewerker in de medewerkersgids draagt deze naam",
    ),
}


def vrager(
    session: Session,
    gemeente: str,
    settings: HaalCentraalSettings,
    client: HaalCentraalClient,
    gebruiker: str | None,
) -> Vrager:
    """The caller behind one request: the named user with the roles of their groups."""
    gemeenten = frozenset({gemeente})
    waarde = (gebruiker or "").strip()
    if not waarde:
        zelf = f"client:{client.naam}"
        if client.rol_zonder_gebruiker is not None:
            rollen = frozenset({client.rol_zonder_gebruiker})
            return Vrager(Caller(zelf, client.naam, rollen, gemeenten, client.naam))
        return Vrager(
            Caller(zelf, client.naam, frozenset(), gemeenten, client.naam),
            Geweigerd(
                f"de gebruiker ontbreekt: stuur de header {settings.gebruiker_header}",
                code="gebruikerOntbreekt",
            ),
        )
    herkend = herken_gebruiker(session, gemeente, waarde)
    if herkend.herkenning is not Herkenning.GEVONDEN or herkend.medewerker is None:
        naam = _genoemd(waarde)
        code, reden = _REDENEN.get(herkend.herkenning, _REDENEN[Herkenning.ONBEKEND])
        return Vrager(
            Caller(naam, naam, frozenset(), gemeenten, client.naam), Geweigerd(reden, code=code)
        )
    medewerker = herkend.medewerker
    rollen = rollen_uit_groepen(herkend.groepen, settings.groeprollen)
    caller = Caller(
        subject=medewerker.account_naam or medewerker.email or medewerker.id,
        display_name=medewerker.weergavenaam,
        roles=rollen,
        gemeenten=gemeenten,
        client_id=client.naam,
    )
    if not rollen:
        return Vrager(
            caller,
            Geweigerd(
                "geen van de groepen van deze gebruiker geeft een rol voor persoonsgegevens",
                code="geenRol",
            ),
        )
    return Vrager(caller)
