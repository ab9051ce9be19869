"""Worklists (issue 9, acceptance 3): mine, my afdeling's, overdue and by status; paged and
sorted by deadline; a backoffice medewerker sees only their own and their afdeling's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from hub.klantcontacten.tables import ContactverzoekRij
from hub.store.base import utcnow
from tests.klantcontacten.conftest import Hub, terugbelverzoek

PIET = {"sub": "p.bakker"}  # backoffice, afdeling Belastingen
ANNA = {"sub": "a.visser"}  # backoffice, afdeling Burgerzaken, groep WOZ-team


@pytest.fixture
def voorraad(hub: Hub) -> dict[str, str]:
    """Six contactverzoeken; 'piet-normaal' is overdue."""
    made: dict[str, str] = {}
    for naam, toegewezen, urgentie in (
        ("piet-normaal", {"medewerker": "mw-piet"}, "normaal"),
        ("piet-hoog", {"medewerker": "mw-piet"}, "hoog"),
        ("belastingen", {"afdeling": "Belastingen"}, "laag"),
        ("anna", {"medewerker": "mw-anna"}, "normaal"),
        ("woz-team", {"groep": "WOZ-team"}, "normaal"),
        ("burgerzaken", {"afdeling": "burgerzaken"}, "normaal"),
    ):
        body = terugbelverzoek(toegewezen)
        body["contactverzoek"]["urgentie"] = urgentie
        response = hub.client.post(hub.url("klantcontacten"), json=body, headers=hub.headers())
        assert response.status_code == 201, response.text
        made[naam] = response.json()["contactverzoek"]["id"]
    with hub.runtime.store.session() as session:
        session.execute(
            update(ContactverzoekRij)
            .where(ContactverzoekRij.id == made["piet-normaal"])
            .values(deadline=utcnow() - timedelta(hours=1))
        )
    return made


def lijst(
    hub: Hub, role: str = "kcc-medewerker", who: dict[str, str] | None = None, **q: Any
) -> Any:
    response = hub.client.get(
        hub.url("contactverzoeken"),
        params=q,
        headers=hub.headers(role, key=None, **(who or {})),
    )
    return response


def ids(response: Any, voorraad: dict[str, str]) -> list[str]:
    assert response.status_code == 200, response.text
    names = {v: k for k, v in voorraad.items()}
    return [names[r["id"]] for r in response.json()["resultaten"]]


def test_mine_is_what_is_assigned_to_me_sorted_by_deadline(
    hub: Hub, voorraad: dict[str, str]
) -> None:
    mine = lijst(hub, "backoffice", PIET, toegewezenAan="mij")

    assert ids(mine, voorraad) == ["piet-normaal", "piet-hoog"]  # overdue first


def test_mij_is_found_by_the_e_mail_claim_too(hub: Hub, voorraad: dict[str, str]) -> None:
    who = {"sub": "8f9c-oidc-subject", "email": "P.Bakker@gemeente.test"}

    assert ids(lijst(hub, "backoffice", who, toegewezenAan="mij"), voorraad) == [
        "piet-normaal",
        "piet-hoog",
    ]


def test_my_afdeling_worklist(hub: Hub, voorraad: dict[str, str]) -> None:
    assert ids(lijst(hub, "backoffice", PIET, toegewezenAan="Belastingen"), voorraad) == [
        "belastingen"
    ]


def test_without_a_filter_backoffice_sees_its_own_its_afdeling_and_its_groups(
    hub: Hub, voorraad: dict[str, str]
) -> None:
    assert sorted(ids(lijst(hub, "backoffice", ANNA), voorraad)) == [
        "anna",
        "burgerzaken",
        "woz-team",
    ]


def test_another_afdeling_or_colleague_is_403_for_backoffice(
    hub: Hub, voorraad: dict[str, str]
) -> None:
    assert lijst(hub, "backoffice", PIET, toegewezenAan="Burgerzaken").status_code == 403
    assert lijst(hub, "backoffice", PIET, toegewezenAan="mw-anna").status_code == 403
    assert lijst(hub, "backoffice", {"sub": "onbekend"}, toegewezenAan="mij").status_code == 403


def test_overdue_and_status_filters(hub: Hub, voorraad: dict[str, str]) -> None:
    hub.client.post(
        hub.url(f"contactverzoeken/{voorraad['piet-hoog']}/_afhandelen"),
        json={"uitkomst": "Teruggebeld."},
        headers=hub.headers(),
    )

    assert ids(lijst(hub, telaat="true"), voorraad) == ["piet-normaal"]
    assert ids(lijst(hub, status="verwerkt"), voorraad) == ["piet-hoog"]
    assert "piet-hoog" not in ids(lijst(hub, status="te_verwerken"), voorraad)
    assert "piet-normaal" not in ids(lijst(hub, telaat="false"), voorraad)


def test_pages_and_sorting(hub: Hub, voorraad: dict[str, str]) -> None:
    first = lijst(hub, toegewezenAan="mw-piet", paginaGrootte=1)
    second = lijst(hub, toegewezenAan="mw-piet", paginaGrootte=1, pagina=2)
    reversed_ = lijst(hub, toegewezenAan="mw-piet", sorteer="-deadline")

    assert ids(first, voorraad) == ["piet-normaal"] and first.json()["totaal"] == 2
    assert ids(second, voorraad) == ["piet-hoog"]
    assert ids(reversed_, voorraad) == ["piet-hoog", "piet-normaal"]
    all_ = ids(lijst(hub, paginaGrootte=100), voorraad)
    deadlines = [r["deadline"] for r in lijst(hub, paginaGrootte=100).json()["resultaten"]]
    assert len(all_) == 6 and deadlines == sorted(deadlines)


def test_a_worklist_entry_shows_the_callback_number_and_the_assignee(
    hub: Hub, voorraad: dict[str, str]
) -> None:
    [entry] = lijst(hub, "backoffice", PIET, toegewezenAan="mij", telaat="true").json()[
        "resultaten"
    ]

    assert entry["teLaat"] is True
    assert entry["betrokkene"]["digitaleAdressen"][0]["soortDigitaalAdres"] == "telefoonnummer"
    assert entry["toegewezenAanActoren"][0]["naam"] == "Piet Bakker"
    assert "burgerservicenummer" not in str(entry)
