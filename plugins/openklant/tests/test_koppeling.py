"""The seam hooks on their own: which identificators the hub's actors get, what KISS's actors
become in the hub, and what one poll of the internetaken hands over (and what it skips)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from hub.domain.klantcontacten import (
    Afhandeling,
    DigitaalAdres,
    Rol,
    SoortActor,
    SoortDigitaalAdres,
    Status,
)
from hub.domain.klantcontacten_seam import (
    ExterneInternetaak,
    KlantcontactRegistratie,
    SeamActor,
    SeamBetrokkene,
)
from hub.errors import InvalidRequest
from hub.plugin_api import HookContext
from plugins.openklant import mapping, plugin
from plugins.openklant.double import OpenKlantDouble
from plugins.openklant.models import Actor
from plugins.openklant.tests.conftest import TOKEN, settings

PIET = SeamActor(
    soort_actor=SoortActor.MEDEWERKER,
    naam="Piet Bakker",
    medewerker_id="3f2a9c1e-guid",
    account_naam="p.bakker",
    emailadres="p.bakker@gemeente.test",
)


def ctx(double: OpenKlantDouble, **extra: Any) -> HookContext:
    return HookContext(gemeente="9999", settings=settings(double, **extra))


def poll(context: HookContext, since: Mapping[str, Any] | None = None) -> tuple[list[Any], Any]:
    """What one sync run hands over, and the checkpoint it leaves."""
    upserts: list[ExterneInternetaak] = []
    checkpoint = None
    for batch in plugin.kcc_sync(context, since, False):
        upserts += batch.upserts  # type: ignore[arg-type]
        checkpoint = batch.checkpoint or checkpoint
    return upserts, checkpoint


@pytest.mark.parametrize(
    ("keuze", "object_id"),
    [
        ("accountnaam", "p.bakker"),
        ("id", "3f2a9c1e-guid"),
        ("email", "p.bakker@gemeente.test"),
    ],
)
def test_a_medewerker_actor_is_keyed_on_the_configured_directory_value(
    openklant: OpenKlantDouble, keuze: str, object_id: str
) -> None:
    s = settings(openklant, medewerker_object_id=keuze)

    [toewijzing] = mapping.toewijzingen(s, [PIET])

    assert (toewijzing.identificatie, toewijzing.per_email) == (object_id, False)


def test_a_medewerker_known_only_by_email_gets_kiss_email_codes(
    openklant: OpenKlantDouble,
) -> None:
    alleen_mail = SeamActor(
        soort_actor=SoortActor.MEDEWERKER, naam="Extern", emailadres="extern@gemeente.test"
    )

    [toewijzing] = mapping.toewijzingen(settings(openklant), [alleen_mail])

    assert (toewijzing.identificatie, toewijzing.per_email) == ("extern@gemeente.test", True)


def test_an_afdeling_is_keyed_on_its_folded_name_or_its_name(openklant: OpenKlantDouble) -> None:
    afdeling = SeamActor(
        soort_actor=SoortActor.ORGANISATORISCHE_EENHEID, naam="Financiën", afdeling="Financiën"
    )

    [slug] = mapping.toewijzingen(settings(openklant), [afdeling])
    [naam] = mapping.toewijzingen(settings(openklant, afdeling_object_id="naam"), [afdeling])

    assert (slug.soort, slug.identificatie) == ("afdeling", "financien")
    assert naam.identificatie == "Financiën"
    assert mapping.slug("Sociaal  Domein / Jeugd") == "sociaal-domein-jeugd"


def test_the_identificatie_the_hub_hands_over_is_the_object_id(openklant: OpenKlantDouble) -> None:
    groep = SeamActor(
        soort_actor=SoortActor.ORGANISATORISCHE_EENHEID,
        naam="WOZ-team",
        groep="WOZ-team",
        identificatie="gg-woz",
    )
    afdeling = SeamActor(
        soort_actor=SoortActor.ORGANISATORISCHE_EENHEID,
        naam="Sociaal Domein",
        afdeling="Sociaal Domein",
        identificatie="sociaal-domein",
    )

    found = mapping.toewijzingen(settings(openklant), [groep, afdeling])

    assert [(t.soort, t.identificatie, t.naam) for t in found] == [
        ("groep", "gg-woz", "WOZ-team"),
        ("afdeling", "sociaal-domein", "Sociaal Domein"),
    ]


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (("mdw", "obj", "idf", "p.bakker"), {"medewerker_id": "p.bakker", "emailadres": None}),
        (
            ("mdw", "handmatig", "email", "p@gemeente.test"),
            {"medewerker_id": None, "emailadres": "p@gemeente.test"},
        ),
        (("grp", "obj", "idf", "woz"), {"groep": "WOZ-team", "afdeling": None}),
        (("afd", "obj", "idf", "afval"), {"afdeling": "WOZ-team", "groep": None}),
    ],
)
def test_kiss_actors_become_the_hubs_actors(
    openklant: OpenKlantDouble, codes: tuple[str, str, str, str], expected: dict[str, Any]
) -> None:
    objecttype, register, soort, object_id = codes
    actor = Actor.model_validate(
        {
            "uuid": "0b5e8e8a-7a4e-4d38-9e43-43d1a5d1e6c1",
            "url": "https://openklant.test/actoren/0b5e",
            "naam": "WOZ-team",
            "soortActor": "medewerker" if objecttype == "mdw" else "organisatorische_eenheid",
            "actoridentificator": {
                "objectId": object_id,
                "codeObjecttype": objecttype,
                "codeRegister": register,
                "codeSoortObjectId": soort,
            },
        }
    )

    seam = mapping.seam_actor(settings(openklant), actor)

    assert {key: getattr(seam, key) for key in expected} == expected


def test_a_registration_open_klant_would_refuse_names_the_field_and_writes_nothing(
    openklant: OpenKlantDouble,
) -> None:
    # Stored before the hub checked numbers as Open Klant does (the core hands stored
    # addresses over as they are).
    oud_nummer = DigitaalAdres.model_construct(
        soort_digitaal_adres=SoortDigitaalAdres.TELEFOONNUMMER, adres="0800-1234", omschrijving=None
    )
    registratie = KlantcontactRegistratie(
        id="kc-1",
        kanaal="telefoon",
        onderwerp="Vraag",
        vertrouwelijk=False,
        taal="nld",
        plaatsgevonden_op=datetime(2026, 3, 9, 10, 15, tzinfo=UTC),
        afhandeling=Afhandeling.DIRECT,
        geregistreerd_door=PIET,
        betrokkene=SeamBetrokkene(rol=Rol.KLANT, initiator=True, digitale_adressen=[oud_nummer]),
    )

    with pytest.raises(InvalidRequest) as refused:
        plugin.kcc_register_klantcontact(ctx(openklant), registratie)

    assert refused.value.field == "betrokkene.telefoonnummers.0.nummer"
    assert set(openklant.counts().values()) == {0}


def test_a_poll_hands_over_each_new_internetaak_once(openklant: OpenKlantDouble) -> None:
    context = ctx(openklant)
    eerste = openklant.seed_contactverzoek(onderwerp="Eerste")

    first, checkpoint = poll(context)
    openklant.seed_contactverzoek(onderwerp="Tweede")
    second, checkpoint = poll(context, checkpoint)
    third, _ = poll(context, checkpoint)

    assert [t.onderwerp for t in first] == ["Eerste"]
    assert [t.onderwerp for t in second] == ["Tweede"]
    assert third == []
    assert first[0].extern_id == eerste["uuid"]
    assert first[0].kcc_hub_id is None
    assert first[0].toegewezen_aan_actoren[0].afdeling == "Afval en reiniging"


def test_one_handled_long_after_it_was_assigned_is_read_again(
    openklant: OpenKlantDouble,
) -> None:
    context = ctx(openklant)
    taak = openklant.seed_contactverzoek()
    _, checkpoint = poll(context)
    # Assigned long ago, as far as the next poll can tell.
    checkpoint = {**checkpoint, "nieuwste": "2030-01-01T00:00:00+00:00"}
    httpx.patch(
        f"{openklant.api_url}/internetaken/{taak['uuid']}",
        json={"status": "verwerkt"},
        headers={"Authorization": f"Token {TOKEN}"},
    ).raise_for_status()

    handed, checkpoint = poll(context, checkpoint)

    assert [(t.extern_id, t.status) for t in handed] == [(taak["uuid"], Status.VERWERKT)]
    assert checkpoint["open"] == []


def test_with_more_open_than_the_pages_read_nothing_is_taken_for_handled(
    openklant: OpenKlantDouble,
) -> None:
    for _ in range(5):
        openklant.seed_contactverzoek()
    context = ctx(openklant, internetaken={"page_size": 2, "max_pages": 2})

    first, checkpoint = poll(context)
    openklant.requests.clear()
    _, again = poll(context, checkpoint)

    assert len(first) == 4
    assert len(again["open"]) == 4
    assert openklant.requests["GET /klantinteracties/api/v1/internetaken/{uuid}"] == 0


def test_watching_can_be_switched_off(openklant: OpenKlantDouble) -> None:
    openklant.seed_contactverzoek()

    assert poll(ctx(openklant, internetaken={"enabled": False})) == ([], None)
