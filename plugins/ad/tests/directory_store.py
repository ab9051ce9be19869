"""A store holding only the directory tables, created by the real 0002_directory migration."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

import hub.directory
import hub.store

MIGRATION = Path(hub.store.__file__).parent / "migrations" / "versions" / "0002_directory.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0002_directory", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_directory_tables(engine: Engine) -> None:
    module = _migration()
    with engine.begin() as conn:
        ctx = MigrationContext.configure(conn)
        with Operations.context(ctx):
            module.upgrade()
