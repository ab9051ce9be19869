"""The Alembic migration 0004_privacy installs the same append-only guards as the models."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from hub.privacy.keys import LogboekSleutels
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.logboek import retention as logboek_retention
from hub.store.db import Store, make_engine
from tests.privacy.test_logboek import _invoer


def test_the_migrated_logboek_is_append_only_and_purgeable(
    database_url: str, sleutels: LogboekSleutels
) -> None:
    engine = (
        make_engine(database_url)
        if database_url.startswith("sqlite")
        else create_engine(database_url)
    )
    store = Store(engine)
    try:
        for n in range(3):
            with store.session() as s:
                logboek_chain.append(s, sleutels, _invoer(n, dagen_geleden=90))
        for statement in (
            "UPDATE logboek SET doel = 'x'",
            "DELETE FROM logboek",
            "DELETE FROM logboek_betrokkene",
            "DELETE FROM logboek_keten",
        ):
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with store.session() as s:
            assert logboek_retention.purge(s, sleutels, 30).verwijderd == 3
        with store.session() as s:
            assert logboek_chain.verify(s, sleutels).intact
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE logboek_checkpoint SET volgnummer = 1"))
    finally:
        engine.dispose()
