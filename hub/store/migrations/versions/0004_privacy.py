"""Privacy: the append-only, hash-chained logboek with its chain head and retention checkpoints.

Revision ID: 0004_privacy
Revises: 0003_beschikbaarheid
Create Date: 2026-11-22

PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the logboek tables by trigger;
DELETE of logboek rows is allowed only inside the retention purge, which sets
``SET LOCAL kcc_hub.retention_purge = 'on'``. SQLite gets equivalent triggers
(DELETE allowed while a ``logboek_purge_vergunning`` row exists). The DDL is a
frozen copy of the one in ``hub.privacy.logboek.tables``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.base import UtcDateTime

revision = "0004_privacy"
down_revision = "0003_beschikbaarheid"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TABLES = ("logboek", "logboek_betrokkene", "logboek_checkpoint", "logboek_keten")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kcc_logboek_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('logboek', 'logboek_betrokkene')
       AND current_setting('kcc_hub.retention_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'logboek_keten' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'the logboek is append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""

_SQLITE_ABORT = "BEGIN SELECT RAISE(ABORT, 'the logboek is append-only'); END"


def upgrade() -> None:
    op.create_table(
        "logboek",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("volgnummer", sa.BigInteger(), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("span_id", sa.String(16), nullable=False),
        sa.Column("parent_span_id", sa.String(16), nullable=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("start_time", UtcDateTime(), nullable=False),
        sa.Column("end_time", UtcDateTime(), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("http_status", sa.SmallInteger(), nullable=False),
        sa.Column("processing_activity_id", sa.String(500), nullable=True),
        sa.Column("doel", sa.String(64), nullable=True),
        sa.Column("medewerker", sa.String(200), nullable=False),
        sa.Column("rol", sa.String(40), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("velden", sa.Text(), nullable=False),
        sa.Column("aantal_personen", sa.Integer(), nullable=False),
        sa.Column("foreign_operation", sa.String(200), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_logboek"),
        sa.UniqueConstraint("gemeente", "volgnummer", name="uq_logboek_gemeente_volgnummer"),
    )
    op.create_index("ix_logboek_gemeente_start_time", "logboek", ["gemeente", "start_time"])
    op.create_index("ix_logboek_gemeente_medewerker", "logboek", ["gemeente", "medewerker"])
    op.create_index("ix_logboek_gemeente_trace_id", "logboek", ["gemeente", "trace_id"])
    op.create_table(
        "logboek_betrokkene",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "logboek_id",
            _ID,
            sa.ForeignKey("logboek.id", name="fk_logboek_betrokkene_logboek_id_logboek"),
            nullable=False,
        ),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("volgnummer", sa.BigInteger(), nullable=False),
        sa.Column("positie", sa.SmallInteger(), nullable=False),
        sa.Column("betrokkene_hash", sa.String(64), nullable=False),
        sa.Column("bsn_versleuteld", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_logboek_betrokkene"),
    )
    op.create_index(
        "ix_logboek_betrokkene_gemeente_hash", "logboek_betrokkene", ["gemeente", "betrokkene_hash"]
    )
    op.create_index(
        "ix_logboek_betrokkene_gemeente_volgnummer",
        "logboek_betrokkene",
        ["gemeente", "volgnummer"],
    )
    op.create_table(
        "logboek_keten",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("volgnummer", sa.BigInteger(), nullable=False),
        sa.Column("laatste_hash", sa.String(64), nullable=False),
        sa.Column("handtekening", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", name="pk_logboek_keten"),
    )
    op.create_table(
        "logboek_checkpoint",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("volgnummer", sa.BigInteger(), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.Column("aantal_verwijderd", sa.BigInteger(), nullable=False),
        sa.Column("ouder_dan", UtcDateTime(), nullable=False),
        sa.Column("gepurged_op", UtcDateTime(), nullable=False),
        sa.Column("handtekening", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_logboek_checkpoint"),
        sa.UniqueConstraint(
            "gemeente", "volgnummer", name="uq_logboek_checkpoint_gemeente_volgnummer"
        ),
    )
    op.create_table(
        "logboek_purge_vergunning",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", name="pk_logboek_purge_vergunning"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in _TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION kcc_logboek_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION kcc_logboek_append_only()"
            )
    elif dialect == "sqlite":
        for table in ("logboek", "logboek_betrokkene", "logboek_checkpoint"):
            op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} {_SQLITE_ABORT}")
        for table in ("logboek", "logboek_betrokkene"):
            op.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "  # noqa: S608
                "WHEN NOT EXISTS (SELECT 1 FROM logboek_purge_vergunning "
                f"WHERE gemeente = OLD.gemeente) {_SQLITE_ABORT}"
            )
        for table in ("logboek_checkpoint", "logboek_keten"):
            op.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {_SQLITE_ABORT}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("logboek_purge_vergunning", "logboek_checkpoint", "logboek_keten"):
        op.drop_table(table)
    op.drop_table("logboek_betrokkene")
    op.drop_table("logboek")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS kcc_logboek_append_only()")
