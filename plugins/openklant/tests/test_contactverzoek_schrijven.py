"""A contactverzoek lands in Open Klant exactly as KISS writes it, once, whatever is retried."""

from __future__ import annotations

from uuid import UUID

import pytest

from hub.errors import InvalidRequest, UpstreamRejected, UpstreamUnavailable
from plugins.openklant.client import OpenKlantClient
from plugins.openklant.contactverzoeken import write_contactverzoek
from plugins.openklant.double import OpenKlantDouble, run_openklant_double
from plugins.openklant.tests.conftest import EMAIL, TELEFOON, TOKEN, contactverzoek, settings

ZAAK = "6f1d9c5e-2a7b-4d1e-9f3c-8b2a1e4d7c90"
KISS_COUNTS = {
    "klantcontacten": 1,
    "actorklantcontacten": 1,
    "betrokkenen": 1,
    "digitaleadressen": 2,
    # the registering medewerker, the assigned medewerker and the afdeling
    "actoren": 3,
    "internetaken": 1,
    "onderwerpobjecten": 1,
}


def test_a_contactverzoek_creates_the_resources_kiss_creates(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    written = write_contactverzoek(client, contactverzoek())

    assert openklant.counts() == KISS_COUNTS
    [klantcontact] = openklant.stored("klantcontacten")
    assert klantcontact["kanaal"] == "telefoon"
    assert klantcontact["onderwerp"] == "Vraag over de afvalkalender"
    assert klantcontact["taal"] == "nld"
    assert klantcontact["vertrouwelijk"] is False
    assert klantcontact["indicatieContactGelukt"] is True
    assert klantcontact["plaatsgevondenOp"] == "2026-03-09T10:15:42Z"
    [taak] = openklant.stored("internetaken")
    # The hub's key, and which internetaak is the hub's contactverzoek with that key.
    assert klantcontact["metadata"] == {
        "kccHubSleutel": "cv-0001-5b0f7c1e",
        "kccHubSleutel:cv-0001-5b0f7c1e": taak["uuid"],
    }
    assert [a["actoridentificator"] for a in klantcontact["hadBetrokkenActoren"]] == [
        {
            "objectId": "kcc.agent@gemeente.test",
            "codeObjecttype": "mdw",
            "codeRegister": "msei",
            "codeSoortObjectId": "email",
        }
    ]

    [betrokkene] = openklant.stored("betrokkenen")
    assert betrokkene["rol"] == "klant"
    assert betrokkene["initiator"] is True
    assert betrokkene["contactnaam"] == {
        "voorletters": "F",
        "voornaam": "Fenna",
        "voorvoegselAchternaam": "de",
        "achternaam": "Proef",
    }
    assert betrokkene["hadKlantcontact"]["uuid"] == klantcontact["uuid"]
    assert [
        (a["soortDigitaalAdres"], a["adres"], a["omschrijving"])
        for a in openklant.stored("digitaleadressen")
    ] == [("email", EMAIL, "e-mailadres"), ("telefoonnummer", TELEFOON, "telefoonnummer")]

    assert taak["gevraagdeHandeling"] == "Contact opnemen met betrokkene"
    assert taak["status"] == "te_verwerken"
    assert taak["toelichting"] == "Graag terugbellen over de ophaaldag in de Dorpsstraat."
    assert taak["aanleidinggevendKlantcontact"]["uuid"] == klantcontact["uuid"]
    actoren = {a["uuid"]: a for a in openklant.stored("actoren")}
    assert [
        (actoren[a["uuid"]]["soortActor"], actoren[a["uuid"]]["actoridentificator"])
        for a in taak["toegewezenAanActoren"]
    ] == [
        (
            "medewerker",
            {
                "objectId": "mdw-1042",
                "codeObjecttype": "mdw",
                "codeRegister": "obj",
                "codeSoortObjectId": "idf",
            },
        ),
        (
            "organisatorische_eenheid",
            {
                "objectId": "afd-afval",
                "codeObjecttype": "afd",
                "codeRegister": "obj",
                "codeSoortObjectId": "idf",
            },
        ),
    ]
    [onderwerp] = openklant.stored("onderwerpobjecten")
    assert onderwerp["klantcontact"]["uuid"] == klantcontact["uuid"]
    assert onderwerp["onderwerpobjectidentificator"] == {
        "objectId": ZAAK,
        "codeObjecttype": "zgw-Zaak",
        "codeRegister": "openzaak",
        "codeSoortObjectId": "uuid",
    }
    assert written.internetaak.uuid == UUID(taak["uuid"])
    assert written.klantcontact.leidde_tot_interne_taken[0].uuid == UUID(taak["uuid"])
    assert openklant.request_violations == []
    assert openklant.response_violations == []


def test_the_callers_phone_and_email_never_travel_in_a_url(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    write_contactverzoek(client, contactverzoek())

    assert openklant.urls
    assert not [u for u in openklant.urls if TELEFOON in u or "voorbeeld" in u or "Proef" in u]


def test_writing_the_same_contactverzoek_again_creates_nothing(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    first = write_contactverzoek(client, contactverzoek())
    again = write_contactverzoek(client, contactverzoek())

    assert openklant.counts() == KISS_COUNTS
    assert again.internetaak.uuid == first.internetaak.uuid
    assert again.klantcontact.uuid == first.klantcontact.uuid


@pytest.mark.parametrize(
    "lost",
    [
        "klantcontacten",
        "actoren",
        "actorklantcontacten",
        "betrokkenen",
        "digitaleadressen",
        "internetaken",
        "onderwerpobjecten",
    ],
)
def test_a_retry_after_an_accepted_but_lost_create_makes_no_duplicate(
    client: OpenKlantClient, openklant: OpenKlantDouble, lost: str
) -> None:
    openklant.faults.drop_after_create = 1
    openklant.faults.drop_only = lost

    with pytest.raises(UpstreamUnavailable):
        write_contactverzoek(client, contactverzoek())
    assert openklant.counts()[lost] >= 1
    write_contactverzoek(client, contactverzoek())

    assert openklant.counts() == KISS_COUNTS


def test_two_contactverzoeken_in_the_same_second_stay_two(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    write_contactverzoek(client, contactverzoek(sleutel="cv-a"))
    write_contactverzoek(client, contactverzoek(sleutel="cv-b"))

    assert openklant.counts()["klantcontacten"] == 2
    assert openklant.counts()["internetaken"] == 2
    # The actors are shared, as KISS shares them: found by identificator, not created twice.
    assert openklant.counts()["actoren"] == 3


def test_actors_kiss_created_are_reused(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    openklant.seed_contactverzoek(
        toegewezen_aan=[{"soort": "afdeling", "identificatie": "afd-afval", "naam": "Afval"}],
        geregistreerd_door="kcc.agent@gemeente.test",
    )
    before = openklant.counts()["actoren"]

    write_contactverzoek(client, contactverzoek())

    # Only the assigned medewerker is new; the afdeling and the registering agent exist.
    assert openklant.counts()["actoren"] == before + 1


def test_medewerkers_are_assigned_by_email_when_kiss_runs_with_medewerker_email(
    openklant: OpenKlantDouble,
) -> None:
    toewijzing = {
        "soort": "medewerker",
        "identificatie": "mdw-1042",
        "naam": "Jan Jansen",
        "email": "j.jansen@gemeente.test",
    }
    with OpenKlantClient(settings(openklant, medewerker_identificatie="email")) as client:
        write_contactverzoek(client, contactverzoek(toegewezen_aan=[toewijzing]))

    [taak] = openklant.stored("internetaken")
    actor = next(
        a
        for a in openklant.stored("actoren")
        if a["uuid"] == taak["toegewezenAanActoren"][0]["uuid"]
    )
    assert actor["actoridentificator"] == {
        "objectId": "j.jansen@gemeente.test",
        "codeObjecttype": "mdw",
        "codeRegister": "handmatig",
        "codeSoortObjectId": "email",
    }


def test_a_phone_number_open_klant_refuses_is_refused_before_anything_is_written(
    openklant: OpenKlantDouble,
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        contactverzoek(betrokkene={"telefoonnummers": [{"nummer": "0900-1234"}]})

    assert refused.value.field == "betrokkene.telefoonnummers.0.nummer"
    assert "0900" not in refused.value.detail
    assert openklant.counts()["klantcontacten"] == 0


def test_an_onderwerp_over_open_klants_limit_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidRequest) as refused:
        contactverzoek(onderwerp="x" * 201)

    assert refused.value.field == "onderwerp"


def test_an_open_klant_that_drops_metadata_stops_the_write_after_the_klantcontact() -> None:
    with (
        run_openklant_double(tokens=[TOKEN], keep_metadata=False) as old,
        OpenKlantClient(settings(old)) as client,
    ):
        with pytest.raises(UpstreamRejected, match=r"2\.18"):
            write_contactverzoek(client, contactverzoek())

        assert old.counts()["klantcontacten"] == 1
        assert old.counts()["internetaken"] == 0


def test_an_email_address_open_klant_refuses_is_refused_before_anything_is_written(
    openklant: OpenKlantDouble,
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        contactverzoek(betrokkene={"email": "fenna.proef@@voorbeeld"})

    assert refused.value.field == "betrokkene.email"
    assert "fenna" not in refused.value.detail
