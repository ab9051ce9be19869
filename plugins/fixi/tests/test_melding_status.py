"""Reading a melding's status from Fixi."""

from __future__ import annotations

import uuid

from hub.plugin_api import HealthState
from plugins.fixi import plugin
from plugins.fixi.double import FixiDouble
from plugins.fixi.tests.conftest import context, lantaarnpaal


def test_a_status_change_in_fixi_is_read_back(fixi: FixiDouble) -> None:
    ctx = context(fixi)
    created = plugin.kcc_create_melding(
        ctx, melding=lantaarnpaal(), idempotency_key=str(uuid.uuid4())
    )
    assert created is not None
    fixi.set_status(created.extern_id, "Afgehandeld", closed=True)

    current = plugin.kcc_get_melding(ctx, extern_id=created.extern_id)

    assert current is not None
    assert current.status == "Afgehandeld" and current.afgesloten is not None


def test_a_gemeente_can_rename_fixi_status_words(fixi: FixiDouble) -> None:
    ctx = context(fixi, statussen={"Nieuw": "Ontvangen"})
    created = plugin.kcc_create_melding(
        ctx, melding=lantaarnpaal(), idempotency_key=str(uuid.uuid4())
    )

    assert created is not None and created.status == "Ontvangen"


def test_an_unknown_melding_gives_none(fixi: FixiDouble) -> None:
    assert plugin.kcc_get_melding(context(fixi), extern_id="FX-0000-999999") is None


def test_health_follows_fixi(fixi: FixiDouble) -> None:
    assert plugin.kcc_healthcheck(context(fixi)).state == HealthState.OK
    fixi.faults.status = 500
    assert plugin.kcc_healthcheck(context(fixi)).state == HealthState.DOWN


def test_plugin_info_offers_meldingen() -> None:
    info = plugin.kcc_plugin_info()
    assert info.name == "fixi" and "meldingen" in info.capabilities
