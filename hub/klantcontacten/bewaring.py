"""Retention: a klantcontact, with its betrokkene, contactverzoeken, attempts, trail, mails and
idempotency answers, is deleted once the gemeente's term (``[klantcontacten]
bewaartermijn_dagen``) has passed since it was registered and since its last contactverzoek
was handled. An open contactverzoek is never purged, however old."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from hub.domain.klantcontacten import Status
from hub.klantcontacten.tables import ContactverzoekRij, KlantcontactRij
from hub.store.base import utcnow
from hub.store.db import Store


def purge(
    store: Store, gemeente: str, bewaartermijn_dagen: int, *, nu: datetime | None = None
) -> int:
    """Delete the gemeente's klantcontacten past the term; returns how many. Children go with
    them through ``ON DELETE CASCADE``."""
    grens = (nu or utcnow()) - timedelta(days=bewaartermijn_dagen)
    nog_nodig = select(ContactverzoekRij.klantcontact_id).where(
        ContactverzoekRij.gemeente == gemeente,
        or_(
            ContactverzoekRij.status == Status.TE_VERWERKEN.value,
            ContactverzoekRij.afgehandeld_op.is_(None),
            ContactverzoekRij.afgehandeld_op >= grens,
        ),
    )
    with store.session() as session:
        result = session.execute(
            delete(KlantcontactRij)
            .where(
                KlantcontactRij.gemeente == gemeente,
                KlantcontactRij.geregistreerd_op < grens,
                KlantcontactRij.id.not_in(nog_nodig),
            )
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
