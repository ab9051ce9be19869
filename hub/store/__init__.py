"""Persistence: SQLAlchemy 2 on SQLite (embedded default) or PostgreSQL, migrated by Alembic."""
