"""Open and overdue contactverzoeken for ``/metrics``, counted in the store at each scrape.

Counted at scrape time rather than kept in process: with several API processes and workers
(docs/operations.md) no single process sees every change, but each sees the store. One
grouped query over the index ``gemeente, status, deadline``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import case, func, select

from hub.domain.klantcontacten import Status
from hub.klantcontacten.tables import ContactverzoekRij
from hub.metrics import CONTACTVERZOEKEN_OPEN, CONTACTVERZOEKEN_OVER_TERMIJN
from hub.store.db import Store


def ververs(store: Store, gemeenten: Iterable[str], nu: datetime) -> None:
    """Set both gauges for every connected gemeente (0 for one without open verzoeken)."""
    cv = ContactverzoekRij
    over = case(((cv.te_plannen.is_(False)) & (cv.deadline < nu), 1), else_=0)
    stand = {code: (0, 0) for code in gemeenten}
    with store.session() as session:
        stmt = (
            select(cv.gemeente, func.count(), func.coalesce(func.sum(over), 0))
            .where(cv.status == Status.TE_VERWERKEN.value, cv.gemeente.in_(list(stand)))
            .group_by(cv.gemeente)
        )
        for gemeente, open_, te_laat in session.execute(stmt):
            stand[gemeente] = (int(open_), int(te_laat))
    for gemeente, (open_, te_laat) in stand.items():
        CONTACTVERZOEKEN_OPEN.labels(gemeente=gemeente).set(open_)
        CONTACTVERZOEKEN_OVER_TERMIJN.labels(gemeente=gemeente).set(te_laat)
