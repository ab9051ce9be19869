"""Handling a contactverzoek: attempts, closing with an outcome, reassigning with the trail."""

from __future__ import annotations

from typing import Any

from hub.klantcontacten import Beleid, te_doen, verwerk
from tests.klantcontacten.conftest import Hub, terugbelverzoek


def register(hub: Hub, toegewezen: dict[str, str] | None = None) -> dict[str, Any]:
    response = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(toegewezen), headers=hub.headers()
    )
    assert response.status_code == 201, response.text
    return response.json()["contactverzoek"]  # type: ignore[no-any-return]


def send_all(hub: Hub) -> None:
    rt = hub.runtime
    for g, r in te_doen(rt.store):
        verwerk(rt.store, rt.host, g, r, Beleid.uit(rt.tenants.hub.outbox))


def test_attempts_are_kept_with_when_who_and_outcome(hub: Hub) -> None:
    cv = register(hub)
    piet = hub.headers("backoffice", sub="p.bakker")

    hub.client.post(
        hub.url(f"contactverzoeken/{cv['id']}/pogingen"),
        json={"uitkomst": "niet_bereikt"},
        headers=piet,
    )
    shown = hub.client.post(
        hub.url(f"contactverzoeken/{cv['id']}/pogingen"),
        json={"uitkomst": "voicemail", "toelichting": "Ingesproken om 15:10"},
        headers=hub.headers("backoffice", sub="p.bakker"),
    ).json()

    assert [(p["uitkomst"], p["door"]) for p in shown["pogingen"]] == [
        ("niet_bereikt", "p.bakker"),
        ("voicemail", "p.bakker"),
    ]
    assert shown["status"] == "te_verwerken"


def test_afhandelen_closes_with_the_outcome(hub: Hub) -> None:
    cv = register(hub)

    shown = hub.client.post(
        hub.url(f"contactverzoeken/{cv['id']}/_afhandelen"),
        json={"uitkomst": "Teruggebeld, WOZ-waarde uitgelegd."},
        headers=hub.headers("backoffice", sub="p.bakker"),
    ).json()

    assert shown["status"] == "verwerkt" and shown["afgehandeldOp"]
    assert shown["uitkomst"] == "Teruggebeld, WOZ-waarde uitgelegd."


def test_doorzetten_reassigns_mails_the_new_assignee_and_keeps_the_trail(hub: Hub) -> None:
    cv = register(hub)

    shown = hub.client.post(
        hub.url(f"contactverzoeken/{cv['id']}/_doorzetten"),
        json={"toegewezenAan": {"groep": "woz-team"}, "reden": "Hoort bij het WOZ-team"},
        headers=hub.headers("backoffice", sub="p.bakker"),
    ).json()
    send_all(hub)

    assert [a["naam"] for a in shown["toegewezenAanActoren"]] == ["WOZ-team"]
    trail = shown["toewijzingen"]
    assert [t["volgnummer"] for t in trail] == [1, 2]
    assert trail[0]["toegewezenAanActoren"][0]["naam"] == "Piet Bakker"
    assert trail[1]["reden"] == "Hoort bij het WOZ-team" and trail[1]["door"] == "p.bakker"
    assert sorted(m.to for m in hub.verzonden) == [
        ("p.bakker@gemeente.test",),
        ("woz@gemeente.test",),
    ]
    # Piet is no longer the assignee, nor in the WOZ-team: it is not his to read any more.
    again = hub.client.get(
        hub.url(f"contactverzoeken/{cv['id']}"), headers=hub.headers("backoffice", sub="p.bakker")
    )
    assert again.status_code == 403


def test_an_afdeling_without_a_functional_mailbox_cannot_be_assigned(hub: Hub) -> None:
    response = hub.client.post(
        hub.url("klantcontacten"),
        json=terugbelverzoek({"afdeling": "Vergunningen"}),
        headers=hub.headers(),
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "contactverzoek.toegewezenAan.afdeling"


def test_an_unknown_medewerker_is_a_400_naming_the_field(hub: Hub) -> None:
    response = hub.client.post(
        hub.url("klantcontacten"),
        json=terugbelverzoek({"medewerker": "mw-bestaat-niet"}),
        headers=hub.headers(),
    )

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "contactverzoek.toegewezenAan.medewerker"


def test_an_absent_medewerker_shows_the_afwezigheidstekst(hub: Hub) -> None:
    cv = register(hub, {"medewerker": "mw-afwezig"})

    shown = hub.client.get(hub.url(f"contactverzoeken/{cv['id']}"), headers=hub.headers()).json()

    [actor] = shown["toegewezenAanActoren"]
    assert actor["beschikbaarheid"] == "afwezig"
    assert actor["afwezigheidstekst"]


def test_a_direct_contact_needs_no_contactverzoek_and_a_transfer_names_the_colleague(
    hub: Hub,
) -> None:
    direct = hub.client.post(
        hub.url("klantcontacten"),
        json={"kanaal": "balie", "onderwerp": "Paspoort aanvragen", "afhandeling": "direct"},
        headers=hub.headers(),
    )
    transfer = hub.client.post(
        hub.url("klantcontacten"),
        json={
            "kanaal": "telefoon",
            "onderwerp": "Bezwaar WOZ",
            "afhandeling": "doorverbonden",
            "doorverbondenMet": "mw-piet",
        },
        headers=hub.headers(),
    )

    assert direct.status_code == 201 and direct.json()["contactverzoek"] is None
    assert transfer.json()["doorverbondenMet"]["naam"] == "Piet Bakker"
    listed = hub.client.get(
        hub.url("klantcontacten"), params={"afhandeling": "doorverbonden"}, headers=hub.headers()
    ).json()
    assert [k["onderwerp"] for k in listed["resultaten"]] == ["Bezwaar WOZ"]


def test_klantcontacten_by_period_kanaal_and_medewerker(hub: Hub) -> None:
    register(hub)
    hub.client.post(
        hub.url("klantcontacten"),
        json={"kanaal": "chat", "onderwerp": "Afval", "afhandeling": "direct"},
        headers=hub.headers(sub="a.visser"),
    )

    def onderwerpen(**params: str) -> list[str]:
        response = hub.client.get(
            hub.url("klantcontacten"), params=params, headers=hub.headers(key=None)
        )
        assert response.status_code == 200, response.text
        return [k["onderwerp"] for k in response.json()["resultaten"]]

    assert onderwerpen(kanaal="CHAT") == ["Afval"]
    assert onderwerpen(medewerker="mij") == ["Vraag over de WOZ-beschikking"]
    assert onderwerpen(medewerker="mw-anna") == ["Afval"]
    assert onderwerpen(van="2000-01-01T00:00:00+01:00", tot="2000-01-02T00:00:00+01:00") == []
    assert len(onderwerpen(van="2000-01-01T00:00:00+01:00")) == 2
