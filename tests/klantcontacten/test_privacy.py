"""The caller's data (issue 9, acceptance 5): the BSN stored only as keyed hash and ciphertext,
with a logboek record; no BSN, phone number or e-mail address in a URL, an error body or a
mail's forbidden places; Open Klant's limits are a 400 naming the field, on every backend.
(The log lines are scanned for them over the whole test run: tests/support/fixtures.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from hub.klantcontacten import Beleid, te_doen, verwerk
from hub.klantcontacten.tables import KlantcontactRij
from hub.privacy.logboek.tables import LogboekBetrokkene, LogboekRecord
from hub.privacy.settings import privacy_for
from tests.klantcontacten.conftest import Hub, terugbelverzoek
from tests.support.bellers import BELLERS

BELLER = BELLERS[0]
TABLES = (
    "klantcontacten",
    "klantcontact_digitale_adressen",
    "contactverzoeken",
    "contactverzoek_toewijzingen",
    "klantcontacten_outbox",
    "klantcontacten_idempotentie",
)


def post(hub: Hub, body: dict[str, Any], path: str = "klantcontacten") -> Any:
    return hub.client.post(hub.url(path), json=body, headers=hub.headers())


def test_the_bsn_is_stored_only_as_keyed_hash_and_ciphertext(hub: Hub) -> None:
    body = post(hub, terugbelverzoek(bsn=True)).json()

    with hub.runtime.store.session() as session:
        row = session.get(KlantcontactRij, body["id"])
        assert row is not None and row.bsn_versleuteld is not None
        privacy = privacy_for(hub.runtime.tenants.gemeenten["9999"])
        assert row.bsn_hash == privacy.sleutels.betrokkene_hash(BELLER.bsn)
        assert privacy.sleutels.versleutelaar().ontsleutel(row.bsn_versleuteld) == BELLER.bsn
        for table in TABLES:
            dump = str(session.execute(text(f"SELECT * FROM {table}")).all())
            assert BELLER.bsn not in dump, table
    assert body["betrokkene"]["bsnBekend"] is True
    assert BELLER.bsn not in str(body)


def test_registering_with_a_bsn_writes_a_logboek_record_with_the_doel(hub: Hub) -> None:
    post(hub, terugbelverzoek(bsn=True))

    with hub.runtime.store.session() as session:
        [record] = session.scalars(
            select(LogboekRecord).where(LogboekRecord.name == "klantcontact-registreren")
        ).all()
        [betrokkene] = session.scalars(
            select(LogboekBetrokkene).where(LogboekBetrokkene.logboek_id == record.id)
        ).all()
    privacy = privacy_for(hub.runtime.tenants.gemeenten["9999"])
    assert record.doel == "kcc-identificatie" and record.medewerker == "k.agent"
    assert betrokkene.betrokkene_hash == privacy.sleutels.betrokkene_hash(BELLER.bsn)


def test_registering_without_a_bsn_writes_no_logboek_record(hub: Hub) -> None:
    post(hub, terugbelverzoek())

    with hub.runtime.store.session() as session:
        assert session.scalars(select(LogboekRecord)).all() == []


def test_an_unknown_doel_is_refused_and_the_attempt_logged(hub: Hub) -> None:
    response = post(hub, terugbelverzoek(bsn=True, doel="nieuwsgierigheid"))

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "doel"
    with hub.runtime.store.session() as session:
        [record] = session.scalars(select(LogboekRecord)).all()
        assert record.status_code == 2  # refused attempts are logged too
        assert session.scalars(select(KlantcontactRij)).all() == []


@pytest.mark.parametrize(
    ("field", "path", "value"),
    [
        ("kanaal", ("kanaal",), "t" * 51),
        ("onderwerp", ("onderwerp",), "o" * 201),
        ("inhoud", ("inhoud",), "i" * 1001),
        ("contactverzoek.toelichting", ("contactverzoek", "toelichting"), "t" * 1001),
        (
            "contactverzoek.gevraagdeHandeling",
            ("contactverzoek", "gevraagdeHandeling"),
            "g" * 201,
        ),
        (
            "betrokkene.contactnaam.achternaam",
            ("betrokkene", "contactnaam", "achternaam"),
            "a" * 201,
        ),
        ("betrokkene.organisatienaam", ("betrokkene", "organisatienaam"), "o" * 201),
    ],
)
def test_text_over_open_klants_limits_is_a_400_naming_the_field(
    hub: Hub, field: str, path: tuple[str, ...], value: str
) -> None:
    body = terugbelverzoek()
    target = body
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value

    response = post(hub, body)

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == field


def test_a_wrong_phone_number_or_e_mail_is_a_400_that_does_not_repeat_it(hub: Hub) -> None:
    for soort, adres in (("telefoonnummer", "06-4711 23"), ("email", "roos.verbeek@")):
        body = terugbelverzoek()
        body["betrokkene"]["digitaleAdressen"] = [{"soortDigitaalAdres": soort, "adres": adres}]

        response = post(hub, body)

        assert response.status_code == 400
        assert response.json()["invalidParams"][0]["name"] == "betrokkene.digitaleAdressen.0.adres"
        assert adres not in response.text and "4711" not in response.text


def test_an_invalid_bsn_is_refused_without_repeating_it(hub: Hub) -> None:
    body = terugbelverzoek()
    body["betrokkene"]["burgerservicenummer"] = "999993654"

    response = post(hub, body)

    assert response.status_code == 400 and "999993654" not in response.text


def test_a_contactverzoek_needs_a_way_to_reach_the_caller(hub: Hub) -> None:
    body = terugbelverzoek()
    body["betrokkene"]["digitaleAdressen"] = []

    response = post(hub, body)

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "betrokkene.digitaleAdressen"


def test_a_bsn_typed_into_the_question_never_reaches_the_mail(hub: Hub) -> None:
    body = terugbelverzoek()
    body["contactverzoek"]["toelichting"] = f"Beller noemde BSN {BELLER.bsn} aan de telefoon."
    post(hub, body)
    rt = hub.runtime
    for g, r in te_doen(rt.store):
        verwerk(rt.store, rt.host, g, r, Beleid.uit(rt.tenants.hub.outbox))

    [mail] = hub.verzonden
    assert BELLER.bsn not in mail.body and "[BSN]" in mail.body


def test_search_by_bsn_phone_or_e_mail_finds_the_callers_contacts(hub: Hub) -> None:
    mine = post(hub, terugbelverzoek(bsn=True)).json()["id"]
    post(hub, terugbelverzoek(index=1, bsn=True))

    for vraag in (
        {"burgerservicenummer": BELLER.bsn, "doel": "kcc-identificatie"},
        {"telefoonnummer": "+31 6 4711 2368"},
        {"emailadres": BELLER.email.upper()},
    ):
        response = post(hub, vraag, "klantcontacten/_zoek")
        assert response.status_code == 200, response.text
        assert [r["id"] for r in response.json()["resultaten"]] == [mine]
    with hub.runtime.store.session() as session:
        zoek = session.scalars(
            select(LogboekRecord).where(LogboekRecord.name == "klantcontacten-zoeken")
        ).all()
    assert len(zoek) == 1 and zoek[0].doel == "kcc-identificatie"


def test_a_bsn_in_the_query_string_is_refused(hub: Hub) -> None:
    response = hub.client.get(
        hub.url("klantcontacten"), params={"medewerker": BELLER.bsn}, headers=hub.headers()
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["code"] == "bsnInUrl"


def test_a_registration_refused_after_the_bsn_was_given_is_logged_as_refused(hub: Hub) -> None:
    response = post(hub, terugbelverzoek({"medewerker": "mw-bestaat-niet"}, bsn=True))

    assert response.status_code == 400
    with hub.runtime.store.session() as session:
        [record] = session.scalars(select(LogboekRecord)).all()
        assert record.status_code == 2 and record.http_status == 400
        assert session.scalars(select(KlantcontactRij)).all() == []
