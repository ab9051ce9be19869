"""A stand-in system of record for the Klantinteracties seam, in memory.

It implements the seam hooks the way ``hub/hookspecs.py`` asks a real one (the ``openklant``
plugin) to: it keeps what it created under the hub's stable ids so that a retry finds it
instead of creating it twice, it applies a contactverzoek's full state, and it yields its
internetaken through ``kcc_sync`` with ``kind="internetaken"``. The core's forwarding,
outbox and import run for real against it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from hub import hookimpl
from hub.domain.klantcontacten import (
    ExterneInternetaak,
    ExternVastgelegd,
    KlantcontactRegistratie,
    KlantcontactVastgelegd,
    SeamActor,
    SeamBetrokkene,
    SeamContactverzoek,
    Status,
)
from hub.errors import UpstreamUnavailable
from hub.plugin_api import Capability, HookContext, PluginInfo, SyncBatch

NAAM = "klantinteracties"
BASE = "https://openklant.test/klantinteracties/api/v1"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class Taak:
    uuid: str
    kcc_hub_id: str | None
    status: Status
    toegewezen_op: datetime
    toelichting: str
    actoren: list[SeamActor]
    afgehandeld_op: datetime | None = None
    pogingen: set[str] = field(default_factory=set)
    klantcontact_uuid: str | None = None
    betrokkene: SeamBetrokkene | None = None


@dataclass
class State:
    """What the system of record holds, and what a test wants it to do wrong."""

    klantcontacten: dict[str, KlantcontactRegistratie] = field(default_factory=dict)  # by uuid
    by_hub_id: dict[str, str] = field(default_factory=dict)  # hub id -> uuid
    taken: dict[str, Taak] = field(default_factory=dict)  # by uuid
    calls: list[tuple[str, str]] = field(default_factory=list)  # (hook, hub id)
    down: bool = False
    fail_after_accept: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = State()


def reset() -> State:
    global STATE
    STATE = State()
    return STATE


def url(kind: str, value: str) -> str:
    return f"{BASE}/{kind}/{value}"


@hookimpl
def kcc_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAAM,
        version="1.0.0",
        description="Stand-in Klantinteracties system of record (tests)",
        capabilities=frozenset({Capability.KLANTINTERACTIES}),
        settings_model=Settings,
        sync_kinds=frozenset({"internetaken"}),
    )


def _upstream_call() -> None:
    if STATE.down:
        raise UpstreamUnavailable("Open Klant is niet bereikbaar")


def _accepted_then_failed() -> None:
    if STATE.fail_after_accept > 0:
        STATE.fail_after_accept -= 1
        raise UpstreamUnavailable("verbinding verbroken na het opslaan")


@hookimpl
def kcc_register_klantcontact(
    ctx: HookContext, klantcontact: KlantcontactRegistratie
) -> KlantcontactVastgelegd:
    _upstream_call()
    with STATE.lock:
        STATE.calls.append(("register", klantcontact.id))
        # Find before create: the hub's id is the marker of what this hub created.
        kc_uuid = STATE.by_hub_id.get(klantcontact.id)
        if kc_uuid is None:
            kc_uuid = str(uuid.uuid4())
            STATE.by_hub_id[klantcontact.id] = kc_uuid
            STATE.klantcontacten[kc_uuid] = klantcontact
        taken: dict[str, ExternVastgelegd] = {}
        for cv in klantcontact.contactverzoeken:
            taak_uuid = STATE.by_hub_id.get(cv.id)
            if taak_uuid is None:
                taak_uuid = str(uuid.uuid4())
                STATE.by_hub_id[cv.id] = taak_uuid
                STATE.taken[taak_uuid] = Taak(
                    uuid=taak_uuid,
                    kcc_hub_id=cv.id,
                    status=cv.status,
                    toegewezen_op=cv.toegewezen_op,
                    toelichting=cv.toelichting,
                    actoren=list(cv.toegewezen_aan_actoren),
                    klantcontact_uuid=kc_uuid,
                    betrokkene=klantcontact.betrokkene,
                )
            taken[cv.id] = ExternVastgelegd(extern_id=taak_uuid, url=url("internetaken", taak_uuid))
    _accepted_then_failed()
    return KlantcontactVastgelegd(
        klantcontact=ExternVastgelegd(extern_id=kc_uuid, url=url("klantcontacten", kc_uuid)),
        internetaken=taken,
    )


@hookimpl
def kcc_update_contactverzoek(
    ctx: HookContext, contactverzoek: SeamContactverzoek, idempotency_key: str
) -> bool:
    _upstream_call()
    with STATE.lock:
        STATE.calls.append(("update", contactverzoek.id))
        taak = STATE.taken[contactverzoek.extern_id or ""]
        taak.status = contactverzoek.status
        taak.afgehandeld_op = contactverzoek.afgehandeld_op
        taak.actoren = list(contactverzoek.toegewezen_aan_actoren)
        taak.pogingen |= {p.id for p in contactverzoek.pogingen}
    return True


def add_elsewhere(taak: Taak) -> None:
    """An internetaak created directly in the system of record (by KISS)."""
    with STATE.lock:
        STATE.taken[taak.uuid] = taak


@hookimpl
def kcc_sync(ctx: HookContext, since: Mapping[str, Any] | None, full: bool) -> Iterator[SyncBatch]:
    _upstream_call()
    with STATE.lock:
        taken = [
            ExterneInternetaak(
                systeem=NAAM,
                extern_id=t.uuid,
                url=url("internetaken", t.uuid),
                kcc_hub_id=t.kcc_hub_id,
                gevraagde_handeling="Contact opnemen met betrokkene",
                toelichting=t.toelichting,
                status=t.status,
                toegewezen_op=t.toegewezen_op,
                afgehandeld_op=t.afgehandeld_op,
                toegewezen_aan_actoren=t.actoren,
                klantcontact_extern_id=t.klantcontact_uuid,
                kanaal="telefoon",
                onderwerp="Vraag via KISS",
                betrokkene=t.betrokkene,
            )
            for t in STATE.taken.values()
        ]
    yield SyncBatch(
        kind="internetaken", upserts=list(taken), full=True, checkpoint={"n": len(taken)}
    )
