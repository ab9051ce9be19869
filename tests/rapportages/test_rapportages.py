"""``GET …/rapportages/klantcontacten``: the KCC's figures, exact, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hub.domain.klantcontacten import ExterneInternetaak, Status
from hub.klantcontacten import plan
from hub.klantcontacten.doorlooptijd import vul_aan
from hub.klantcontacten.overname import neem_over
from hub.klantcontacten.tables import ContactverzoekRij
from tests.klantcontacten.conftest import Hub, terugbelverzoek
from tests.rapportages import verwachting
from tests.rapportages.gegevens import genereer, sla_op

VAN, TOT = date(2026, 3, 1), date(2026, 3, 31)
PAD = "rapportages/klantcontacten"


def _vul(hub: Hub) -> list[Any]:
    contacten = genereer()
    sla_op(hub.runtime.store, "9999", contacten)
    instellingen = hub.runtime.tenants.get("9999")
    assert instellingen is not None
    # The reminder planner fixes the lead times of handled contactverzoeken, in batches.
    while vul_aan(hub.runtime.store, lambda _: instellingen.klantcontacten):
        pass
    return contacten


def _vraag(hub: Hub, groepeer: str, rol: str = "teamleider", **headers: str) -> Any:
    return hub.client.get(
        hub.url(PAD),
        params={"van": VAN.isoformat(), "tot": TOT.isoformat(), "groepeer": groepeer},
        headers={**hub.headers(rol, key=None), **headers},
    )


def test_a_thousand_klantcontacten_give_the_hand_computed_figures_per_grouping(hub: Hub) -> None:
    contacten = verwachting.in_periode(_vul(hub), VAN, TOT)
    assert len(contacten) == 1000
    for groepeer in ("kanaal", "afdeling", "medewerker", "dag", "week"):
        nu = datetime.now(UTC)
        response = _vraag(hub, groepeer)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["totaal"] == verwachting.cijfers(contacten, nu), groepeer
        assert body["groepen"] == verwachting.per_groep(contacten, groepeer, nu), groepeer
        assert body["afdelingenMetContactverzoeken"] == verwachting.afdelingen(contacten)
        assert body["openPerAfdeling"] == verwachting.open_per_afdeling(contacten, nu)
        assert body["norm"] == {"directProcent": 80}


def test_the_csv_holds_the_same_figures_as_the_json(hub: Hub) -> None:
    _vul(hub)
    body = _vraag(hub, "kanaal").json()
    response = _vraag(hub, "kanaal", Accept="text/csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rijen = list(csv.DictReader(io.StringIO(response.text), delimiter=";"))
    assert [r["groep"] for r in rijen] == ["totaal"] + [g["groep"] for g in body["groepen"]]
    for rij, cijfers in zip(rijen, [body["totaal"], *body["groepen"]], strict=True):
        assert int(rij["klantcontacten"]) == cijfers["klantcontacten"]
        assert float(rij["aandeelDirect"]) == cijfers["direct"]["aandeel"]
        assert (
            float(rij["mediaanWerkuren"])
            == (cijfers["contactverzoeken"]["doorlooptijd"]["mediaanWerkuren"])
        )


def test_a_registered_and_handled_contactverzoek_counts_with_its_lead_time(hub: Hub) -> None:
    registered = hub.client.post(
        hub.url("klantcontacten"),
        json=terugbelverzoek({"afdeling": "Burgerzaken"}),
        headers=hub.headers("kcc-medewerker"),
    )
    assert registered.status_code == 201, registered.text
    cv_id = registered.json()["contactverzoek"]["id"]
    handled = hub.client.post(
        hub.url(f"contactverzoeken/{cv_id}/_afhandelen"),
        json={"uitkomst": "Beller teruggebeld en geholpen."},
        headers=hub.headers("kcc-medewerker"),
    )
    assert handled.status_code == 200, handled.text
    vandaag = datetime.now(UTC).astimezone(verwachting.AMSTERDAM).date().isoformat()
    body = hub.client.get(
        hub.url(PAD),
        params={"van": vandaag, "tot": vandaag, "groepeer": "afdeling"},
        headers=hub.headers("beheerder", key=None),
    ).json()
    assert body["totaal"]["contactverzoek"] == {"aantal": 1, "aandeel": 1.0}
    cv = body["totaal"]["contactverzoeken"]
    assert (cv["afgehandeld"], cv["binnenTermijn"], cv["open"]) == (1, 1, 0)
    assert cv["doorlooptijd"]["mediaanUren"] is not None
    assert [g["groep"] for g in body["groepen"]] == ["Burgerzaken"]


@pytest.mark.parametrize("rol", ["kcc-medewerker", "backoffice", "privacy-officer"])
def test_only_the_beheerder_and_the_teamleider_read_rapportages(hub: Hub, rol: str) -> None:
    response = _vraag(hub, "week", rol=rol)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "veld"),
    [
        ({"van": "2026-13-01"}, "van"),
        ({"van": "1 maart"}, "van"),
        ({"tot": "2026-02-30"}, "tot"),
        ({"van": "2026-03-10", "tot": "2026-03-01"}, "tot"),
        ({"van": "2024-01-01", "tot": "2026-03-01"}, "tot"),
        ({"groepeer": "maand"}, "groepeer"),
    ],
)
def test_bad_parameters_are_a_problem_naming_the_field(
    hub: Hub, params: dict[str, str], veld: str
) -> None:
    response = hub.client.get(
        hub.url(PAD), params=params, headers=hub.headers("teamleider", key=None)
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [p["name"] for p in response.json()["invalidParams"]] == [veld]


def test_an_empty_period_has_zero_counts_and_no_shares(hub: Hub) -> None:
    response = _vraag(hub, "dag")
    assert response.status_code == 200
    body = response.json()
    assert body["groepen"] == []
    assert body["totaal"]["klantcontacten"] == 0
    assert body["totaal"]["direct"] == {"aantal": 0, "aandeel": None}
    assert body["totaal"]["haaltNorm"] is None


def test_the_figures_hold_no_person_data(hub: Hub) -> None:
    registered = hub.client.post(
        hub.url("klantcontacten"),
        json=terugbelverzoek({"afdeling": "Burgerzaken"}, bsn=True),
        headers=hub.headers("kcc-medewerker"),
    )
    assert registered.status_code == 201
    vandaag = datetime.now(UTC).astimezone(verwachting.AMSTERDAM).date().isoformat()
    tekst = hub.client.get(
        hub.url(PAD),
        params={"van": vandaag, "tot": vandaag, "groepeer": "medewerker"},
        headers=hub.headers("teamleider", key=None),
    ).text
    betrokkene = terugbelverzoek(bsn=True)["betrokkene"]
    for waarde in (
        betrokkene["burgerservicenummer"],
        betrokkene["contactnaam"]["achternaam"],
        *(a["adres"] for a in betrokkene["digitaleAdressen"]),
    ):
        assert waarde not in tekst


def test_an_internetaak_handled_in_the_system_of_record_gets_its_lead_time_from_the_planner(
    hub: Hub,
) -> None:
    toegewezen = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Amsterdam
    taak = ExterneInternetaak(
        systeem="openklant",
        extern_id="it-1",
        url="https://openklant.test/internetaken/it-1",
        gevraagde_handeling="Terugbellen",
        status=Status.VERWERKT,
        toegewezen_op=toegewezen,
        afgehandeld_op=datetime(2026, 3, 11, 8, 0, tzinfo=UTC),  # Wednesday 09:00 local
    )
    with hub.runtime.store.session() as session:
        neem_over(session, "9999", taak, toegewezen)
    gemeente = hub.runtime.tenants.get("9999")
    assert gemeente is not None
    plan(hub.runtime.store, lambda _: gemeente.klantcontacten, nu=datetime(2026, 3, 11, tzinfo=UTC))
    with hub.runtime.store.session() as session:
        cv = session.query(ContactverzoekRij).filter_by(extern_id="it-1").one()
        # 10:00–17:00 on Tuesday and 08:30–09:00 on Wednesday; its deadline set meanwhile.
        assert (cv.doorlooptijd_seconden, cv.doorlooptijd_werkseconden) == (23 * 3600, 27_000)
        assert cv.binnen_termijn is True and cv.deadline > toegewezen
