"""Retention: handled contactverzoeken and their klantcontact are purged after the gemeente's
term; open ones never are; other gemeenten are untouched."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hub.klantcontacten import purge
from hub.klantcontacten.tables import (
    ContactverzoekRij,
    DigitaalAdresRij,
    IdempotentieRij,
    KlantcontactRij,
    OutboxRij,
)
from hub.store.base import utcnow
from tests.klantcontacten.conftest import Hub, terugbelverzoek


def register(hub: Hub, gemeente: str = "9999") -> dict[str, str]:
    body = hub.client.post(
        hub.url("klantcontacten", gemeente),
        json=terugbelverzoek(),
        headers=hub.headers(gemeenten=(gemeente,)),
    ).json()
    return {"kc": body["id"], "cv": body["contactverzoek"]["id"]}


def count(hub: Hub, table: type) -> int:
    with hub.runtime.store.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_handled_contactverzoek_is_purged_with_everything_after_the_term(hub: Hub) -> None:
    handled, still_open = register(hub), register(hub)
    register(hub, "0363")
    hub.client.post(
        hub.url(f"contactverzoeken/{handled['cv']}/_afhandelen"),
        json={"uitkomst": "Teruggebeld"},
        headers=hub.headers(),
    )

    assert purge(hub.runtime.store, "9999", 365) == 0  # the term has not passed
    assert purge(hub.runtime.store, "9999", 365, nu=utcnow() + timedelta(days=366)) == 1

    with hub.runtime.store.session() as session:
        assert session.get(KlantcontactRij, handled["kc"]) is None
        assert session.get(ContactverzoekRij, still_open["cv"]) is not None
        for table in (DigitaalAdresRij, OutboxRij, IdempotentieRij):
            kcs = set(session.scalars(select(table.klantcontact_id)))  # type: ignore[attr-defined]
            assert handled["kc"] not in kcs
    assert count(hub, KlantcontactRij) == 2  # the open one and Amsterdam's


def test_a_direct_contact_is_purged_after_the_term(hub: Hub) -> None:
    hub.client.post(
        hub.url("klantcontacten"),
        json={"kanaal": "balie", "onderwerp": "Paspoort", "afhandeling": "direct"},
        headers=hub.headers(),
    )

    assert purge(hub.runtime.store, "9999", 30, nu=utcnow() + timedelta(days=31)) == 1
