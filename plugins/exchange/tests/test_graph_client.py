"""The Graph client (httpx) against the Graph double."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from hub.domain.beschikbaarheid import BeschikbaarheidStatus as S
from hub.errors import InvalidRequest, UpstreamUnavailable
from plugins.exchange.backend import beschikbaarheden
from plugins.exchange.double import Kalenders, RunningDouble
from plugins.exchange.graph_client import GraphClient

from .conftest import core_retries, graph_settings, mailboxes


def test_50_mailboxes_take_three_get_schedule_calls(graph: RunningDouble, nu: datetime) -> None:
    agendas = GraphClient(graph_settings(graph)).agendas(mailboxes(50), nu, nu + timedelta(days=2))
    assert len(agendas) == 50 and all(a.fout is None for a in agendas)
    calls = [c for c in graph.kalenders.aanroepen if c.operation == "getSchedule"]
    assert [c.mailboxes for c in calls] == [20, 20, 10]
    # Automatic replies come in JSON batches of 20 as well.
    assert graph.kalenders.count("batch") == 3


def test_the_double_refuses_more_than_20_schedules(graph: RunningDouble) -> None:
    token = httpx.post(
        f"{graph.base_url}/t/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "kcc-hub-test",
            "client_secret": "test-secret",
            "scope": "https://graph.microsoft.com/.default",
        },
    ).json()["access_token"]
    response = httpx.post(
        f"{graph.base_url}/v1.0/users/kcc@gemeente.test/calendar/getSchedule",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "schedules": mailboxes(21),
            "startTime": {"dateTime": "2026-11-23T08:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-11-23T18:00:00", "timeZone": "UTC"},
        },
    )
    assert response.status_code == 400


def test_a_window_of_42_days_is_refused_before_asking(graph: RunningDouble, nu: datetime) -> None:
    with pytest.raises(InvalidRequest):
        GraphClient(graph_settings(graph)).agendas(mailboxes(1), nu, nu + timedelta(days=42))
    assert graph.kalenders.count("getSchedule") == 0


def test_429_is_honoured_with_the_retry_after_asked_then_succeeds(
    graph: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    kalenders.fouten.throttle["getSchedule"] = (1, 1000)
    client = GraphClient(graph_settings(graph))
    agendas = core_retries(lambda: client.agendas(mailboxes(3), nu, nu + timedelta(hours=1)))
    assert all(a.fout is None for a in agendas)
    first, second = [c for c in kalenders.aanroepen if c.operation == "getSchedule"]
    assert second.at - first.at >= 1.0


def test_throttling_that_does_not_stop_gives_up_after_the_attempts_allowed(
    graph: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    kalenders.fouten.throttle["getSchedule"] = (10, 0)
    client = GraphClient(graph_settings(graph))
    with pytest.raises(UpstreamUnavailable):
        core_retries(lambda: client.agendas(mailboxes(3), nu, nu + timedelta(hours=1)), 3)
    assert kalenders.count("getSchedule") == 3


def test_unknown_mailbox_is_unknown_and_its_neighbours_are_not(
    graph: RunningDouble, nu: datetime
) -> None:
    settings = graph_settings(graph)
    emails = ["medewerker0001@gemeente.test", "onbekend@gemeente.test", "vrij@gemeente.test"]
    result = beschikbaarheden(
        GraphClient(settings), settings, emails, nu, nu + timedelta(days=1), nu=nu
    )
    assert [r.status for r in result] == [S.VRIJ, S.ONBEKEND, S.VRIJ]


def test_mailbox_settings_refused_keeps_the_calendar(
    graph: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    kalenders.fouten.mailbox_fouten["afwezig@gemeente.test"] = "ErrorAccessDenied"
    agendas = GraphClient(graph_settings(graph)).agendas(
        ["afwezig@gemeente.test"], nu, nu + timedelta(hours=1)
    )
    # getSchedule reports the per-mailbox error for the calendar too.
    assert agendas[0].fout == "ErrorAccessDenied"


def test_the_token_is_fetched_once_and_renewed_when_refused(
    graph: RunningDouble, nu: datetime
) -> None:
    client = GraphClient(graph_settings(graph, afwezigheid_cache_seconden=0))
    client.agendas(mailboxes(3), nu, nu + timedelta(hours=1))
    client.agendas(mailboxes(3), nu, nu + timedelta(hours=1))
    assert graph.tokens.issued == 1
    graph.tokens.expire_all()
    client.agendas(mailboxes(3), nu, nu + timedelta(hours=1))
    assert graph.tokens.issued == 2


def test_unreachable_graph_is_unavailable(graph: RunningDouble, nu: datetime) -> None:
    settings = graph_settings(graph)
    settings = settings.model_copy(
        update={"graph": settings.graph.model_copy(update={"base_url": "http://127.0.0.1:9/v1.0"})}  # type: ignore[union-attr]
    )
    with pytest.raises(UpstreamUnavailable):
        GraphClient(settings).agendas(mailboxes(1), nu, nu + timedelta(hours=1))


def test_a_throttled_member_of_a_batch_is_asked_again_after_the_wait(
    graph: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    kalenders.fouten.throttle["batch:mailboxSettings"] = (1, 1000)
    client = GraphClient(graph_settings(graph))
    agendas = core_retries(
        lambda: client.agendas(
            ["afwezig@gemeente.test", *mailboxes(3)], nu, nu + timedelta(hours=1)
        )
    )
    assert kalenders.count("batch") == 2
    # The second batch asks only for the member that was throttled.
    assert [c.mailboxes for c in kalenders.aanroepen if c.operation == "batch"] == [4, 1]
    assert agendas[0].afwezigheid is not None and agendas[0].afwezigheid.aan
