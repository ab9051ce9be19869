"""A prepared, synthetic medewerkers directory for ``kcc-hub demo`` without a domain controller.

Stored through the same sink as a real full sync (``apply_batch`` + ``finish_full``),
so the demo's store, search and API are the production code paths. Where root and
Samba are available, the demo can instead run the real sync against a throw-away
Samba DC (see docs/ad.md).
"""

from __future__ import annotations

import random
import uuid

from hub.directory.sink import apply_batch, finish_full
from hub.domain.medewerkers import Medewerker
from hub.plugin_api import SyncBatch
from hub.store.base import utcnow
from hub.store.db import Store

_VOORNAMEN = ("Jan", "Anna", "Mehmet", "Fatima", "Sanne", "Piet", "Chloë", "Emre", "Iris", "Daan")
_ACHTERNAMEN = (
    "Janssen", "van der Berg", "Özdemir", "de Vries", "El Amrani", "Visser", "Çelik",
    "Bakker", "in 't Veld", "Mulder", "ter Horst", "Yılmaz",
)  # fmt: skip
_AFDELINGEN = ("Burgerzaken", "Belastingen", "Vergunningen", "Sociaal Domein", "Wijkbeheer")
_FUNCTIES = ("Medewerker", "Adviseur", "Teamleider", "Klantcontactmedewerker", "Casemanager")
_EXPERTISES = ("paspoorten", "WOZ-bezwaar", "omgevingsvergunning", "Wmo", "grofvuil", "huwelijk")


def demo_medewerkers(count: int = 250, seed: int = 9999) -> list[Medewerker]:
    """Synthetic medewerkers, always including the two Jan Janssens of different afdelingen."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    people = [
        _make(rng, 0, "Jan", "Janssen", "Burgerzaken", "Baliemedewerker"),
        _make(rng, 1, "Jan", "Janssen", "Belastingen", "Adviseur WOZ"),
    ]
    for i in range(2, count):
        voornaam, achternaam = rng.choice(_VOORNAMEN), rng.choice(_ACHTERNAMEN)
        afdeling, functie = rng.choice(_AFDELINGEN), rng.choice(_FUNCTIES)
        people.append(_make(rng, i, voornaam, achternaam, afdeling, functie))
    return people


def _make(
    rng: random.Random, i: int, voornaam: str, achternaam: str, afdeling: str, functie: str
) -> Medewerker:
    account = f"demo{i:04d}"
    return Medewerker(
        id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        account_naam=account,
        weergavenaam=f"{voornaam} {achternaam}",
        voornaam=voornaam,
        achternaam=achternaam,
        afdeling=afdeling,
        functie=functie,
        telefoonnummer=f"+31 14 0{rng.randint(10, 99)} {rng.randint(1000, 9999)}",
        email=f"{account}@voorbeeldstad.test",
        kamer=f"{rng.choice('ABC')}.{rng.randint(0, 5)}.{rng.randint(1, 40):02d}",
        expertise=sorted(rng.sample(_EXPERTISES, 2)),
    )


def seed_demo_directory(store: Store, gemeente: str, count: int = 250) -> int:
    """Replace the gemeente's directory with the demo set, as one full sync would."""
    started = utcnow()
    with store.session() as session:
        written, _removed = apply_batch(
            session,
            gemeente,
            SyncBatch(kind="medewerkers", upserts=list(demo_medewerkers(count)), full=True),
            started,
        )
        finish_full(session, gemeente, started)
    return written
