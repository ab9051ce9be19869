"""Data minimisation: a melder's contact details are kept only while the melding may need them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, null, or_, update

from hub.meldingen.tables import INGEDIEND, MISLUKT, MeldingRij
from hub.store.db import Store


def anonymiseer_melders(store: Store, gemeente: str, *, afgerond_voor: datetime) -> int:
    """Erase melder contact details of meldingen finished before ``afgerond_voor``.

    Finished: closed upstream, or failed (``mislukt``). The melding itself (categorie,
    omschrijving, locatie, statuses) stays for reporting; meldingen still waiting or open
    upstream keep their melder, who may be contacted about them. Returns how many were erased.
    """
    afgerond = or_(
        and_(MeldingRij.status == INGEDIEND, MeldingRij.extern_afgesloten < afgerond_voor),
        and_(MeldingRij.status == MISLUKT, MeldingRij.aangemaakt_op < afgerond_voor),
    )
    heeft_melder = or_(
        MeldingRij.melder.is_not(None),
        MeldingRij.melder_email.is_not(None),
        MeldingRij.melder_telefoon.is_not(None),
    )
    with store.session() as session:
        result = session.execute(
            update(MeldingRij)
            .where(MeldingRij.gemeente == gemeente, afgerond, heeft_melder)
            .values(melder=null(), melder_email=None, melder_telefoon=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
