"""Internetaken: the poller's worklist, closing, reassigning, and reading one KISS wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from plugins.openklant.client import OpenKlantClient
from plugins.openklant.contactverzoeken import (
    internetaken_te_verwerken,
    iter_internetaken_te_verwerken,
    mark_verwerkt,
    read_contactverzoek,
    reassign,
    sleutel_van,
    write_contactverzoek,
)
from plugins.openklant.double import OpenKlantDouble
from plugins.openklant.models import Toewijzing
from plugins.openklant.tests.conftest import contactverzoek, settings


def test_internetaken_te_verwerken_come_page_by_page(openklant: OpenKlantDouble) -> None:
    for index in range(7):
        openklant.seed_contactverzoek(onderwerp=f"Vraag {index}")
    openklant.seed_contactverzoek(onderwerp="Al gedaan", status="verwerkt")
    small_pages = settings(openklant, internetaken={"page_size": 3})

    with OpenKlantClient(small_pages) as client:
        first = internetaken_te_verwerken(client, 1)
        last = internetaken_te_verwerken(client, 3)
        every = list(iter_internetaken_te_verwerken(client))

    assert first.count == 7
    assert len(first.results) == 3
    assert first.next is not None
    assert len(last.results) == 1
    assert last.next is None
    assert len({t.uuid for t in every}) == 7
    assert {t.status for t in every} == {"te_verwerken"}
    assert openklant.response_violations == []


def test_the_poller_reads_no_more_pages_than_configured(openklant: OpenKlantDouble) -> None:
    for _ in range(5):
        openklant.seed_contactverzoek()
    capped = settings(openklant, internetaken={"page_size": 2, "max_pages": 2})

    with OpenKlantClient(capped) as client:
        every = list(iter_internetaken_te_verwerken(client))

    assert len(every) == 4


def test_an_internetaak_kiss_wrote_is_read_with_everything_the_hub_needs(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    seeded = openklant.seed_contactverzoek(
        telefoonnummer="0201234567",
        email="f.de.proef@voorbeeld.test",
        toegewezen_aan=[{"soort": "medewerker", "identificatie": "mdw-7", "naam": "Piet Post"}],
    )

    read = read_contactverzoek(client, UUID(seeded["uuid"]))

    assert read.internetaak.toelichting == "Wil graag teruggebeld worden over de ophaaldag."
    assert read.klantcontact.onderwerp == "Vraag over de afvalkalender"
    assert sleutel_van(client, read.klantcontact) is None
    assert read.betrokkene is not None and read.betrokkene.volledige_naam == "Fenna de Proef"
    assert [(a.soort_digitaal_adres, a.adres) for a in read.digitale_adressen] == [
        ("email", "f.de.proef@voorbeeld.test"),
        ("telefoonnummer", "0201234567"),
    ]
    assert [
        (a.naam, a.actoridentificator.object_id if a.actoridentificator else None)
        for a in read.actoren
    ] == [("Piet Post", "mdw-7")]


def test_a_contactverzoek_the_hub_wrote_carries_its_key(client: OpenKlantClient) -> None:
    written = write_contactverzoek(client, contactverzoek())

    read = read_contactverzoek(client, written.internetaak)

    assert sleutel_van(client, read.klantcontact) == "cv-0001-5b0f7c1e"


def test_marking_an_internetaak_verwerkt_records_when(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    taak = UUID(openklant.seed_contactverzoek()["uuid"])
    moment = datetime(2026, 3, 10, 14, 30, 5, 999, tzinfo=UTC)

    closed = mark_verwerkt(client, taak, moment)
    again = mark_verwerkt(client, taak, moment)

    assert closed.status == "verwerkt"
    assert closed.afgehandeld_op == datetime(2026, 3, 10, 14, 30, 5, tzinfo=UTC)
    assert again == closed
    assert internetaken_te_verwerken(client).count == 0
    assert openklant.request_violations == []


def test_reassigning_replaces_the_actors_and_reuses_existing_ones(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    taak = UUID(openklant.seed_contactverzoek()["uuid"])
    actors_before = openklant.counts()["actoren"]

    moved = reassign(
        client,
        taak,
        [
            Toewijzing(soort="groep", identificatie="grp-terugbel", naam="Terugbelteam"),
            Toewijzing(soort="afdeling", identificatie="afd-afval", naam="Afval en reiniging"),
        ],
    )

    actoren = {a["uuid"]: a for a in openklant.stored("actoren")}
    assert [
        actoren[str(ref.uuid)]["actoridentificator"]["codeObjecttype"]
        for ref in moved.toegewezen_aan_actoren
    ] == ["grp", "afd"]
    # The afdeling KISS created is reused; only the groep is new.
    assert openklant.counts()["actoren"] == actors_before + 1
