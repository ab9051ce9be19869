"""The doubles as ``make demo`` runs them: EWS and Graph on one port, any directory address."""

from __future__ import annotations

from datetime import datetime, timedelta

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
