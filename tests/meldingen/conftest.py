"""The meldingen tests run the hub's queue and outbox against the Fixi double (through the
real fixi plugin), with the fixtures of the plugin's own tests."""

from plugins.fixi.tests.conftest import (
    _fresh,
    _migrated_postgresql,
    _migrated_sqlite,
    _only_fixi,
    database_url,
    fixi,
    store,
)

__all__ = [
    "_fresh",
    "_migrated_postgresql",
    "_migrated_sqlite",
    "_only_fixi",
    "database_url",
    "fixi",
    "store",
]
