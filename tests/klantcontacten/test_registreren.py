"""One POST registers a klantcontact with its contactverzoek; the mail goes out from the outbox."""

from __future__ import annotations

from hub.klantcontacten import Beleid, te_doen, verwerk
from tests.klantcontacten.conftest import Hub, terugbelverzoek
from tests.support.bellers import BELLERS


def run_outbox(hub: Hub) -> list[str]:
    rt = hub.runtime
    beleid = Beleid.uit(rt.tenants.hub.outbox)
    return [verwerk(rt.store, rt.host, g, r, beleid) for g, r in te_doen(rt.store)]


def test_one_post_registers_the_contact_and_its_contactverzoek(hub: Hub) -> None:
    response = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(), headers=hub.headers()
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["afhandeling"] == "contactverzoek"
    cv = body["contactverzoek"]
    assert cv["status"] == "te_verwerken" and cv["klantcontact"] == body["id"]
    assert body["contactverzoeken"] == [cv["id"]]
    [actor] = cv["toegewezenAanActoren"]
    assert actor["soortActor"] == "medewerker" and actor["naam"] == "Piet Bakker"
    assert response.headers["Location"].endswith(f"/klantcontacten/{body['id']}")
    assert cv["notificaties"][0]["status"] == "in_wachtrij"


def test_the_assignee_gets_exactly_one_mail_with_question_number_deadline_and_link(
    hub: Hub,
) -> None:
    body = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(bsn=True), headers=hub.headers()
    ).json()

    assert run_outbox(hub) == ["verzonden"]
    assert run_outbox(hub) == []
    [mail] = hub.verzonden
    cv_id = body["contactverzoek"]["id"]
    assert mail.to == ("p.bakker@gemeente.test",)
    assert mail.notification_id == body["contactverzoek"]["notificaties"][0]["id"]
    assert "WOZ-waarde 2026" in mail.body
    assert BELLERS[0].telefoon_genormaliseerd in mail.body
    assert f"https://kcc.gemeente.test/9999/contactverzoeken/{cv_id}" in mail.body
    assert BELLERS[0].bsn not in mail.body and BELLERS[0].bsn not in mail.subject
    shown = hub.client.get(hub.url(f"contactverzoeken/{cv_id}"), headers=hub.headers()).json()
    assert shown["notificaties"][0]["status"] == "verzonden"
