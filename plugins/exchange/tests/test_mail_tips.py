"""Automatic replies over EWS in batches: GetMailTips through exchangelib against the EWS double."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from hub.domain.beschikbaarheid import BeschikbaarheidStatus as S
from plugins.exchange.backend import beschikbaarheden
from plugins.exchange.double import Kalenders, RunningDouble
from plugins.exchange.double.kalenders import Afwezigheid, Mailbox
from plugins.exchange.ews_client import EwsClient

from .conftest import ews_settings, mailboxes

AFWEZIG = "afwezig@gemeente.test"
MEDEWERKERS_MET_AFWEZIGE = [*mailboxes(3), AFWEZIG]


def _soap(body: str) -> str:
    return (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" '
        'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">'
        '<s:Header><t:RequestServerVersion Version="Exchange2016"/></s:Header>'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    )


def _post(ews: RunningDouble, body: str) -> httpx.Response:
    return httpx.post(
        ews.ews_url,
        content=_soap(body),
        headers={"Content-Type": "text/xml"},
        auth=("GEMEENTE\\svc-kcc", "test-password"),
    )


def _sending_as() -> str:
    return "<m:SendingAs><t:EmailAddress>kcc@gemeente.test</t:EmailAddress></m:SendingAs>"


def test_250_mailboxes_take_three_mail_tips_calls_of_at_most_100(
    ews: RunningDouble, nu: datetime
) -> None:
    EwsClient(ews_settings(ews)).agendas(mailboxes(250), nu, nu + timedelta(days=1))
    calls = [c for c in ews.kalenders.aanroepen if c.operation == "GetMailTips"]
    assert [c.mailboxes for c in calls] == [100, 100, 50]
    assert ews.kalenders.count("GetUserOofSettings") == 0


def test_the_reply_shown_is_the_one_colleagues_get(ews: RunningDouble, nu: datetime) -> None:
    settings = ews_settings(ews)
    [afwezig] = beschikbaarheden(
        EwsClient(settings), settings, [AFWEZIG], nu, nu + timedelta(days=1), nu=nu
    )
    assert afwezig.status == S.AFWEZIG
    # The sending mailbox is inside the organisation: Exchange answers the internal reply.
    assert afwezig.afwezigheidsbericht == (
        "Ik ben tot en met vrijdag afwezig.\nDringende vragen: team Vergunningen."
    )
    assert afwezig.tot is not None  # the scheduled end, from the tip's Duration


def test_a_failing_mail_tip_affects_only_that_mailbox(
    ews: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    kalenders.fouten.mailtip_fouten[AFWEZIG] = "ErrorMailTipsDisabled"
    kalenders.fouten.mailtip_fouten["medewerker0001@gemeente.test"] = "ErrorNotKnownToThisClient"
    kalenders.add(
        Mailbox(
            email="ook-afwezig@gemeente.test",
            afwezigheid=Afwezigheid(state="Enabled", internal_reply="Terug op maandag."),
        )
    )
    agendas = EwsClient(ews_settings(ews)).agendas(
        [*MEDEWERKERS_MET_AFWEZIGE, "ook-afwezig@gemeente.test"], nu, nu + timedelta(days=1)
    )
    by_email = {a.email: a for a in agendas}
    # The calendar of the failing mailbox is still read; only its automatic replies are missing.
    assert by_email[AFWEZIG].fout is None and by_email[AFWEZIG].afwezigheid is None
    assert by_email["medewerker0001@gemeente.test"].afwezigheid is None
    assert by_email["medewerker0000@gemeente.test"].afwezigheid is not None
    ook = by_email["ook-afwezig@gemeente.test"].afwezigheid
    assert ook is not None and ook.aan and ook.bericht == "Terug op maandag."


def test_a_failed_or_pending_mail_tip_is_asked_again_at_the_next_refresh(
    ews: RunningDouble, kalenders: Kalenders, nu: datetime
) -> None:
    kalenders.fouten.mailtip_fouten[AFWEZIG] = "ErrorMailTipsDisabled"
    kalenders.fouten.mailtips_pending.add("medewerker0002@gemeente.test")
    client = EwsClient(ews_settings(ews))
    client.agendas(MEDEWERKERS_MET_AFWEZIGE, nu, nu + timedelta(hours=1))
    kalenders.fouten.mailtip_fouten.clear()
    kalenders.fouten.mailtips_pending.clear()

    agendas = client.agendas(MEDEWERKERS_MET_AFWEZIGE, nu, nu + timedelta(hours=1))

    asked_again = [c.mailboxes for c in kalenders.aanroepen if c.operation == "GetMailTips"]
    assert asked_again == [4, 2]
    afwezig = agendas[-1].afwezigheid
    assert afwezig is not None and afwezig.aan


def test_the_double_refuses_exchangelibs_stock_request_without_a_mail_tips_element(
    ews: RunningDouble,
) -> None:
    # exchangelib 5.6 writes the requested tips as bare text (Exchange would then evaluate
    # none); the client writes the MailTipsRequested element itself.
    response = _post(
        ews,
        "<m:GetMailTips>OutOfOfficeMessage"
        + _sending_as()
        + "<m:Recipients><t:Mailbox><t:EmailAddress>vrij@gemeente.test</t:EmailAddress>"
        "</t:Mailbox></m:Recipients></m:GetMailTips>",
    )
    assert response.status_code == 400
    assert "MailTipsRequested" in response.text


def test_the_double_refuses_more_than_100_recipients(ews: RunningDouble) -> None:
    recipients = "".join(
        f"<t:Mailbox><t:EmailAddress>{e}</t:EmailAddress></t:Mailbox>" for e in mailboxes(101)
    )
    response = _post(
        ews,
        f"<m:GetMailTips>{_sending_as()}<m:Recipients>{recipients}</m:Recipients>"
        "<m:MailTipsRequested>OutOfOfficeMessage</m:MailTipsRequested></m:GetMailTips>",
    )
    assert response.status_code == 400
    assert "100" in response.text


@pytest.mark.parametrize(
    "sender, reply", [("kcc@gemeente.test", "intern"), ("x@elders.nl", "extern")]
)
def test_the_double_answers_the_reply_the_sender_would_get(
    ews: RunningDouble, kalenders: Kalenders, sender: str, reply: str
) -> None:
    kalenders.add(
        Mailbox(
            email="weg@gemeente.test",
            afwezigheid=Afwezigheid(
                state="Enabled", internal_reply="intern", external_reply="extern"
            ),
        )
    )
    response = _post(
        ews,
        f"<m:GetMailTips><m:SendingAs><t:EmailAddress>{sender}</t:EmailAddress></m:SendingAs>"
        "<m:Recipients><t:Mailbox><t:EmailAddress>weg@gemeente.test</t:EmailAddress>"
        "</t:Mailbox></m:Recipients>"
        "<m:MailTipsRequested>OutOfOfficeMessage</m:MailTipsRequested></m:GetMailTips>",
    )
    assert response.status_code == 200
    assert f"<t:Message>{reply}</t:Message>" in response.text
