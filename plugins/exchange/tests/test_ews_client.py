"""exchangelib's real request and parsing code against the EWS double."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from exchangelib.properties import DaylightTime, StandardTime, TimeZone

from hub.domain.beschikbaarheid import BeschikbaarheidStatus as S
from hub.errors import UpstreamRejected, UpstreamUnavailable
from plugins.exchange.backend import beschikbaarheden
from plugins.exchange.double import Kalenders, RunningDouble
from plugins.exchange.ews_client import EwsClient, RegelZone

from .conftest import PASSWORD_ENV, SECRET_ENV, core_retries, ews_settings, mailboxes


def test_250_mailboxes_take_three_availability_calls(ews: RunningDouble, nu: datetime) -> None:
    client = EwsClient(ews_settings(ews))
    agendas = client.agendas(mailboxes(250), nu, nu + timedelta(days=2))
    assert len(agendas) == 250 and all(a.fout is None for a in agendas)
    calls = [c for c in ews.kalenders.aanroepen if c.operation == "GetUserAvailability"]
    assert [c.mailboxes for c in calls] == [100, 100, 50]


def test_unknown_mailbox_is_unknown_and_its_neighbours_are_not(
    ews: RunningDouble, nu: datetime
) -> None:
    settings = ews_settings(ews)
    emails = ["medewerker0001@gemeente.test", "onbekend@gemeente.test", "vrij@gemeente.test"]
    result = beschikbaarheden(
        EwsClient(settings), settings, emails, nu, nu + timedelta(days=1), nu=nu
    )
    assert [r.status for r in result] == [S.VRIJ, S.ONBEKEND, S.VRIJ]


def test_mailbox_without_free_busy_access_affects_only_that_mailbox(
    ews: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    kalenders.fouten.mailbox_fouten["medewerker0002@gemeente.test"] = "ErrorNoFreeBusyAccess"
    settings = ews_settings(ews)
    result = beschikbaarheden(
        EwsClient(settings), settings, mailboxes(4), nu, nu + timedelta(days=1), nu=nu
    )
    assert [r.status == S.ONBEKEND for r in result] == [False, False, True, False]


def test_server_busy_is_honoured_with_the_back_off_asked_then_succeeds(
    ews: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    client = EwsClient(ews_settings(ews))
    client.agendas(mailboxes(1), nu, nu + timedelta(hours=1))  # settle version and time zone
    kalenders.reset_calls()
    kalenders.fouten.throttle["GetUserAvailability"] = (1, 300)
    agendas = core_retries(lambda: client.agendas(mailboxes(3), nu, nu + timedelta(hours=1)))
    assert all(a.fout is None for a in agendas)
    first, second = [c for c in kalenders.aanroepen if c.operation == "GetUserAvailability"]
    assert second.at - first.at >= 0.3


def test_a_longer_back_off_than_allowed_gives_up_as_unavailable(
    ews: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    client = EwsClient(ews_settings(ews))
    kalenders.fouten.throttle["GetUserAvailability"] = (1, 300_000)
    with pytest.raises(UpstreamUnavailable):
        core_retries(lambda: client.agendas(mailboxes(3), nu, nu + timedelta(hours=1)))
    assert kalenders.count("GetUserAvailability") == 1


def test_the_token_is_fetched_once_and_reused(
    ews: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    client = EwsClient(ews_settings(ews, afwezigheid_cache_seconden=0))
    for _ in range(3):
        client.agendas(mailboxes(5), nu, nu + timedelta(hours=1))
    assert ews.tokens.issued == 1
    assert ews.tokens.scopes == ["https://outlook.office365.com/.default"]


def test_automatic_replies_are_cached_between_refreshes(
    ews: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    client = EwsClient(ews_settings(ews))
    client.agendas(mailboxes(5), nu, nu + timedelta(hours=1))
    client.agendas(mailboxes(5), nu, nu + timedelta(hours=1))
    assert kalenders.count("GetMailTips") == 1
    assert kalenders.count("GetUserAvailability") == 2


def test_basic_authentication_for_gemeenten_that_still_have_it(
    ews: RunningDouble, nu: datetime
) -> None:
    settings = ews_settings(
        ews,
        ews={
            "auth": "basic",
            "username": "GEMEENTE\\svc-kcc",
            "password": "${" + PASSWORD_ENV + "}",
        },
    )
    agendas = EwsClient(settings).agendas(mailboxes(2), nu, nu + timedelta(hours=1))
    assert [a.fout for a in agendas] == [None, None]


def test_wrong_client_secret_is_a_refusal(
    ews: RunningDouble, nu: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "wrong")
    with pytest.raises(UpstreamRejected):
        EwsClient(ews_settings(ews)).agendas(mailboxes(1), nu, nu + timedelta(hours=1))


def test_http_500_without_soap_is_unavailable(
    ews: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    client = EwsClient(ews_settings(ews))
    client.agendas(mailboxes(1), nu, nu + timedelta(hours=1))
    kalenders.fouten.http_500["GetUserAvailability"] = 1
    with pytest.raises(UpstreamUnavailable):
        client.agendas(mailboxes(1), nu, nu + timedelta(hours=1))


def test_unreachable_server_is_unavailable(nu: datetime, ews: RunningDouble) -> None:
    settings = ews_settings(ews, ews={"service_endpoint": "http://127.0.0.1:9/EWS/Exchange.asmx"})
    with pytest.raises(UpstreamUnavailable):
        EwsClient(settings).agendas(mailboxes(1), nu, nu + timedelta(hours=1))


def test_subjects_never_leave_exchange(ews: RunningDouble, nu: datetime) -> None:
    settings = ews_settings(ews)
    result = beschikbaarheden(
        EwsClient(settings),
        settings,
        mailboxes(10),
        nu - timedelta(hours=3),
        nu + timedelta(days=1),
        nu=nu,
    )
    dumped = "".join(r.model_dump_json() for r in result)
    assert any(r.bezet for r in result)
    assert "Overleg" not in dumped and "Kamer" not in dumped


def test_mailbox_time_zone_rules_agree_with_amsterdam_all_year() -> None:
    zone = RegelZone(
        TimeZone(
            bias=-60,
            standard_time=StandardTime(
                bias=0, time=time(3), occurrence=5, iso_month=10, weekday="Sunday"
            ),
            daylight_time=DaylightTime(
                bias=-60, time=time(2), occurrence=5, iso_month=3, weekday="Sunday"
            ),
        )
    )
    amsterdam = ZoneInfo("Europe/Amsterdam")
    day = datetime(2026, 1, 1, 8, 0)
    while day.year < 2028:
        assert day.replace(tzinfo=zone).utcoffset() == day.replace(tzinfo=amsterdam).utcoffset()
        day += timedelta(days=1)


def test_the_double_refuses_more_than_100_mailboxes_in_one_request(ews: RunningDouble) -> None:
    mailbox = (
        "<t:MailboxData><t:Email><t:Address>{}</t:Address></t:Email>"
        "<t:AttendeeType>Required</t:AttendeeType></t:MailboxData>"
    )
    envelope = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" '
        'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">'
        '<s:Header><t:RequestServerVersion Version="Exchange2016"/></s:Header><s:Body>'
        "<m:GetUserAvailabilityRequest><t:TimeZone><t:Bias>0</t:Bias></t:TimeZone>"
        "<m:MailboxDataArray>"
        + "".join(mailbox.format(e) for e in mailboxes(101))
        + "</m:MailboxDataArray><t:FreeBusyViewOptions><t:TimeWindow>"
        "<t:StartTime>2026-11-23T08:00:00</t:StartTime><t:EndTime>2026-11-23T18:00:00</t:EndTime>"
        "</t:TimeWindow><t:MergedFreeBusyIntervalInMinutes>30</t:MergedFreeBusyIntervalInMinutes>"
        "<t:RequestedView>FreeBusy</t:RequestedView></t:FreeBusyViewOptions>"
        "</m:GetUserAvailabilityRequest></s:Body></s:Envelope>"
    )
    response = httpx.post(
        ews.ews_url,
        content=envelope,
        headers={"Content-Type": "text/xml"},
        auth=("GEMEENTE\\svc-kcc", "test-password"),
    )
    assert response.status_code == 400
    assert "100" in response.text


def test_app_only_requests_act_as_a_mailbox(ews: RunningDouble, nu: datetime) -> None:
    client = EwsClient(ews_settings(ews))
    client.agendas(["afwezig@gemeente.test"], nu, nu + timedelta(hours=1))
    acting = {(c.operation, c.acting_as) for c in ews.kalenders.aanroepen}
    assert ("GetUserAvailability", "kcc@gemeente.test") in acting
    # Mail tips are asked as the sending mailbox, for all recipients at once.
    assert ("GetMailTips", "kcc@gemeente.test") in acting
