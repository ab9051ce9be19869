"""kcc_send_notification: mail reaches the colleague once per notification id, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.errors import UpstreamUnavailable
from hub.plugin_api import HookContext, Notification
from plugins.exchange import plugin
from plugins.exchange.config import ExchangeSettings
from plugins.exchange.double import RunningDouble

from .conftest import ews_settings, graph_settings

OPERATION = {"ews": "CreateItem", "graph": "sendMail"}


def _notification(nid: str = "cv-2026-000123") -> Notification:
    return Notification(
        id=nid,
        to=("medewerker0001@gemeente.test",),
        subject="Terugbelverzoek: vraag over parkeervergunning",
        body_text="Graag vandaag terugbellen op 06 12345678.",
        created=datetime.now(UTC),
    )


@pytest.fixture(params=["ews", "graph"])
def backend(
    request: pytest.FixtureRequest, ews: RunningDouble, graph: RunningDouble
) -> tuple[RunningDouble, ExchangeSettings]:
    if request.param == "ews":
        return ews, ews_settings(ews)
    return graph, graph_settings(graph)


def _operation(settings: ExchangeSettings) -> str:
    return OPERATION[settings.backend]


def _ctx(settings: ExchangeSettings) -> HookContext:
    return HookContext(gemeente="9999", settings=settings)


def test_a_notification_is_mailed_from_the_configured_mailbox(
    backend: tuple[RunningDouble, ExchangeSettings],
) -> None:
    double, settings = backend
    message_id = plugin.kcc_send_notification(ctx=_ctx(settings), notification=_notification())
    [mail] = double.kalenders.verzonden
    assert mail.sender == "kcc@gemeente.test"
    assert mail.to == ("medewerker0001@gemeente.test",)
    assert mail.notification_id == "cv-2026-000123"
    assert message_id == mail.id


def test_sending_the_same_notification_twice_sends_one_mail(
    backend: tuple[RunningDouble, ExchangeSettings],
) -> None:
    double, settings = backend
    first = plugin.kcc_send_notification(ctx=_ctx(settings), notification=_notification())
    second = plugin.kcc_send_notification(ctx=_ctx(settings), notification=_notification())
    assert first == second
    assert len(double.kalenders.verzonden) == 1


def test_a_retry_after_the_mail_was_accepted_sends_exactly_one_mail(
    backend: tuple[RunningDouble, ExchangeSettings],
) -> None:
    double, settings = backend
    double.kalenders.fouten.fail_after_commit[_operation(settings)] = 1
    with pytest.raises(UpstreamUnavailable):
        plugin.kcc_send_notification(ctx=_ctx(settings), notification=_notification())
    assert len(double.kalenders.verzonden) == 1  # accepted upstream, but the job saw a failure
    plugin.kcc_send_notification(ctx=_ctx(settings), notification=_notification())
    assert len(double.kalenders.verzonden) == 1
    assert double.kalenders.count(_operation(settings)) == 1


def test_different_notifications_are_different_mails(
    backend: tuple[RunningDouble, ExchangeSettings],
) -> None:
    double, settings = backend
    plugin.kcc_send_notification(ctx=_ctx(settings), notification=_notification("cv-1"))
    plugin.kcc_send_notification(ctx=_ctx(settings), notification=_notification("cv-2"))
    assert [m.notification_id for m in double.kalenders.verzonden] == ["cv-1", "cv-2"]
