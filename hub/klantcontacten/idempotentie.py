"""Idempotency-Key for every POST that changes something, with the meldingen semantics.

The same key with the same body (same operation, target and caller) gets the original answer
back, marked ``Idempotent-Replayed``; the same key with anything else is a 409. The key is
stored with the answer in the transaction that made the change, so a change and its key
exist together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.caller import Caller
from hub.errors import InvalidRequest, KccError
from hub.klantcontacten.tables import IdempotentieRij
from hub.store.base import utcnow
from hub.store.db import Store

# Printable ASCII without spaces, as the IETF Idempotency-Key draft's examples (UUIDs) suggest.
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKeyReused(KccError):
    """The Idempotency-Key was used before for another request."""

    status = 409
    title = "Idempotency-Key al gebruikt"


@dataclass(frozen=True)
class Verzoek:
    """One POST: the key and what identifies the request (its fingerprint)."""

    gemeente: str
    sleutel: str
    vingerafdruk: str


@dataclass(frozen=True)
class Antwoord:
    status_code: int
    body: dict[str, Any]
    herhaald: bool


def verzoek(
    gemeente: str, sleutel: str, caller: Caller, operatie: str, doel: str, body: Any
) -> Verzoek:
    """Check the key and fingerprint the request; ``InvalidRequest`` for a malformed key."""
    if not _KEY.match(sleutel or ""):
        raise InvalidRequest(
            "Idempotency-Key moet 1 tot 255 zichtbare ASCII-tekens zijn, bv. een UUID",
            field="Idempotency-Key",
            code="pattern",
        )
    canonical = json.dumps(
        {"operatie": operatie, "doel": doel, "caller": caller.subject, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return Verzoek(gemeente, sleutel, hashlib.sha256(canonical.encode()).hexdigest())


def eerder(store: Store, v: Verzoek) -> Antwoord | None:
    """The stored answer for this key, or None; 409 when the key was used for another request."""
    with store.session() as session:
        return eerder_in(session, v)


def eerder_in(session: Session, v: Verzoek) -> Antwoord | None:
    row = session.scalars(
        select(IdempotentieRij).where(
            IdempotentieRij.gemeente == v.gemeente, IdempotentieRij.sleutel == v.sleutel
        )
    ).one_or_none()
    if row is None:
        return None
    if row.vingerafdruk != v.vingerafdruk:
        raise IdempotencyKeyReused(
            "Deze Idempotency-Key is al gebruikt voor een ander verzoek; "
            "gebruik een nieuwe sleutel voor een nieuw verzoek"
        )
    return Antwoord(row.status_code, dict(row.antwoord), herhaald=True)


def bewaar(
    session: Session, v: Verzoek, klantcontact_id: str, status_code: int, body: dict[str, Any]
) -> Antwoord:
    """Store the answer in the change's own transaction (flushed, so a concurrent twin fails)."""
    session.add(
        IdempotentieRij(
            gemeente=v.gemeente,
            sleutel=v.sleutel,
            vingerafdruk=v.vingerafdruk,
            klantcontact_id=klantcontact_id,
            status_code=status_code,
            antwoord=body,
            aangemaakt_op=utcnow(),
        )
    )
    session.flush()
    return Antwoord(status_code, body, herhaald=False)
