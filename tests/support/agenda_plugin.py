"""A small calendar plugin for the core's tests: everyone is free, except addresses that
start with "bezet". It answers ``kcc_get_beschikbaarheid`` and has no ``kcc_sync``, as the
exchange plugin does, so the core's availability refresh runs for real without Exchange."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hub import hookimpl
from hub.domain.beschikbaarheid import Beschikbaarheid, BeschikbaarheidStatus
from hub.plugin_api import Capability, HookContext, PluginInfo

ASKED: list[int] = []


class AgendaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sync_interval_seconds: int = Field(default=120, ge=30)


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="agenda",
        version="1.0.0",
        description="Testagenda",
        capabilities=frozenset({Capability.BESCHIKBAARHEID}),
        settings_model=AgendaSettings,
        sync_interval_seconds=300,
    )


@hookimpl
def kcc_get_beschikbaarheid(
    ctx: HookContext, emails: Sequence[str], van: datetime, tot: datetime
) -> list[Beschikbaarheid]:
    ASKED.append(len(emails))
    return [
        Beschikbaarheid(
            email=email,
            status=BeschikbaarheidStatus.BEZET
            if email.startswith("bezet")
            else BeschikbaarheidStatus.VRIJ,
            peilmoment=van,
        )
        for email in emails
    ]
