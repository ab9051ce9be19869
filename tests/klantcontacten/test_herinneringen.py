"""Reminder and escalation (issue 9, acceptance 2): one mail when the deadline nears, one to the
afdeling's mailbox when it has passed, each exactly once, planned on a frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub.klantcontacten import Beleid, plan, verwerk
from hub.klantcontacten_settings import KlantcontactenSettings
from tests.klantcontacten.conftest import Hub, terugbelverzoek


def register(hub: Hub, **toegewezen: str) -> dict[str, Any]:
    response = hub.client.post(
        hub.url("klantcontacten"),
        json=terugbelverzoek(toegewezen or None),
        headers=hub.headers(),
    )
    assert response.status_code == 201, response.text
    return response.json()["contactverzoek"]  # type: ignore[no-any-return]


def plan_at(hub: Hub, moment: datetime) -> list[str]:
    """The scheduler's job on a frozen clock; the planned mails are sent at that moment."""
    rt = hub.runtime

    def instellingen(code: str) -> KlantcontactenSettings | None:
        gemeente = rt.tenants.get(code)
        return gemeente.klantcontacten if gemeente else None

    beleid = Beleid.uit(rt.tenants.hub.outbox)
    planned = plan(rt.store, instellingen, nu=moment)
    return [verwerk(rt.store, rt.host, g, r, beleid, nu=lambda: moment) for g, r in planned]


def mails(hub: Hub, cv_id: str) -> list[tuple[str, tuple[str, ...]]]:
    soorten = {
        n["id"]: n["soort"]
        for n in hub.client.get(hub.url(f"contactverzoeken/{cv_id}"), headers=hub.headers()).json()[
            "notificaties"
        ]
    }
    return [
        (soorten[m.notification_id], m.to) for m in hub.verzonden if m.notification_id in soorten
    ]


def deadline(cv: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(cv["deadline"])


def test_the_reminder_goes_out_once_when_the_deadline_nears(hub: Hub) -> None:
    cv = register(hub)
    d = deadline(cv)

    assert plan_at(hub, d - timedelta(hours=5)) == []  # reminders: 4 hours before (default)
    assert plan_at(hub, d - timedelta(hours=3)) == ["verzonden"]
    assert plan_at(hub, d - timedelta(hours=2)) == []
    assert plan_at(hub, d - timedelta(minutes=1)) == []

    assert mails(hub, cv["id"]) == [("herinnering", ("p.bakker@gemeente.test",))]


def test_the_escalation_goes_once_to_the_afdeling_mailbox_when_the_deadline_passed(
    hub: Hub,
) -> None:
    cv = register(hub)  # Piet Bakker, afdeling Belastingen
    d = deadline(cv)

    assert plan_at(hub, d - timedelta(minutes=1)) == ["verzonden"]  # the reminder
    assert plan_at(hub, d + timedelta(minutes=1)) == ["verzonden"]  # the escalation
    assert plan_at(hub, d + timedelta(days=3)) == []

    assert mails(hub, cv["id"]) == [
        ("herinnering", ("p.bakker@gemeente.test",)),
        ("escalatie", ("belastingen@gemeente.test",)),
    ]


def test_a_contactverzoek_found_overdue_late_gets_only_the_escalation(hub: Hub) -> None:
    cv = register(hub, afdeling="Burgerzaken")

    assert plan_at(hub, deadline(cv) + timedelta(days=1)) == ["verzonden"]

    assert mails(hub, cv["id"]) == [("escalatie", ("burgerzaken@gemeente.test",))]


def test_a_handled_contactverzoek_gets_no_reminder_and_no_escalation(hub: Hub) -> None:
    cv = register(hub)
    closed = hub.client.post(
        hub.url(f"contactverzoeken/{cv['id']}/_afhandelen"),
        json={"uitkomst": "Teruggebeld en uitgelegd."},
        headers=hub.headers(),
    )
    assert closed.status_code == 200, closed.text

    assert plan_at(hub, deadline(cv) - timedelta(hours=1)) == []
    assert plan_at(hub, deadline(cv) + timedelta(days=1)) == []


def test_two_schedulers_planning_at_once_still_make_one_reminder(hub: Hub) -> None:
    cv = register(hub)
    moment = deadline(cv) - timedelta(hours=1)
    rt = hub.runtime

    def instellingen(code: str) -> KlantcontactenSettings | None:
        gemeente = rt.tenants.get(code)
        return gemeente.klantcontacten if gemeente else None

    first = plan(rt.store, instellingen, nu=moment)
    second = plan(rt.store, instellingen, nu=moment)

    assert len(first) == 1 and second == []


def test_the_scheduler_sweeps_the_outbox_plans_reminders_and_purges_per_gemeente(
    hub: Hub,
) -> None:
    from hub.scheduler import periodic_jobs

    jobs = {
        key: (interval, message.actor_name) for key, interval, message in periodic_jobs(hub.runtime)
    }

    assert jobs["klantcontacten-outbox"] == (15, "sweep_klantcontacten_outbox")
    assert jobs["contactverzoek-herinneringen"] == (60, "plan_contactverzoek_herinneringen")
    assert jobs["klantcontacten-bewaring/9999"][1] == "purge_klantcontacten"
    assert "klantcontacten-bewaring/0363" in jobs
