"""How a stored melding is shown through the API: local status and the upstream's status."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from hub.domain.base import ApiModel
from hub.domain.meldingen import Locatie
from hub.meldingen.tables import MeldingRij

LokaleStatus = Literal["in_wachtrij", "ingediend", "mislukt"]


class MeldingBron(ApiModel):
    """The upstream system's view of the melding, as of the last submission or status sync."""

    naam: str = Field(description="Het bronsysteem (plugin) dat de melding beheert, bv. fixi.")
    extern_id: str = Field(description="Kenmerk van de melding in het bronsysteem.")
    status: str | None = Field(default=None, description="Status zoals het bronsysteem die meldt.")
    aangemaakt: datetime | None = None
    afgesloten: datetime | None = None
    bijgewerkt_op: datetime | None = Field(
        default=None, description="Wanneer de hub deze status van het bronsysteem ontving."
    )


class Melding(ApiModel):
    """A melding openbare ruimte as the hub keeps it. Melder contact details are not shown."""

    id: str
    status: LokaleStatus = Field(
        description="in_wachtrij: opgeslagen, nog niet bij het bronsysteem; ingediend: het "
        "bronsysteem heeft de melding; mislukt: het bronsysteem weigerde de melding (zie fout)."
    )
    categorie: str
    omschrijving: str
    locatie: Locatie
    aangemaakt_op: datetime
    ingediend_op: datetime | None = None
    pogingen: int = Field(default=0, description="Aantal pogingen om de melding in te dienen.")
    fout: str | None = Field(default=None, description="Laatste fout bij het indienen.")
    bron: MeldingBron | None = None

    @classmethod
    def as_accepted(cls, row: MeldingRij) -> Melding:
        """The answer as first given (202, ``in_wachtrij``): what a repeated request with the
        same Idempotency-Key gets back, whatever happened to the melding since. The current
        state is ``GET …/meldingen/{id}``."""
        return cls.from_row(row).model_copy(
            update={
                "status": "in_wachtrij",
                "ingediend_op": None,
                "pogingen": 0,
                "fout": None,
                "bron": None,
            }
        )

    @classmethod
    def from_row(cls, row: MeldingRij) -> Melding:
        bron = None
        if row.extern_id and row.plugin:
            bron = MeldingBron(
                naam=row.plugin,
                extern_id=row.extern_id,
                status=row.extern_status,
                aangemaakt=row.extern_aangemaakt,
                afgesloten=row.extern_afgesloten,
                bijgewerkt_op=row.extern_bijgewerkt_op,
            )
        return cls(
            id=row.id,
            status=row.status,
            categorie=row.categorie,
            omschrijving=row.omschrijving,
            locatie=Locatie.model_validate(row.locatie),
            aangemaakt_op=row.aangemaakt_op,
            ingediend_op=row.ingediend_op,
            pogingen=row.pogingen,
            fout=row.laatste_fout,
            bron=bron,
        )
