"""Idempotency-Key on every POST that changes something, with the meldingen semantics: the
same key and body replays the first answer (``Idempotent-Replayed``), another body is 409."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from hub.klantcontacten.tables import ContactverzoekRij, KlantcontactRij, OutboxRij, PogingRij
from tests.klantcontacten.conftest import Hub, terugbelverzoek


def test_the_same_key_and_body_registers_once_and_replays_the_first_answer(hub: Hub) -> None:
    key = str(uuid.uuid4())
    first = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers(key=key)
    )
    again = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers(key=key)
    )

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    with hub.runtime.store.session() as session:
        assert session.scalar(select(func.count()).select_from(KlantcontactRij)) == 1
        assert session.scalar(select(func.count()).select_from(ContactverzoekRij)) == 1
        assert session.scalar(select(func.count()).select_from(OutboxRij)) == 1


def test_the_same_key_with_another_body_is_a_409_problem(hub: Hub) -> None:
    key = str(uuid.uuid4())
    hub.client.post(hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers(key=key))

    response = hub.client.post(
        hub.url("klantcontacten"),
        json=terugbelverzoek(onderwerp="Iets anders"),
        headers=hub.headers(key=key),
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_a_post_without_a_key_is_a_400_naming_it(hub: Hub) -> None:
    response = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers(key=None)
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "Idempotency-Key"


def test_a_repeated_poging_is_logged_once_and_a_repeated_afhandelen_replays(hub: Hub) -> None:
    cv = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers()
    ).json()["contactverzoek"]["id"]
    poging, sluiten = str(uuid.uuid4()), str(uuid.uuid4())

    for _ in range(2):
        logged = hub.client.post(
            hub.url(f"contactverzoeken/{cv}/pogingen"),
            json={"uitkomst": "voicemail"},
            headers=hub.headers(key=poging),
        )
        assert logged.status_code == 201
    closed = [
        hub.client.post(
            hub.url(f"contactverzoeken/{cv}/_afhandelen"),
            json={"uitkomst": "Teruggebeld"},
            headers=hub.headers(key=sluiten),
        )
        for _ in range(2)
    ]

    assert [c.status_code for c in closed] == [200, 200]
    assert closed[1].headers["Idempotent-Replayed"] == "true"
    assert closed[1].json() == closed[0].json()
    with hub.runtime.store.session() as session:
        assert session.scalar(select(func.count()).select_from(PogingRij)) == 1
    again = hub.client.post(
        hub.url(f"contactverzoeken/{cv}/_afhandelen"),
        json={"uitkomst": "Teruggebeld"},
        headers=hub.headers(),
    )
    assert again.status_code == 409  # a new key: it is handled already


def test_another_callers_key_is_not_replayed_to_them(hub: Hub) -> None:
    key = str(uuid.uuid4())
    hub.client.post(hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers(key=key))

    response = hub.client.post(
        hub.url("klantcontacten"),
        json=terugbelverzoek(),
        headers=hub.headers(sub="a.collega", key=key),
    )

    assert response.status_code == 409
