"""EWS and Graph read the same calendars into the same Beschikbaarheid."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from plugins.exchange.backend import beschikbaarheden
from plugins.exchange.double import Kalenders, Mailbox, RunningDouble, demo_kalenders
from plugins.exchange.double.kalenders import Afspraak
from plugins.exchange.ews_client import EwsClient
from plugins.exchange.graph_client import GraphClient

from .conftest import ews_settings, graph_settings, mailboxes


def test_both_backends_give_identical_beschikbaarheid(
    ews: RunningDouble, graph: RunningDouble, nu: datetime
) -> None:
    emails = [
        *mailboxes(40),
        "afwezig@gemeente.test",
        "kantoor@gemeente.test",
        "vrij@gemeente.test",
        "onbekend@gemeente.test",
    ]
    van, tot = nu - timedelta(hours=2), nu + timedelta(days=3)
    se, sg = ews_settings(ews), graph_settings(graph)
    via_ews = beschikbaarheden(EwsClient(se), se, emails, van, tot, nu=nu)
    via_graph = beschikbaarheden(GraphClient(sg), sg, emails, van, tot, nu=nu)
    assert via_ews == via_graph
    statuses = {r.status.value for r in via_ews}
    assert {"vrij", "bezet", "afwezig", "onbekend"} <= statuses
    afwezig = via_ews[emails.index("afwezig@gemeente.test")]
    assert afwezig.afwezigheidsbericht is not None and "Vergunningen" in afwezig.afwezigheidsbericht


def test_a_cold_refresh_of_1000_mailboxes_takes_20_ews_calls_and_100_graph_calls(
    kalenders: Kalenders, ews: RunningDouble, graph: RunningDouble, nu: datetime
) -> None:
    kalenders.mailboxes = demo_kalenders(nu, n=999).mailboxes
    emails = [*mailboxes(999), "afwezig@gemeente.test"]
    van, tot = nu - timedelta(hours=2), nu + timedelta(days=3)
    se, sg = ews_settings(ews), graph_settings(graph)
    ews_client, graph_client = EwsClient(se), GraphClient(sg)
    # Connecting (token, server version, time zone definition) happens once per process.
    ews_client.agendas(["vrij@gemeente.test"], van, tot)
    graph_client.agendas(["vrij@gemeente.test"], van, tot)
    kalenders.reset_calls()

    via_ews = beschikbaarheden(ews_client, se, emails, van, tot, nu=nu)
    ews_calls = Counter(c.operation for c in kalenders.aanroepen)
    kalenders.reset_calls()
    via_graph = beschikbaarheden(graph_client, sg, emails, van, tot, nu=nu)
    graph_calls = Counter(c.operation for c in kalenders.aanroepen)

    assert ews_calls == {"GetUserAvailability": 10, "GetMailTips": 10}
    assert graph_calls == {"getSchedule": 50, "batch": 50}
    assert via_ews == via_graph
    assert sum(r.status.value == "afwezig" for r in via_ews) >= 1


def test_both_backends_agree_across_the_start_of_summer_time(
    kalenders: Kalenders, ews: RunningDouble, graph: RunningDouble
) -> None:
    # 28 March 2027, 02:00 CET becomes 03:00 CEST (01:00 UTC). EWS reports local wall
    # times without offset, so this is where a time zone mistake would show.
    anchor = datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    fresh = demo_kalenders(anchor, n=30)
    kalenders.mailboxes = fresh.mailboxes
    emails = [*mailboxes(30), "kantoor@gemeente.test"]
    van, tot = anchor - timedelta(hours=3), anchor + timedelta(days=2)
    se, sg = ews_settings(ews), graph_settings(graph)
    via_ews = beschikbaarheden(EwsClient(se), se, emails, van, tot, nu=anchor)
    via_graph = beschikbaarheden(GraphClient(sg), sg, emails, van, tot, nu=anchor)
    assert via_ews == via_graph
    kantoor = via_ews[-1]
    assert kantoor.tot is not None and kantoor.tot.isoformat() == "2027-03-29T08:00:00+02:00"


def test_both_backends_agree_around_the_end_of_summer_time(
    kalenders: Kalenders, ews: RunningDouble, graph: RunningDouble
) -> None:
    # 25 October 2026, 03:00 CEST becomes 02:00 CET (01:00 UTC). Meetings outside the
    # repeated hour read the same through EWS's wall times as through Graph's UTC.
    nu = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    kalenders.add(
        Mailbox(
            email="nachtdienst@gemeente.test",
            afspraken=[
                Afspraak(nu - timedelta(hours=1), nu + timedelta(minutes=90)),
                Afspraak(nu + timedelta(hours=4), nu + timedelta(hours=5), "Tentative"),
            ],
            werkdagen=("Saturday", "Sunday"),
            werk_start=0,
            werk_eind=23 * 60 + 59,
        )
    )
    emails = ["nachtdienst@gemeente.test", "kantoor@gemeente.test"]
    se, sg = ews_settings(ews), graph_settings(graph)
    van, tot = nu - timedelta(hours=2), nu + timedelta(days=3)
    via_ews = beschikbaarheden(EwsClient(se), se, emails, van, tot, nu=nu)
    via_graph = beschikbaarheden(GraphClient(sg), sg, emails, van, tot, nu=nu)
    assert via_ews == via_graph
    nacht, kantoor = via_ews
    assert nacht.tot is not None and nacht.tot.isoformat() == "2026-10-25T02:30:00+02:00"
    assert kantoor.tot is not None and kantoor.tot.isoformat() == "2026-10-26T08:00:00+01:00"
