"""Alembic environment: the URL comes from the hub (``DATABASE_URL`` or SQLite under var/)."""

from __future__ import annotations

from alembic import context

from hub.store.db import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
engine = make_engine(url)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
