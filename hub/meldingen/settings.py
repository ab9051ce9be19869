"""``[meldingen]`` in a gemeente file: how long a melder's contact details are kept."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MeldingenSettings(BaseModel):
    """Every key has a default, so a gemeente without the section is minimised all the same."""

    model_config = ConfigDict(extra="forbid")

    melder_bewaartermijn_dagen: int = Field(
        default=90,
        ge=1,
        le=3650,
        description=(
            "Days after a melding is closed upstream (or failed) before the melder's name, "
            "e-mail and phone are erased; the melding itself stays for reporting."
        ),
    )
