"""The doubles as ``make demo`` runs them: EWS and Graph on one port, any directory address."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from hub.plugin_api import HookContext, Notification
from plugins.exchange import plugin
from plugins.exchange.backend import beschikbaarheden
from plugins.exchange.double import demo_kalenders, serve
from plugins.exchange.ews_client import EwsClient
from plugins.exchange.graph_client import GraphClient

from .conftest import ews_settings, graph_settings


def test_one_port_serves_both_protocols_from_the_same_calendars(nu: datetime) -> None:
    emails = ["vrij@gemeente.test", "medewerker0000@gemeente.test", "afwezig@gemeente.test"]
    with serve("both", demo_kalenders(nu, n=5)) as double:
        se, sg = ews_settings(double), graph_settings(double)
        van, tot = nu, nu + timedelta(hours=8)
        via_ews = beschikbaarheden(EwsClient(se), se, emails, van, tot, nu=nu)
        via_graph = beschikbaarheden(GraphClient(sg), sg, emails, van, tot, nu=nu)
        calls = {c.operation for c in double.kalenders.aanroepen}
    assert via_ews == via_graph
    assert {"GetUserAvailability", "getSchedule"} <= calls


def test_demo_mode_gives_any_directory_address_a_calendar(nu: datetime) -> None:
    kalenders = demo_kalenders(nu, n=0)
    kalenders.elk_adres = True
    with serve("graph", kalenders) as double:
        client = GraphClient(graph_settings(double))
        agendas = client.agendas(
            ["j.janssen@gemeente.test", "onbekend@gemeente.test"], nu, nu + timedelta(hours=8)
        )
    assert agendas[0].fout is None and agendas[0].blokken
    assert agendas[1].fout is not None


def test_the_double_lists_the_mail_it_accepted_for_people_trying_the_demo(nu: datetime) -> None:
    with serve("both", demo_kalenders(nu, n=5)) as double:
        plugin.kcc_send_notification(
            ctx=HookContext(gemeente="9999", settings=graph_settings(double)),
            notification=Notification(
                id="cv-demo-1",
                to=("medewerker0001@gemeente.test",),
                subject="Contactverzoek: parkeervergunning",
                body_text="Graag terugbellen.",
                created=nu,
            ),
        )
        answer = httpx.get(double.base_url + "/_double/verzonden").json()

    [mail] = answer["verzonden"]
    assert mail["notificatieId"] == "cv-demo-1"
    assert mail["aan"] == ["medewerker0001@gemeente.test"]
    assert mail["onderwerp"] == "Contactverzoek: parkeervergunning"
