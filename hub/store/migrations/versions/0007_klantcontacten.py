"""Klantcontacten and contactverzoeken: the hub's own index, their outbox and idempotency keys.

Revision ID: 0007_klantcontacten
Revises: 0006_logboek_signalen
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.base import UtcDateTime

revision = "0007_klantcontacten"
down_revision = "0006_logboek_signalen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "klantcontacten",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("gemeente", sa.String(length=4), nullable=False),
        sa.Column("kanaal", sa.String(length=50), nullable=False),
        sa.Column("onderwerp", sa.String(length=200), nullable=False),
        sa.Column("inhoud", sa.Text(), nullable=True),
        sa.Column("reactie", sa.Text(), nullable=True),
        sa.Column("vertrouwelijk", sa.Boolean(), nullable=False),
        sa.Column("indicatie_contact_gelukt", sa.Boolean(), nullable=True),
        sa.Column("taal", sa.String(length=3), nullable=False),
        sa.Column("plaatsgevonden_op", UtcDateTime(), nullable=False),
        sa.Column("afhandeling", sa.String(length=16), nullable=False),
        sa.Column("doorverbonden_met", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("geregistreerd_door", sa.String(length=255), nullable=False),
        sa.Column("geregistreerd_door_naam", sa.String(length=255), nullable=False),
        sa.Column("geregistreerd_door_medewerker", sa.String(length=64), nullable=True),
        sa.Column("geregistreerd_op", UtcDateTime(), nullable=False),
        sa.Column("onderwerpobjecten", sa.JSON(), nullable=False),
        sa.Column("betrokkene_rol", sa.String(length=20), nullable=True),
        sa.Column("betrokkene_initiator", sa.Boolean(), nullable=True),
        sa.Column("contactnaam", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("organisatienaam", sa.String(length=200), nullable=True),
        sa.Column("bsn_hash", sa.String(length=64), nullable=True),
        sa.Column("bsn_versleuteld", sa.Text(), nullable=True),
        sa.Column("bron", sa.String(length=64), nullable=False),
        sa.Column("extern_plugin", sa.String(length=64), nullable=True),
        sa.Column("extern_id", sa.String(length=100), nullable=True),
        sa.Column("extern_url", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_klantcontacten")),
    )
    op.create_index(
        "ix_klantcontacten_gemeente_bsn_hash",
        "klantcontacten",
        ["gemeente", "bsn_hash"],
        unique=False,
    )
    op.create_index(
        "ix_klantcontacten_gemeente_extern_id",
        "klantcontacten",
        ["gemeente", "extern_id"],
        unique=False,
    )
    op.create_index(
        "ix_klantcontacten_gemeente_plaatsgevonden_op",
        "klantcontacten",
        ["gemeente", "plaatsgevonden_op"],
        unique=False,
    )
    op.create_table(
        "contactverzoeken",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("gemeente", sa.String(length=4), nullable=False),
        sa.Column("klantcontact_id", sa.String(length=36), nullable=False),
        sa.Column("gevraagde_handeling", sa.String(length=200), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("urgentie", sa.String(length=10), nullable=False),
        sa.Column("medewerker_id", sa.String(length=64), nullable=True),
        sa.Column("medewerker_naam", sa.String(length=512), nullable=True),
        sa.Column("medewerker_email", sa.String(length=512), nullable=True),
        sa.Column("medewerker_afdeling", sa.String(length=512), nullable=True),
        sa.Column("afdeling", sa.String(length=200), nullable=True),
        sa.Column("afdeling_sleutel", sa.String(length=200), nullable=True),
        sa.Column("groep", sa.String(length=200), nullable=True),
        sa.Column("groep_sleutel", sa.String(length=200), nullable=True),
        sa.Column("toegewezen_op", UtcDateTime(), nullable=False),
        sa.Column("deadline", UtcDateTime(), nullable=False),
        sa.Column("herinnering_op", UtcDateTime(), nullable=True),
        sa.Column("escalatie_gepland", sa.Boolean(), nullable=False),
        sa.Column("te_plannen", sa.Boolean(), nullable=False),
        sa.Column("afgehandeld_op", UtcDateTime(), nullable=True),
        sa.Column("afgehandeld_door", sa.String(length=255), nullable=True),
        sa.Column("uitkomst", sa.Text(), nullable=True),
        sa.Column("aangemaakt_door", sa.String(length=255), nullable=False),
        sa.Column("aangemaakt_op", UtcDateTime(), nullable=False),
        sa.Column("bron", sa.String(length=64), nullable=False),
        sa.Column("extern_plugin", sa.String(length=64), nullable=True),
        sa.Column("extern_id", sa.String(length=100), nullable=True),
        sa.Column("extern_url", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["klantcontact_id"],
            ["klantcontacten.id"],
            name=op.f("fk_contactverzoeken_klantcontact_id_klantcontacten"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contactverzoeken")),
        sa.UniqueConstraint(
            "gemeente", "extern_plugin", "extern_id", name=op.f("uq_contactverzoeken_gemeente")
        ),
    )
    op.create_index(
        "ix_contactverzoeken_gemeente_afdeling",
        "contactverzoeken",
        ["gemeente", "afdeling_sleutel"],
        unique=False,
    )
    op.create_index(
        "ix_contactverzoeken_gemeente_groep",
        "contactverzoeken",
        ["gemeente", "groep_sleutel"],
        unique=False,
    )
    op.create_index(
        "ix_contactverzoeken_gemeente_medewerker",
        "contactverzoeken",
        ["gemeente", "medewerker_id"],
        unique=False,
    )
    op.create_index(
        "ix_contactverzoeken_gemeente_status_deadline",
        "contactverzoeken",
        ["gemeente", "status", "deadline"],
        unique=False,
    )
    op.create_index(
        op.f("ix_contactverzoeken_klantcontact_id"),
        "contactverzoeken",
        ["klantcontact_id"],
        unique=False,
    )
    op.create_index(
        "ix_contactverzoeken_status_herinnering_op",
        "contactverzoeken",
        ["status", "herinnering_op"],
        unique=False,
    )
    op.create_index(
        "ix_contactverzoeken_te_plannen", "contactverzoeken", ["te_plannen"], unique=False
    )
    op.create_table(
        "klantcontact_digitale_adressen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(length=4), nullable=False),
        sa.Column("klantcontact_id", sa.String(length=36), nullable=False),
        sa.Column("volgorde", sa.Integer(), nullable=False),
        sa.Column("soort", sa.String(length=20), nullable=False),
        sa.Column("adres", sa.String(length=80), nullable=False),
        sa.Column("omschrijving", sa.String(length=40), nullable=True),
        sa.Column("zoeksleutel", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["klantcontact_id"],
            ["klantcontacten.id"],
            name=op.f("fk_klantcontact_digitale_adressen_klantcontact_id_klantcontacten"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_klantcontact_digitale_adressen")),
    )
    op.create_index(
        op.f("ix_klantcontact_digitale_adressen_klantcontact_id"),
        "klantcontact_digitale_adressen",
        ["klantcontact_id"],
        unique=False,
    )
    op.create_index(
        "ix_klantcontact_digitale_adressen_zoek",
        "klantcontact_digitale_adressen",
        ["gemeente", "soort", "zoeksleutel"],
        unique=False,
    )
    op.create_table(
        "klantcontacten_idempotentie",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(length=4), nullable=False),
        sa.Column("sleutel", sa.String(length=255), nullable=False),
        sa.Column("vingerafdruk", sa.String(length=64), nullable=False),
        sa.Column("klantcontact_id", sa.String(length=36), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("antwoord", sa.JSON(), nullable=False),
        sa.Column("aangemaakt_op", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["klantcontact_id"],
            ["klantcontacten.id"],
            name=op.f("fk_klantcontacten_idempotentie_klantcontact_id_klantcontacten"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_klantcontacten_idempotentie")),
        sa.UniqueConstraint(
            "gemeente", "sleutel", name=op.f("uq_klantcontacten_idempotentie_gemeente")
        ),
    )
    op.create_index(
        op.f("ix_klantcontacten_idempotentie_klantcontact_id"),
        "klantcontacten_idempotentie",
        ["klantcontact_id"],
        unique=False,
    )
    op.create_table(
        "contactverzoek_pogingen",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("gemeente", sa.String(length=4), nullable=False),
        sa.Column("contactverzoek_id", sa.String(length=36), nullable=False),
        sa.Column("tijdstip", UtcDateTime(), nullable=False),
        sa.Column("door", sa.String(length=255), nullable=False),
        sa.Column("uitkomst", sa.String(length=20), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contactverzoek_id"],
            ["contactverzoeken.id"],
            name=op.f("fk_contactverzoek_pogingen_contactverzoek_id_contactverzoeken"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contactverzoek_pogingen")),
    )
    op.create_index(
        op.f("ix_contactverzoek_pogingen_contactverzoek_id"),
        "contactverzoek_pogingen",
        ["contactverzoek_id"],
        unique=False,
    )
    op.create_table(
        "contactverzoek_toewijzingen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(length=4), nullable=False),
        sa.Column("contactverzoek_id", sa.String(length=36), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("actoren", sa.JSON(), nullable=False),
        sa.Column("toegewezen_op", UtcDateTime(), nullable=False),
        sa.Column("door", sa.String(length=255), nullable=False),
        sa.Column("reden", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contactverzoek_id"],
            ["contactverzoeken.id"],
            name=op.f("fk_contactverzoek_toewijzingen_contactverzoek_id_contactverzoeken"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contactverzoek_toewijzingen")),
        sa.UniqueConstraint(
            "contactverzoek_id",
            "volgnummer",
            name=op.f("uq_contactverzoek_toewijzingen_contactverzoek_id"),
        ),
    )
    op.create_table(
        "klantcontacten_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("gemeente", sa.String(length=4), nullable=False),
        sa.Column("soort", sa.String(length=16), nullable=False),
        sa.Column("klantcontact_id", sa.String(length=36), nullable=False),
        sa.Column("contactverzoek_id", sa.String(length=36), nullable=True),
        sa.Column("mail_soort", sa.String(length=16), nullable=True),
        sa.Column("ontvangers", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("plugin", sa.String(length=64), nullable=True),
        sa.Column("uniek", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("aangemaakt_op", UtcDateTime(), nullable=False),
        sa.Column("verwerkt_op", UtcDateTime(), nullable=True),
        sa.Column("pogingen", sa.Integer(), nullable=False),
        sa.Column("volgende_poging_op", UtcDateTime(), nullable=True),
        sa.Column("geclaimd_tot", UtcDateTime(), nullable=True),
        sa.Column("laatste_fout", sa.Text(), nullable=True),
        sa.Column("extern_id", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["contactverzoek_id"],
            ["contactverzoeken.id"],
            name=op.f("fk_klantcontacten_outbox_contactverzoek_id_contactverzoeken"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["klantcontact_id"],
            ["klantcontacten.id"],
            name=op.f("fk_klantcontacten_outbox_klantcontact_id_klantcontacten"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_klantcontacten_outbox")),
        sa.UniqueConstraint("gemeente", "uniek", name=op.f("uq_klantcontacten_outbox_gemeente")),
    )
    op.create_index(
        op.f("ix_klantcontacten_outbox_contactverzoek_id"),
        "klantcontacten_outbox",
        ["contactverzoek_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_klantcontacten_outbox_klantcontact_id"),
        "klantcontacten_outbox",
        ["klantcontact_id"],
        unique=False,
    )
    op.create_index(
        "ix_klantcontacten_outbox_status_volgende",
        "klantcontacten_outbox",
        ["status", "volgende_poging_op"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("klantcontacten_idempotentie")
    op.drop_table("klantcontacten_outbox")
    op.drop_table("contactverzoek_toewijzingen")
    op.drop_table("contactverzoek_pogingen")
    op.drop_table("klantcontact_digitale_adressen")
    op.drop_table("contactverzoeken")
    op.drop_table("klantcontacten")
