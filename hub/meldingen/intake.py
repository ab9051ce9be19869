"""Accepting a melding: stored with its outbox row in one transaction, at most once per key."""

from __future__ import annotations

import hashlib
import json
import re
import uuid

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from hub.caller import Caller
from hub.domain.meldingen import NieuweMelding
from hub.errors import InvalidRequest, KccError, NotFound
from hub.meldingen.records import Melding
from hub.meldingen.tables import IN_WACHTRIJ, MeldingRij, OutboxRij
from hub.store.base import utcnow
from hub.store.db import Store

# Printable ASCII without spaces, as the IETF Idempotency-Key draft's examples (UUIDs) suggest.
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKeyReused(KccError):
    """The Idempotency-Key was used before for a different melding."""

    status = 409
    title = "Idempotency-Key al gebruikt"


def fingerprint(caller: Caller, body: NieuweMelding) -> str:
    canonical = json.dumps(
        {"caller": caller.subject, "melding": body.model_dump(mode="json")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def accept(
    store: Store, gemeente: str, caller: Caller, idempotency_key: str, body: NieuweMelding
) -> tuple[Melding, bool]:
    """Store the melding (status ``in_wachtrij``) and its outbox row; ``created`` is False for a
    repeated request with the same key and body, which gets the original answer again.

    Raises :class:`IdempotencyKeyReused` (409) when the key was used for another body or by
    another caller, and ``InvalidRequest`` for a malformed key.
    """
    if not _KEY.match(idempotency_key or ""):
        raise InvalidRequest(
            "Idempotency-Key moet 1 tot 255 zichtbare ASCII-tekens zijn, bv. een UUID",
            field="Idempotency-Key",
            code="pattern",
        )
    vingerafdruk = fingerprint(caller, body)
    existing = _existing(store, gemeente, idempotency_key, vingerafdruk)
    if existing is not None:
        return existing, False
    melding_id = str(uuid.uuid4())
    now = utcnow()
    try:
        with store.session() as session:
            session.add(
                MeldingRij(
                    id=melding_id,
                    gemeente=gemeente,
                    idempotency_key=idempotency_key,
                    vingerafdruk=vingerafdruk,
                    aangemaakt_door=caller.subject,
                    categorie=body.categorie,
                    omschrijving=body.omschrijving,
                    locatie=body.locatie.model_dump(mode="json", exclude_none=True),
                    melder=body.melder.model_dump(mode="json", exclude_none=True)
                    if body.melder
                    else None,
                    melder_email=normalise_email(body.melder.email if body.melder else None),
                    melder_telefoon=normalise_telefoon(
                        body.melder.telefoonnummer if body.melder else None
                    ),
                    status=IN_WACHTRIJ,
                    aangemaakt_op=now,
                    pogingen=0,
                )
            )
            # Flush the parent first: the outbox row references it.
            session.flush()
            session.add(
                OutboxRij(gemeente=gemeente, melding_id=melding_id, aangemaakt_op=now, pogingen=0)
            )
            session.flush()
            row = session.get(MeldingRij, melding_id)
            assert row is not None
            created = Melding.from_row(row)
    except IntegrityError:
        # A concurrent request with the same key won the insert; answer as its repeat.
        existing = _existing(store, gemeente, idempotency_key, vingerafdruk)
        if existing is None:
            raise
        return existing, False
    return created, True


def _existing(store: Store, gemeente: str, key: str, vingerafdruk: str) -> Melding | None:
    with store.session() as session:
        row = session.scalars(
            select(MeldingRij).where(
                MeldingRij.gemeente == gemeente, MeldingRij.idempotency_key == key
            )
        ).one_or_none()
        if row is None:
            return None
        if row.vingerafdruk != vingerafdruk:
            raise IdempotencyKeyReused(
                "Deze Idempotency-Key is al gebruikt voor een andere melding; "
                "gebruik een nieuwe sleutel voor een nieuwe melding"
            )
        return Melding.as_accepted(row)


def normalise_email(value: str | None) -> str | None:
    """Lower case, trimmed: how a melder's address is stored and searched."""
    cleaned = (value or "").strip().lower()
    return cleaned or None


def normalise_telefoon(value: str | None) -> str | None:
    """Digits only, with +31/0031 written as a leading 0: 06-1234 5678 == +31612345678."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if (value or "").strip().startswith("+31"):
        digits = "0" + digits[2:]
    elif digits.startswith("0031"):
        digits = "0" + digits[4:]
    return digits or None


def meldingen_van_melder(
    store: Store,
    gemeente: str,
    *,
    email: str | None = None,
    telefoonnummer: str | None = None,
    limit: int = 50,
) -> list[Melding]:
    """The gemeente's meldingen filed for this melder (by e-mail or phone), newest first.

    For the klantbeeld: "how is my report doing?". Matches on the normalised forms.
    """
    wanted_email = normalise_email(email)
    wanted_telefoon = normalise_telefoon(telefoonnummer)
    conditions = []
    if wanted_email:
        conditions.append(MeldingRij.melder_email == wanted_email)
    if wanted_telefoon:
        conditions.append(MeldingRij.melder_telefoon == wanted_telefoon)
    if not conditions:
        return []
    with store.session() as session:
        rows = session.scalars(
            select(MeldingRij)
            .where(MeldingRij.gemeente == gemeente, or_(*conditions))
            .order_by(MeldingRij.aangemaakt_op.desc())
            .limit(limit)
        ).all()
        return [Melding.from_row(row) for row in rows]


def get_melding(store: Store, gemeente: str, melding_id: str) -> Melding:
    """The stored melding with local and upstream status; NotFound for another gemeente's id."""
    with store.session() as session:
        row = session.get(MeldingRij, melding_id)
        if row is None or row.gemeente != gemeente:
            raise NotFound("Deze melding bestaat niet")
        return Melding.from_row(row)
