"""Generation counters: a cheap, cross-process answer to "has this gemeente's data changed?".

A cache of answers built from stored data (the directory search, see
:mod:`hub.directory.zoekcache`) keys its entries by the gemeente's generation. Every
writer of that data bumps the generation in the same transaction as the write, so a
process that reads the generation first and the data after can never cache old data
under a new generation; any API process sees another process's sync on its next request.

Writers: the sync runner after every applied batch and at the end of a run
(:mod:`hub.sync.runner`), and the availability refresh (:mod:`hub.beschikbaarheid.refresh`).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import BigInteger, String, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base


class StoreGeneratie(Base):
    __tablename__ = "store_generaties"

    gemeente: Mapped[str] = mapped_column(String(4), primary_key=True)
    generatie: Mapped[int] = mapped_column(BigInteger)


def bump(session: Session, gemeente: str) -> None:
    """Mark the gemeente's stored data as changed, in the caller's transaction."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = cast(Table, StoreGeneratie.__table__)
    statement = insert(table).values(gemeente=gemeente, generatie=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.gemeente],
            set_={"generatie": table.c.generatie + 1},
        )
    )


def current(session: Session, gemeente: str) -> int:
    """The gemeente's generation (0 before its first bump)."""
    found = session.scalar(
        select(StoreGeneratie.generatie).where(StoreGeneratie.gemeente == gemeente)
    )
    return int(found or 0)
