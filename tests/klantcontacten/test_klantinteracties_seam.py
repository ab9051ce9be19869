"""The Klantinteracties seam, against a stand-in system of record (the openklant plugin is
wired to the same hooks later): every registration and change is forwarded from the outbox,
a retry never creates a second resource, a down upstream only delays, and internetaken
created elsewhere get the hub's mail and reminders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hub.domain.klantcontacten import SeamActor, SoortActor, Status
from hub.klantcontacten import Beleid, plan, te_doen, verwerk
from hub.store.base import utcnow
from hub.sync.runner import run_sync
from hub.tenants import KlantcontactenSettings
from tests.klantcontacten.conftest import Hub, terugbelverzoek
from tests.support import klantinteracties_plugin as ki
from tests.support.bellers import BELLERS


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    ki.reset()
    return make_hub(extra="\n[plugins.klantinteracties]\n", plugins=(("klantinteracties", ki),))


def register(hub: Hub, **kwargs: Any) -> dict[str, Any]:
    response = hub.client.post(
        hub.url("klantcontacten"), json=terugbelverzoek(**kwargs), headers=hub.headers()
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


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


def test_a_registration_is_forwarded_with_its_contactverzoek_and_the_bsn(hub: Hub) -> None:
    body = register(hub, bsn=True)

    assert run_outbox(hub) == ["verzonden", "verzonden"]  # the mail and the forwarding

    [(kc_uuid, sent)] = ki.STATE.klantcontacten.items()
    assert sent.id == body["id"]
    assert sent.betrokkene is not None and sent.betrokkene.burgerservicenummer == BELLERS[0].bsn
    assert [cv.id for cv in sent.contactverzoeken] == [body["contactverzoek"]["id"]]
    shown = hub.client.get(hub.url(f"klantcontacten/{body['id']}"), headers=hub.headers()).json()
    assert shown["registraties"] == [
        {
            "systeem": "klantinteracties",
            "status": "verzonden",
            "url": ki.url("klantcontacten", kc_uuid),
            "fout": None,
        }
    ]


def test_a_retry_after_the_upstream_accepted_creates_no_second_resource(hub: Hub) -> None:
    ki.STATE.fail_after_accept = 1
    body = register(hub)

    assert run_outbox(hub) == ["uitgesteld", "verzonden"]
    assert run_outbox(hub, later=timedelta(hours=1)) == ["verzonden"]

    assert len(ki.STATE.klantcontacten) == 1 and len(ki.STATE.taken) == 1
    assert ki.STATE.calls == [("register", body["id"]), ("register", body["id"])]


def test_with_the_system_of_record_down_the_post_answers_201_and_the_mail_still_goes(
    hub: Hub,
) -> None:
    ki.STATE.down = True
    body = register(hub)

    assert run_outbox(hub) == ["uitgesteld", "verzonden"]
    assert len(hub.verzonden) == 1
    shown = hub.client.get(
        hub.url(f"contactverzoeken/{body['contactverzoek']['id']}"), headers=hub.headers()
    ).json()
    assert shown["registraties"][0]["status"] == "in_wachtrij"

    ki.STATE.down = False
    assert run_outbox(hub, later=timedelta(hours=1)) == ["verzonden"]
    assert len(ki.STATE.taken) == 1


def test_changes_are_pushed_as_full_state_after_the_registration(hub: Hub) -> None:
    cv = register(hub)["contactverzoek"]["id"]
    hub.client.post(
        hub.url(f"contactverzoeken/{cv}/pogingen"),
        json={"uitkomst": "niet_bereikt"},
        headers=hub.headers(),
    )
    hub.client.post(
        hub.url(f"contactverzoeken/{cv}/_afhandelen"),
        json={"uitkomst": "Teruggebeld"},
        headers=hub.headers(),
    )

    # The changes wait for the registration they update, then converge on the latest state.
    run_outbox(hub)
    run_outbox(hub, later=timedelta(minutes=5))

    [taak] = ki.STATE.taken.values()
    assert taak.status is Status.VERWERKT and taak.afgehandeld_op is not None
    assert len(taak.pogingen) == 1
    assert [c[0] for c in ki.STATE.calls].count("update") == 2


def test_an_internetaak_created_elsewhere_gets_the_hubs_mail_reminder_and_worklist(
    hub: Hub,
) -> None:
    ki.add_elsewhere(
        ki.Taak(
            uuid=str(uuid.uuid4()),
            kcc_hub_id=None,
            status=Status.TE_VERWERKEN,
            toegewezen_op=utcnow(),
            toelichting="Wil weten wanneer de container geleegd wordt.",
            actoren=[
                SeamActor(
                    soort_actor=SoortActor.MEDEWERKER,
                    naam="Piet Bakker",
                    emailadres="p.bakker@gemeente.test",
                )
            ],
            klantcontact_uuid=str(uuid.uuid4()),
        )
    )

    run_sync(hub.runtime, "9999", "klantinteracties")
    run_sync(hub.runtime, "9999", "klantinteracties")  # a repeated run doubles nothing
    plan_now(hub)
    assert run_outbox(hub) == ["verzonden"]

    [mail] = hub.verzonden
    assert mail.to == ("p.bakker@gemeente.test",) and "container" in mail.body
    [entry] = hub.client.get(
        hub.url("contactverzoeken"),
        params={"toegewezenAan": "mij"},
        headers=hub.headers("backoffice", sub="p.bakker", key=None),
    ).json()["resultaten"]
    assert entry["bron"] == "klantinteracties"
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


def test_handled_in_the_system_of_record_is_handled_here(hub: Hub) -> None:
    cv = register(hub)["contactverzoek"]["id"]
    run_outbox(hub)
    [taak] = ki.STATE.taken.values()
    taak.status, taak.afgehandeld_op = Status.VERWERKT, utcnow()

    run_sync(hub.runtime, "9999", "klantinteracties")

    shown = hub.client.get(hub.url(f"contactverzoeken/{cv}"), headers=hub.headers()).json()
    assert shown["status"] == "verwerkt"
    listed = hub.client.get(hub.url("contactverzoeken"), headers=hub.headers(key=None)).json()
    assert listed["totaal"] == 1  # its own forwarded internetaak is linked, not imported again
