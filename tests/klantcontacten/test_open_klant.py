"""Open Klant as the system of record (issue 9, acceptance 4): with the real ``openklant``
plugin against its spec-validating double, the one-call registration writes exactly what KISS
writes, a retry after Open Klant accepted creates nothing twice, afhandelen and doorzetten
reach the internetaak, and an internetaak KISS created gets the hub's mail and reminders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from hub.directory.groep_sinks import apply_groepen
from hub.domain.groepen import Groep
from hub.klantcontacten import Beleid, plan, te_doen, verwerk
from hub.klantcontacten_settings import KlantcontactenSettings
from hub.plugin_api import SyncBatch
from hub.store.base import utcnow
from hub.sync.runner import run_sync
from plugins.openklant.double import OpenKlantDouble, run_openklant_double
from tests.klantcontacten.conftest import Hub, terugbelverzoek
from tests.support.bellers import BELLERS

TOKEN = "openklant-token-voor-de-hub-tests-0123456789"
TOKEN_ENV = "KCC_TEST_OPENKLANT_TOKEN"
ZAAK = "6f1d9c5e-2a7b-4d1e-9f3c-8b2a1e4d7c90"
ZAAK_LINK = {
    "objectId": ZAAK,
    "codeObjecttype": "zgw-Zaak",
    "codeRegister": "openzaak",
    "codeSoortObjectId": "uuid",
}
# What KISS writes for one contactverzoek to a medewerker of an afdeling, with a zaak link.
KISS_COUNTS = {
    "klantcontacten": 1,
    "actorklantcontacten": 1,
    "betrokkenen": 1,
    "digitaleadressen": 2,
    "actoren": 3,  # the registering agent, the medewerker and the afdeling
    "internetaken": 1,
    "onderwerpobjecten": 1,
}


@pytest.fixture(scope="module")
def openklant() -> Iterator[OpenKlantDouble]:
    with run_openklant_double(tokens=[TOKEN]) as double:
        yield double


@pytest.fixture
def hub(
    make_hub: Callable[..., Hub], openklant: OpenKlantDouble, monkeypatch: pytest.MonkeyPatch
) -> Hub:
    openklant.reset()
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return make_hub(
        extra=f"""
[plugins.openklant]
base_url = "{openklant.api_url}"
token = "${{{TOKEN_ENV}}}"
read_timeout_seconds = 3
"""
    )


def register(hub: Hub, **kwargs: Any) -> dict[str, Any]:
    response = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(**kwargs), headers=hub.headers()
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def post(hub: Hub, path: str, body: dict[str, Any], *roles: str, sub: str = "k.agent") -> Any:
    response = hub.client.post(hub.url(path), json=body, headers=hub.headers(*roles, sub=sub))
    assert response.status_code in (200, 201), response.text
    return response.json()


def run_outbox(hub: Hub, later: timedelta = timedelta(0)) -> list[str]:
    rt = hub.runtime
    moment = utcnow() + later
    beleid = Beleid.uit(rt.tenants.hub.outbox)
    return sorted(
        verwerk(rt.store, rt.host, g, r, beleid, nu=lambda: moment)
        for g, r in te_doen(rt.store, nu=moment)
    )


def plan_now(hub: Hub, moment: Any = None) -> None:
    rt = hub.runtime

    def instellingen(code: str) -> KlantcontactenSettings | None:
        gemeente = rt.tenants.get(code)
        return gemeente.klantcontacten if gemeente else None

    plan(rt.store, instellingen, nu=moment)


def actor_of(openklant: OpenKlantDouble, ref: dict[str, Any]) -> dict[str, Any]:
    [actor] = [a for a in openklant.stored("actoren") if a["uuid"] == ref["uuid"]]
    return actor


def identificator(object_id: str, *codes: str) -> dict[str, str]:
    objecttype, register, soort = codes
    return {
        "objectId": object_id,
        "codeObjecttype": objecttype,
        "codeRegister": register,
        "codeSoortObjectId": soort,
    }


def patch_internetaak(openklant: OpenKlantDouble, uuid: str, body: dict[str, Any]) -> None:
    answer = httpx.patch(
        f"{openklant.api_url}/internetaken/{uuid}",
        json=body,
        headers={"Authorization": f"Token {TOKEN}"},
    )
    assert answer.status_code == 200, answer.text


def spec_kept(openklant: OpenKlantDouble) -> None:
    assert openklant.request_violations == []
    assert openklant.response_violations == []


# -- registering -----------------------------------------------------------------------------


def test_one_call_writes_in_open_klant_exactly_what_kiss_writes(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    body = register(
        hub,
        toegewezen_aan={"medewerker": "mw-piet", "afdeling": "Belastingen"},
        onderwerpobjecten=[ZAAK_LINK],
    )

    assert run_outbox(hub) == ["verzonden", "verzonden"]  # the mail and the registration

    assert openklant.counts() == KISS_COUNTS
    [kc] = openklant.stored("klantcontacten")
    assert (kc["kanaal"], kc["onderwerp"], kc["taal"]) == (
        "telefoon",
        "Vraag over de WOZ-beschikking",
        "nld",
    )
    assert kc["inhoud"] == "Beller begrijpt de nieuwe WOZ-waarde niet."
    [agent] = kc["hadBetrokkenActoren"]
    assert agent["actoridentificator"] == identificator(
        "k.agent@gemeente.test", "mdw", "msei", "email"
    )
    [betrokkene] = openklant.stored("betrokkenen")
    assert (betrokkene["rol"], betrokkene["initiator"]) == ("klant", True)
    assert betrokkene["contactnaam"]["achternaam"] == BELLERS[0].achternaam
    assert betrokkene["hadKlantcontact"]["uuid"] == kc["uuid"]
    assert [
        (a["soortDigitaalAdres"], a["adres"]) for a in openklant.stored("digitaleadressen")
    ] == [
        ("email", BELLERS[0].email),
        ("telefoonnummer", BELLERS[0].telefoon_genormaliseerd),
    ]
    [taak] = openklant.stored("internetaken")
    assert taak["gevraagdeHandeling"] == "Contact opnemen met betrokkene"
    assert taak["status"] == "te_verwerken"
    assert taak["toelichting"].startswith("Graag uitleg over de WOZ-waarde 2026")
    assert taak["aanleidinggevendKlantcontact"]["uuid"] == kc["uuid"]
    # Medewerker first, then the afdeling, with KISS's codes; the medewerker by account name.
    assert [actor_of(openklant, a)["actoridentificator"] for a in taak["toegewezenAanActoren"]] == [
        identificator("p.bakker", "mdw", "obj", "idf"),
        identificator("belastingen", "afd", "obj", "idf"),
    ]
    [onderwerp] = openklant.stored("onderwerpobjecten")
    assert onderwerp["klantcontact"]["uuid"] == kc["uuid"]
    assert onderwerp["onderwerpobjectidentificator"] == ZAAK_LINK
    spec_kept(openklant)

    cv = hub.client.get(
        hub.url(f"contactverzoeken/{body['contactverzoek']['id']}"), headers=hub.headers()
    ).json()
    assert cv["registraties"] == [
        {"systeem": "openklant", "status": "verzonden", "url": taak["url"], "fout": None}
    ]
    shown = hub.client.get(hub.url(f"klantcontacten/{body['id']}"), headers=hub.headers()).json()
    assert shown["registraties"][0]["url"] == kc["url"]


def test_the_callers_bsn_and_contact_details_never_travel_in_an_open_klant_url(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    register(hub, bsn=True)
    run_outbox(hub)

    beller = BELLERS[0]
    assert openklant.urls
    for url in openklant.urls:
        for value in (beller.bsn, beller.telefoon_genormaliseerd, beller.email, "bellers.test"):
            assert value not in url


@pytest.mark.parametrize("lost", ["klantcontacten", "internetaken", "digitaleadressen"])
def test_a_job_retried_after_open_klant_accepted_creates_no_duplicate(
    hub: Hub, openklant: OpenKlantDouble, lost: str
) -> None:
    openklant.faults.drop_after_create = 1
    openklant.faults.drop_only = lost
    register(hub, toegewezen_aan={"medewerker": "mw-piet", "afdeling": "Belastingen"})

    assert run_outbox(hub) == ["uitgesteld", "verzonden"]
    assert openklant.counts()[lost] >= 1  # Open Klant kept it; the answer was lost
    assert run_outbox(hub, later=timedelta(hours=1)) == ["verzonden"]

    assert openklant.counts() == {**KISS_COUNTS, "onderwerpobjecten": 0}
    assert len(hub.verzonden) == 1
    spec_kept(openklant)


def test_with_open_klant_down_the_post_answers_201_and_the_mail_still_goes(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    openklant.faults.fail_next = 1_000
    body = register(hub)

    assert run_outbox(hub) == ["uitgesteld", "verzonden"]
    assert len(hub.verzonden) == 1
    shown = hub.client.get(
        hub.url(f"contactverzoeken/{body['contactverzoek']['id']}"), headers=hub.headers()
    ).json()
    assert shown["registraties"][0]["status"] == "in_wachtrij"

    openklant.faults.reset()
    assert run_outbox(hub, later=timedelta(hours=1)) == ["verzonden"]
    assert openklant.counts()["internetaken"] == 1


def test_text_over_open_klants_limits_is_a_400_naming_the_field_and_writes_nothing(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    too_long = [
        ({"onderwerp": "o" * 201}, "onderwerp"),
        ({"inhoud": "i" * 1001}, "inhoud"),
    ]
    for change, field in too_long:
        response = hub.client.post(
            hub.url("klantcontacten"), json=terugbelverzoek(**change), headers=hub.headers()
        )
        assert response.status_code == 400, response.text
        assert [p["name"] for p in response.json()["invalidParams"]] == [field]
    body = terugbelverzoek()
    body["contactverzoek"]["toelichting"] = "t" * 1001
    response = hub.client.post(hub.url("klantcontacten"), json=body, headers=hub.headers())
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == ["contactverzoek.toelichting"]

    assert run_outbox(hub) == []
    assert set(openklant.counts().values()) == {0}


def test_a_contactverzoek_added_to_an_earlier_klantcontact_is_its_internetaak(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    direct = register(hub, afhandeling="direct", contactverzoek=None)
    assert run_outbox(hub) == ["verzonden"]
    assert openklant.counts()["klantcontacten"] == 1
    assert openklant.counts()["internetaken"] == 0

    post(
        hub,
        "contactverzoeken",
        {
            "klantcontact": direct["id"],
            "toelichting": "Toch graag teruggebeld worden.",
            "toegewezenAan": {"afdeling": "Burgerzaken"},
        },
    )
    assert run_outbox(hub) == ["verzonden", "verzonden"]

    [kc] = openklant.stored("klantcontacten")
    [taak] = openklant.stored("internetaken")
    assert taak["aanleidinggevendKlantcontact"]["uuid"] == kc["uuid"]
    assert openklant.counts()["betrokkenen"] == 1
    spec_kept(openklant)


def test_the_hub_and_kiss_share_one_actor_per_medewerker(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    openklant.seed_contactverzoek(
        toegewezen_aan=[{"soort": "medewerker", "identificatie": "p.bakker", "naam": "Piet"}]
    )
    before = openklant.counts()["actoren"]  # KISS's agent and Piet

    register(hub)
    run_outbox(hub)

    # Only the hub's agent is new: Piet's actor is the one KISS made.
    assert openklant.counts()["actoren"] == before + 1
    kiss, ours = openklant.stored("internetaken")
    assert kiss["toegewezenAanActoren"] == ours["toegewezenAanActoren"]


def test_a_groep_is_written_with_the_identificatie_kiss_reads_from_the_hub(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    with hub.runtime.store.session() as session:
        apply_groepen(
            session,
            "9999",
            SyncBatch(
                kind="groepen",
                upserts=[Groep(id="guid-woz", naam="WOZ-team", identificatie="g.woz")],
                full=True,
            ),
            utcnow(),
        )

    register(hub, toegewezen_aan={"groep": "WOZ-team"})
    run_outbox(hub)

    [taak] = openklant.stored("internetaken")
    assert [actor_of(openklant, a)["actoridentificator"] for a in taak["toegewezenAanActoren"]] == [
        identificator("g.woz", "grp", "obj", "idf")
    ]


# -- changes -----------------------------------------------------------------------------------


def test_afhandelen_marks_the_internetaak_verwerkt_and_records_the_poging(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    cv = register(hub)["contactverzoek"]["id"]
    post(hub, f"contactverzoeken/{cv}/pogingen", {"uitkomst": "niet_bereikt"})
    post(hub, f"contactverzoeken/{cv}/_afhandelen", {"uitkomst": "Teruggebeld, uitgelegd."})

    # The changes wait for the registration they update, then converge on the latest state.
    run_outbox(hub)
    run_outbox(hub, later=timedelta(minutes=5))

    [taak] = openklant.stored("internetaken")
    assert taak["status"] == "verwerkt" and taak["afgehandeldOp"] is not None
    origineel, poging = openklant.stored("klantcontacten")
    assert poging["indicatieContactGelukt"] is False
    assert poging["onderwerp"] == "Terugbelpoging: niet bereikt"
    [link] = [o for o in openklant.stored("onderwerpobjecten") if o["wasKlantcontact"]]
    assert (link["klantcontact"]["uuid"], link["wasKlantcontact"]["uuid"]) == (
        poging["uuid"],
        origineel["uuid"],
    )
    spec_kept(openklant)


def test_doorzetten_reassigns_the_internetaak(hub: Hub, openklant: OpenKlantDouble) -> None:
    cv = register(hub)["contactverzoek"]["id"]
    run_outbox(hub)

    post(
        hub,
        f"contactverzoeken/{cv}/_doorzetten",
        {"toegewezenAan": {"afdeling": "Burgerzaken"}, "reden": "Hoort bij Burgerzaken"},
        "backoffice",
        sub="p.bakker",
    )
    run_outbox(hub)

    [taak] = openklant.stored("internetaken")
    assert [actor_of(openklant, a)["actoridentificator"] for a in taak["toegewezenAanActoren"]] == [
        identificator("burgerzaken", "afd", "obj", "idf")
    ]
    assert taak["status"] == "te_verwerken"
    spec_kept(openklant)


# -- internetaken created elsewhere ------------------------------------------------------------


def test_an_internetaak_kiss_created_gets_the_hubs_mail_reminder_and_worklist(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    beller = BELLERS[1]
    openklant.seed_contactverzoek(
        onderwerp="Container niet geleegd",
        toelichting="Wil weten wanneer de container alsnog geleegd wordt.",
        telefoonnummer=beller.telefoon_genormaliseerd,
        toegewezen_aan=[{"soort": "medewerker", "identificatie": "p.bakker", "naam": "P. Bakker"}],
    )

    run_sync(hub.runtime, "9999", "openklant")
    run_sync(hub.runtime, "9999", "openklant")  # a repeated run doubles nothing
    plan_now(hub)
    assert run_outbox(hub) == ["verzonden"]

    [mail] = hub.verzonden
    assert mail.to == ("p.bakker@gemeente.test",)
    assert "alsnog geleegd" in mail.body and beller.telefoon_genormaliseerd in mail.body
    [entry] = hub.client.get(
        hub.url("contactverzoeken"),
        params={"toegewezenAan": "mij"},
        headers=hub.headers("backoffice", sub="p.bakker", key=None),
    ).json()["resultaten"]
    assert entry["bron"] == "openklant"
    assert entry["onderwerp"] == "Container niet geleegd"
    assert entry["deadline"] > entry["toegewezenOp"]

    plan_now(hub, utcnow() + timedelta(days=30))
    run_outbox(hub, later=timedelta(days=30))
    soorten = [
        n["soort"]
        for n in hub.client.get(
            hub.url(f"contactverzoeken/{entry['id']}"), headers=hub.headers()
        ).json()["notificaties"]
    ]
    assert soorten == ["toewijzing", "escalatie"]
    assert len(hub.verzonden) == 2
    spec_kept(openklant)


def test_an_internetaak_kiss_assigned_to_an_afdeling_goes_to_its_mailbox(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    openklant.seed_contactverzoek(
        toegewezen_aan=[
            {"soort": "afdeling", "identificatie": "burgerzaken", "naam": "Burgerzaken"}
        ]
    )

    run_sync(hub.runtime, "9999", "openklant")
    plan_now(hub)
    run_outbox(hub)

    [mail] = hub.verzonden
    assert mail.to == ("burgerzaken@gemeente.test",)


def test_handling_a_kiss_internetaak_in_the_hub_closes_it_in_open_klant_as_assigned(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    seeded = openklant.seed_contactverzoek(
        toegewezen_aan=[{"soort": "afdeling", "identificatie": "afd-17", "naam": "Burgerzaken"}]
    )
    run_sync(hub.runtime, "9999", "openklant")
    [entry] = hub.client.get(hub.url("contactverzoeken"), headers=hub.headers(key=None)).json()[
        "resultaten"
    ]

    post(hub, f"contactverzoeken/{entry['id']}/pogingen", {"uitkomst": "teruggebeld"})
    post(hub, f"contactverzoeken/{entry['id']}/_afhandelen", {"uitkomst": "Uitgelegd."})
    run_outbox(hub)

    [taak] = [t for t in openklant.stored("internetaken") if t["uuid"] == seeded["uuid"]]
    assert taak["status"] == "verwerkt"
    # Still KISS's own afdeling actor: a name match is no reason to reassign.
    assert taak["toegewezenAanActoren"] == seeded["toegewezenAanActoren"]
    spec_kept(openklant)


def test_handled_in_open_klant_is_handled_here(hub: Hub, openklant: OpenKlantDouble) -> None:
    cv = register(hub)["contactverzoek"]["id"]
    run_outbox(hub)
    run_sync(hub.runtime, "9999", "openklant")
    [taak] = openklant.stored("internetaken")

    patch_internetaak(openklant, taak["uuid"], {"status": "verwerkt"})
    run_sync(hub.runtime, "9999", "openklant")

    shown = hub.client.get(hub.url(f"contactverzoeken/{cv}"), headers=hub.headers()).json()
    assert shown["status"] == "verwerkt"
    listed = hub.client.get(hub.url("contactverzoeken"), headers=hub.headers(key=None)).json()
    assert listed["totaal"] == 1  # its own internetaak is linked, not imported again


def test_created_and_handled_in_open_klant_between_two_polls_is_followed(
    hub: Hub, openklant: OpenKlantDouble
) -> None:
    run_sync(hub.runtime, "9999", "openklant")
    cv = register(hub)["contactverzoek"]["id"]
    run_outbox(hub)
    [taak] = openklant.stored("internetaken")
    patch_internetaak(openklant, taak["uuid"], {"status": "verwerkt"})
    elders = openklant.seed_contactverzoek(status="verwerkt")

    run_sync(hub.runtime, "9999", "openklant")

    shown = hub.client.get(hub.url(f"contactverzoeken/{cv}"), headers=hub.headers()).json()
    assert shown["status"] == "verwerkt"
    listed = hub.client.get(
        hub.url("contactverzoeken"), params={"status": "verwerkt"}, headers=hub.headers(key=None)
    ).json()
    assert listed["totaal"] == 2  # KISS's handled one is in the hub's index (and its KPIs)
    assert elders["status"] == "verwerkt"
