"""Retention of the logboek: the periodic purge per gemeente (a job for the scheduler).

``purge_logboek`` runs in its own transaction: it verifies the part it is about
to remove, writes a signed checkpoint and deletes; a broken chain is never purged.
"""

from __future__ import annotations

from datetime import datetime

from hub.privacy.logboek import PurgeResultaat, purge
from hub.privacy.settings import GemeentePrivacy
from hub.store.db import Store


def purge_logboek(
    store: Store, privacy: GemeentePrivacy, *, nu: datetime | None = None
) -> PurgeResultaat:
    """Remove the gemeente's records past its bewaartermijn (``[privacy] bewaartermijn_dagen``)."""
    with store.session() as session:
        return purge(session, privacy.sleutels, privacy.bewaartermijn_dagen, nu=nu)
