"""Each resource the client writes is valid against the Klantinteracties spec, and reads back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from plugins.openklant.client import OpenKlantClient
from plugins.openklant.double import OpenKlantDouble
from plugins.openklant.models import Klantcontact


def _klantcontact(client: OpenKlantClient, **extra: Any) -> Klantcontact:
    return client.klantcontacten.create(
        {
            "kanaal": "telefoon",
            "onderwerp": "Parkeervergunning",
            "inhoud": "Vraag over de wachtlijst.",
            "indicatieContactGelukt": True,
            "taal": "nld",
            "vertrouwelijk": False,
            "plaatsgevondenOp": "2026-03-09T09:00:00+00:00",
            **extra,
        }
    )


def _medewerker(client: OpenKlantClient) -> Any:
    return client.actoren.create(
        {
            "naam": "Jan Jansen",
            "soortActor": "medewerker",
            "indicatieActief": True,
            "actoridentificator": {
                "objectId": "mdw-1042",
                "codeObjecttype": "mdw",
                "codeRegister": "obj",
                "codeSoortObjectId": "idf",
            },
        }
    )


def _no_violations(double: OpenKlantDouble) -> None:
    assert double.request_violations == []
    assert double.response_violations == []


def test_a_klantcontact_is_created_and_read_back(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    created = _klantcontact(client, metadata={"kccHubSleutel": "k-1"})

    read = client.klantcontacten.get(created.uuid)
    assert read == created
    assert read.referentienummer == "0000000001"
    assert read.plaatsgevonden_op == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert read.metadata == {"kccHubSleutel": "k-1"}
    _no_violations(openklant)


def test_a_betrokkene_with_digitale_adressen_is_created(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    klantcontact = _klantcontact(client)
    betrokkene = client.betrokkenen.create(
        {
            "hadKlantcontact": {"uuid": str(klantcontact.uuid)},
            "wasPartij": None,
            "rol": "klant",
            "initiator": True,
            "organisatienaam": "",
            "contactnaam": {"voorletters": "F", "voornaam": "Fenna", "achternaam": "Proef"},
        }
    )
    adres = client.digitale_adressen.create(
        {
            "verstrektDoorBetrokkene": {"uuid": str(betrokkene.uuid)},
            "verstrektDoorPartij": None,
            "adres": "+31201234567",
            "soortDigitaalAdres": "telefoonnummer",
            "omschrijving": "telefoonnummer",
        }
    )

    assert client.betrokkenen.get(betrokkene.uuid).digitale_adressen[0].uuid == adres.uuid
    assert client.betrokkenen.get(betrokkene.uuid).volledige_naam == "Fenna Proef"
    assert [
        b.uuid for b in client.betrokkenen.iterate(hadKlantcontact__uuid=klantcontact.uuid)
    ] == [betrokkene.uuid]
    _no_violations(openklant)


def test_actors_of_each_soort_are_created_and_found_by_identificator(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    medewerker = _medewerker(client)
    afdeling = client.actoren.create(
        {
            "naam": "Burgerzaken",
            "soortActor": "organisatorische_eenheid",
            "indicatieActief": True,
            "actoridentificator": {
                "objectId": "afd-bz",
                "codeObjecttype": "afd",
                "codeRegister": "obj",
                "codeSoortObjectId": "idf",
            },
        }
    )

    found = client.actoren.page(
        actoridentificatorObjectId="afd-bz", actoridentificatorCodeObjecttype="afd"
    )
    assert [a.uuid for a in found.results] == [afdeling.uuid]
    assert client.actoren.get(medewerker.uuid).soort_actor == "medewerker"
    _no_violations(openklant)


def test_an_actor_is_patched_partially(client: OpenKlantClient, openklant: OpenKlantDouble) -> None:
    medewerker = _medewerker(client)

    patched = client.actoren.patch(medewerker.uuid, {"indicatieActief": False})

    assert patched.indicatie_actief is False
    assert patched.naam == "Jan Jansen"
    _no_violations(openklant)


def test_an_internetaak_is_created_with_its_actors(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    klantcontact = _klantcontact(client)
    medewerker = _medewerker(client)

    taak = client.internetaken.create(
        {
            "gevraagdeHandeling": "Contact opnemen met betrokkene",
            "aanleidinggevendKlantcontact": {"uuid": str(klantcontact.uuid)},
            "toegewezenAanActoren": [{"uuid": str(medewerker.uuid)}],
            "toelichting": "Terugbellen",
            "status": "te_verwerken",
        }
    )

    assert taak.toegewezen_aan_actoren[0].uuid == medewerker.uuid
    assert taak.referentienummer == "0000000001"
    assert taak.afgehandeld_op is None
    assert (
        client.klantcontacten.get(klantcontact.uuid).leidde_tot_interne_taken[0].uuid == taak.uuid
    )
    _no_violations(openklant)


def test_an_actorklantcontact_links_the_registering_medewerker(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    klantcontact = _klantcontact(client)
    medewerker = _medewerker(client)

    client.actorklantcontacten.create(
        {"actor": {"uuid": str(medewerker.uuid)}, "klantcontact": {"uuid": str(klantcontact.uuid)}}
    )

    assert [a.uuid for a in client.klantcontacten.get(klantcontact.uuid).had_betrokken_actoren] == [
        medewerker.uuid
    ]
    _no_violations(openklant)


def test_an_onderwerpobject_links_a_zaak(
    client: OpenKlantClient, openklant: OpenKlantDouble
) -> None:
    klantcontact = _klantcontact(client)

    onderwerp = client.onderwerpobjecten.create(
        {
            "klantcontact": {"uuid": str(klantcontact.uuid)},
            "wasKlantcontact": None,
            "onderwerpobjectidentificator": {
                "objectId": "6f1d9c5e-2a7b-4d1e-9f3c-8b2a1e4d7c90",
                "codeObjecttype": "zgw-Zaak",
                "codeRegister": "openzaak",
                "codeSoortObjectId": "uuid",
            },
        }
    )

    found = client.klantcontacten.page(
        onderwerpobject__onderwerpobjectidentificatorObjectId="6f1d9c5e-2a7b-4d1e-9f3c-8b2a1e4d7c90"
    )
    assert [k.uuid for k in found.results] == [klantcontact.uuid]
    assert client.onderwerpobjecten.get(onderwerp.uuid).klantcontact is not None
    _no_violations(openklant)


def test_klantcontacten_are_found_by_the_exact_moment_they_took_place(
    client: OpenKlantClient,
) -> None:
    wanted = _klantcontact(client, plaatsgevondenOp="2026-03-09T10:00:00Z")
    _klantcontact(client, plaatsgevondenOp="2026-03-09T10:00:01Z")

    # The same moment in Dutch winter time.
    found = client.klantcontacten.page(
        plaatsgevondenOp=datetime(2026, 3, 9, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    )

    assert [k.uuid for k in found.results] == [wanted.uuid]
