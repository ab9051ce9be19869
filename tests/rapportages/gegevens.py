"""A fixed, seeded set of klantcontacten with their contactverzoeken, pogingen and trails.

The rows are generated from a seed, so every run (and both databases) holds the same data;
every moment lies on a quarter of an hour, so the tests can count working time by quarters,
independently of the hub's own arithmetic. March 2026 holds the switch to summer time.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hub.klantcontacten.kalender import dag, week
from hub.klantcontacten.tables import (
    ContactverzoekRij,
    KlantcontactRij,
    PogingRij,
    ToewijzingRij,
)
from hub.store.db import Store

KANALEN = ("telefoon", "e-mail", "balie", "chat")
AFDELINGEN = ("Burgerzaken", "Belastingen", "Vergunningen", "Sociaal Domein")
MEDEWERKERS = ("mw-1", "mw-2", "mw-3", "mw-4", None)
KWARTIER = timedelta(minutes=15)
BEGIN = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)  # 30 days of quarters: all in March, local time


@dataclass
class Verzoek:
    id: str
    afdeling: str | None
    medewerker_afdeling: str | None
    eerste_toewijzing: datetime
    deadline: datetime
    afgehandeld_op: datetime | None
    pogingen: int


@dataclass
class Contact:
    id: str
    kanaal: str
    afhandeling: str
    medewerker: str | None
    plaatsgevonden_op: datetime
    afdeling: str | None
    verzoek: Verzoek | None = None
    extra: dict[str, object] = field(default_factory=dict)


def genereer(aantal: int = 1000, seed: int = 20260302) -> list[Contact]:
    rnd = random.Random(seed)
    contacten: list[Contact] = []
    for _ in range(aantal):
        moment = BEGIN + KWARTIER * rnd.randrange(0, 30 * 96)
        afhandeling = rnd.choices(
            ("direct", "doorverbonden", "contactverzoek"), weights=(70, 12, 18)
        )[0]
        c = Contact(
            id=str(uuid.UUID(int=rnd.getrandbits(128))),
            kanaal=rnd.choice(KANALEN),
            afhandeling=afhandeling,
            medewerker=rnd.choice(MEDEWERKERS),
            plaatsgevonden_op=moment,
            afdeling=None,
        )
        if afhandeling == "doorverbonden":
            c.afdeling = rnd.choice(AFDELINGEN)
        elif afhandeling == "contactverzoek":
            eigen = rnd.random() < 0.3  # assigned to a medewerker only: their afdeling counts
            afdeling = None if eigen else rnd.choice(AFDELINGEN)
            medewerker_afdeling = rnd.choice(AFDELINGEN)
            toegewezen = moment + KWARTIER * rnd.randrange(0, 4)
            afgehandeld = (
                toegewezen + KWARTIER * rnd.randrange(1, 500) if rnd.random() < 0.75 else None
            )
            c.verzoek = Verzoek(
                id=str(uuid.UUID(int=rnd.getrandbits(128))),
                afdeling=afdeling,
                medewerker_afdeling=medewerker_afdeling,
                eerste_toewijzing=toegewezen,
                deadline=toegewezen + timedelta(days=rnd.choice((1, 2, 3, 5))),
                afgehandeld_op=afgehandeld,
                pogingen=rnd.randrange(0, 4),
            )
            c.afdeling = afdeling or medewerker_afdeling
        contacten.append(c)
    return contacten


def sla_op(store: Store, gemeente: str, contacten: list[Contact]) -> None:
    """Store the rows as registration and handling leave them (lead times: by the planner)."""
    with store.session() as session:
        for c in contacten:
            session.add(
                KlantcontactRij(
                    id=c.id,
                    gemeente=gemeente,
                    kanaal=c.kanaal,
                    onderwerp="Vraag",
                    vertrouwelijk=False,
                    taal="nld",
                    plaatsgevonden_op=c.plaatsgevonden_op,
                    afhandeling=c.afhandeling,
                    geregistreerd_door="agent",
                    geregistreerd_door_naam="Agent",
                    geregistreerd_door_medewerker=c.medewerker,
                    geregistreerd_op=c.plaatsgevonden_op,
                    onderwerpobjecten=[],
                    bron="hub",
                    dag=dag(c.plaatsgevonden_op),
                    week=week(c.plaatsgevonden_op),
                    afdeling=c.afdeling,
                )
            )
        session.flush()
        for c in contacten:
            v = c.verzoek
            if v is None:
                continue
            # Every third one was reassigned a day later: the clock keeps the first assignment.
            herverdeeld = v.pogingen == 2
            huidige = (
                v.eerste_toewijzing + timedelta(days=1) if herverdeeld else v.eerste_toewijzing
            )
            session.add(
                ContactverzoekRij(
                    id=v.id,
                    gemeente=gemeente,
                    klantcontact_id=c.id,
                    gevraagde_handeling="Terugbellen",
                    toelichting="Graag terugbellen",
                    status="verwerkt" if v.afgehandeld_op else "te_verwerken",
                    urgentie="normaal",
                    medewerker_afdeling=v.medewerker_afdeling,
                    afdeling=v.afdeling,
                    toegewezen_op=min(huidige, v.afgehandeld_op or huidige),
                    deadline=v.deadline,
                    escalatie_gepland=False,
                    te_plannen=False,
                    afgehandeld_op=v.afgehandeld_op,
                    aangemaakt_door="agent",
                    aangemaakt_op=v.eerste_toewijzing,
                    bron="hub",
                )
            )
            session.flush()
            trail = [v.eerste_toewijzing] + ([huidige] if herverdeeld else [])
            for volgnummer, moment in enumerate(trail, start=1):
                session.add(
                    ToewijzingRij(
                        gemeente=gemeente,
                        contactverzoek_id=v.id,
                        volgnummer=volgnummer,
                        actoren=[],
                        toegewezen_op=min(moment, v.afgehandeld_op or moment),
                        door="agent",
                    )
                )
            for i in range(v.pogingen):
                session.add(
                    PogingRij(
                        id=str(uuid.uuid4()),
                        gemeente=gemeente,
                        contactverzoek_id=v.id,
                        tijdstip=v.eerste_toewijzing + KWARTIER * (i + 1),
                        door="agent",
                        uitkomst="niet_bereikt",
                    )
                )
