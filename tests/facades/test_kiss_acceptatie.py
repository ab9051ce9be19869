"""KISS on the hub, end to end: a real Samba AD DC, the real AD and BRP plugins, the BRP double.

Users in three AD groups that map to three roles replay KISS's three BRP requests with
KISS's headers; each gets the fields of their role, each lookup is in the logboek with
the user and the doel, and every answer conforms to Haal Centraal BRP Personen v2.
Moving a user to another group changes their masking after the next (incremental)
sync; disabling an account gets it refused.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import ldap3
import pytest
from sqlalchemy import select

from hub.privacy.logboek import tables as logboek_tables
from hub.sync.runner import run_sync
from plugins.ad.double.samba import (
    BASE_DN,
    UAC_DISABLED,
    SambaDC,
    SambaUnavailableError,
    TestPerson,
    add_people,
    ensure_ou,
    make_people,
    samba_dc,
)
from plugins.brp.double.haalcentraal import HaalCentraalDouble, run_haalcentraal_double
from tests.facades import kiss
from tests.facades.conftest import API_KEY, GROEPROLLEN, Hub, gemeente_toml
from tests.facades.specs import assert_valid_brp_answer

pytestmark = pytest.mark.samba

URL = "/api/v1/gemeenten/9999/haalcentraal/brp/personen"
PASSWORD_ENV = "KCC_TEST_FACADES_AD_PASSWORD"
DEMO = "999993653"
DOEL = "klantcontact"
ROLE_GROUPS = {rol: groep for groep, rol in GROEPROLLEN.items()}


@pytest.fixture(scope="module")
def dc() -> Iterator[SambaDC]:
    try:
        with samba_dc() as started:
            os.environ[PASSWORD_ENV] = started.admin_password
            yield started
    except SambaUnavailableError as exc:
        if os.geteuid() != 0:
            pytest.skip(f"no Samba AD DC: {exc}")
        raise


@dataclass
class Afdeling:
    """One OU in the DC: a KCC agent, a backoffice colleague, the privacy officer."""

    ou: str
    people: dict[str, TestPerson]
    dns: dict[str, str]
    groups: dict[str, str]


def _group(conn: ldap3.Connection, ou: str, naam: str, sam: str) -> str:
    dn = f"CN={naam},{ou}"
    assert conn.add(dn, ["top", "group"], {"sAMAccountName": sam}), conn.result
    return dn


@pytest.fixture
def afdeling(dc: SambaDC) -> Afdeling:
    suffix = uuid.uuid4().hex[:6]
    ou = f"OU=Kiss{suffix},OU=Gemeente,{BASE_DN}"
    rollen = ("kcc-medewerker", "backoffice", "privacy-officer")
    people = dict(zip(rollen, make_people(3, seed=77, prefix="k" + suffix), strict=True))
    with dc.connection() as conn:
        ensure_ou(conn, ou)
        dns = dict(zip(rollen, add_people(conn, people.values(), ou), strict=True))
        groups = {rol: _group(conn, ou, ROLE_GROUPS[rol], f"{rol[:6]}-{suffix}") for rol in rollen}
        for rol in rollen:
            assert conn.modify(groups[rol], {"member": [(ldap3.MODIFY_ADD, [dns[rol]])]})
    return Afdeling(ou, people, dns, groups)


@pytest.fixture
def brp() -> Iterator[HaalCentraalDouble]:
    with run_haalcentraal_double() as double:
        yield double
        assert double.spec_violations == []


@pytest.fixture
def hub(
    make_hub: Callable[..., Hub],
    database_url: str,
    dc: SambaDC,
    afdeling: Afdeling,
    brp: HaalCentraalDouble,
) -> Hub:
    ad = {
        "servers": [dc.host],
        "tls": "ldaps",
        "ca_file": str(dc.tls.ca_file),
        "bind_user": "Administrator@gemeente.test",
        "bind_password": "${" + PASSWORD_ENV + "}",
        "search_bases": [afdeling.ou],
    }
    built = make_hub(database_url, gemeente_toml(brp_url=brp.base_url, ad=ad), plugins="ad,brp")
    assert run_sync(built.runtime, "9999", "ad").full
    return built


def ask(hub: Hub, body: dict[str, Any], person: TestPerson | str) -> Any:
    gebruiker = person if isinstance(person, str) else person.mail
    response = hub.client.post(URL, json=body, headers=kiss.headers(API_KEY, gebruiker, DOEL))
    assert_valid_brp_answer(response)
    return response


KISS_REQUESTS = [
    kiss.raadpleeg_bsn(DEMO),
    kiss.zoek_geslachtsnaam_geboortedatum("Jans", "1985-04-12"),
    kiss.zoek_postcode_huisnummer("9999AA", "12"),
]


def suzanne(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    found = [p for p in response.json()["personen"] if p["naam"]["voornamen"] == "Suzanne Maria"]
    assert len(found) == 1
    return dict(found[0])


def logged(hub: Hub) -> list[logboek_tables.LogboekRecord]:
    with hub.store.session() as session:
        return list(
            session.scalars(
                select(logboek_tables.LogboekRecord).order_by(logboek_tables.LogboekRecord.id)
            )
        )


def test_kiss_requests_get_the_fields_of_the_role_the_users_ad_group_maps_to(
    hub: Hub, afdeling: Afdeling
) -> None:
    kcc, backoffice, fg = (
        afdeling.people[r] for r in ("kcc-medewerker", "backoffice", "privacy-officer")
    )
    for body in KISS_REQUESTS:
        agent = suzanne(ask(hub, body, kcc))
        colleague = suzanne(ask(hub, body, backoffice))
        # The KCC agent: the name, the birth date and the address; never the full BSN.
        assert agent["naam"]["geslachtsnaam"] == "Jansen" and agent["geboorte"]["datum"]
        assert "burgerservicenummer" not in agent
        # The backoffice: the full BSN as well.
        assert colleague["burgerservicenummer"] == DEMO
        # The privacy officer sees no person data at all.
        assert ask(hub, body, fg).status_code == 403
    raadpleeg = suzanne(ask(hub, kiss.raadpleeg_bsn(DEMO), backoffice))
    assert raadpleeg["geboorte"]["plaats"] and raadpleeg["geboorte"]["land"]
    assert "plaats" not in suzanne(ask(hub, kiss.raadpleeg_bsn(DEMO), kcc))["geboorte"]

    records = logged(hub)
    assert len(records) == 3 * 3 + 2
    assert all(r.doel == DOEL and r.client_id == "kiss" for r in records)
    assert {r.medewerker for r in records} == {kcc.sam, backoffice.sam, fg.sam}
    assert {r.rol for r in records if r.medewerker == fg.sam} == {"privacy-officer"}


def test_an_unknown_user_gets_403_and_the_attempt_is_logged(hub: Hub) -> None:
    response = ask(hub, kiss.raadpleeg_bsn(DEMO), "onbekend@gemeente.test")
    assert response.status_code == 403
    assert response.json()["code"] == "onbekendeGebruiker"
    (record,) = logged(hub)
    assert (record.medewerker, record.doel, record.status) == (
        "onbekend@gemeente.test",
        DOEL,
        "geen_toegang",
    )


def test_moving_a_user_to_another_ad_group_changes_their_masking_after_the_next_sync(
    hub: Hub, afdeling: Afdeling, dc: SambaDC
) -> None:
    kcc = afdeling.people["kcc-medewerker"]
    assert "burgerservicenummer" not in suzanne(ask(hub, kiss.raadpleeg_bsn(DEMO), kcc))
    with dc.connection() as conn:
        user = afdeling.dns["kcc-medewerker"]
        conn.modify(afdeling.groups["kcc-medewerker"], {"member": [(ldap3.MODIFY_DELETE, [user])]})
        conn.modify(afdeling.groups["backoffice"], {"member": [(ldap3.MODIFY_ADD, [user])]})

    outcome = run_sync(hub.runtime, "9999", "ad")

    assert not outcome.full
    assert suzanne(ask(hub, kiss.raadpleeg_bsn(DEMO), kcc))["burgerservicenummer"] == DEMO
    assert logged(hub)[-1].rol == "backoffice"


def test_a_disabled_account_is_refused_after_the_next_sync(
    hub: Hub, afdeling: Afdeling, dc: SambaDC
) -> None:
    backoffice = afdeling.people["backoffice"]
    assert ask(hub, kiss.raadpleeg_bsn(DEMO), backoffice).status_code == 200
    with dc.connection() as conn:
        conn.modify(
            afdeling.dns["backoffice"],
            {"userAccountControl": [(ldap3.MODIFY_REPLACE, [str(UAC_DISABLED)])]},
        )

    assert not run_sync(hub.runtime, "9999", "ad").full

    response = ask(hub, kiss.raadpleeg_bsn(DEMO), backoffice)
    assert response.status_code == 403
    assert response.json()["code"] == "accountUitgeschakeld"
    assert logged(hub)[-1].status == "geen_toegang"
    # By account name too, as KISS may be configured to send it.
    assert (
        ask(hub, kiss.raadpleeg_bsn(DEMO), backoffice.sam).json()["code"] == "accountUitgeschakeld"
    )
