"""A stand-in BRP plugin for the API tests: answers ``kcc_get_personen`` from synthetic persons.

It goes through the real plugin manager, configuration and API; what it answers
is Haal Centraal-shaped, projected on the ``fields`` it is asked for the way the
BRP does (automatic fields always delivered).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from hub import hookimpl
from hub.errors import UpstreamUnavailable
from hub.plugin_api import Capability, HookContext, PluginInfo
from tests.privacy.persons import BSN, BSN_GEHEIM, geheim, volledig

PERSONEN = {BSN: volledig(BSN), BSN_GEHEIM: geheim(BSN_GEHEIM)}
CALLS: list[dict[str, Any]] = []
AUTOMATIC = (
    "inOnderzoek",
    "geheimhoudingPersoonsgegevens",
    "opschortingBijhouding",
    "rni",
    "verificatie",
)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    storing: bool = False


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="testbrp",
        version="1",
        description="synthetic BRP for tests",
        capabilities=frozenset({Capability.PERSONEN}),
        settings_model=Settings,
    )


def _project(persoon: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: persoon[k] for k in AUTOMATIC if k in persoon}
    for path in fields:
        head = path.split(".")[0]
        if head in persoon:
            # Coarse: whole top-level groups; the hub masks the rest.
            out[head] = persoon[head]
    return out


@hookimpl
def kcc_get_personen(
    ctx: HookContext, query: Mapping[str, Any], fields: Sequence[str]
) -> dict[str, Any] | None:
    CALLS.append({"doel": ctx.doel, "fields": list(fields), "type": query["type"]})
    if ctx.settings.storing:
        raise UpstreamUnavailable("test-BRP is niet bereikbaar")
    found = [PERSONEN[b] for b in query.get("burgerservicenummer", []) if b in PERSONEN]
    return {"type": query["type"], "personen": [_project(p, fields) for p in found]}
