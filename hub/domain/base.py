"""The base model for records that leave the hub: camelCase on the wire (NL API Design Rules)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic.alias_generators import to_camel

_NUMBER = re.compile(r"^\s*[-+]?[0-9]+(\.[0-9]*)?\s*$")


def _iso_only(value: Any) -> Any:
    """pydantic reads a number as Unix time (``van=0.5`` is 1970); the API takes ISO 8601 only."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        raise ValueError(
            "verwacht een tijdstip in ISO 8601, bijvoorbeeld 2026-01-05T09:00:00+01:00"
        )
    return value


# Dates and times as input: ISO 8601 (with an offset), at most 40 characters in the schema.
DATUMTIJD_SCHEMA = WithJsonSchema({"type": "string", "format": "date-time", "maxLength": 40})
DatumTijd = Annotated[datetime, BeforeValidator(_iso_only), DATUMTIJD_SCHEMA]
AwareDatumTijd = Annotated[AwareDatetime, BeforeValidator(_iso_only), DATUMTIJD_SCHEMA]


class ApiModel(BaseModel):
    """Python attributes in snake_case, JSON in camelCase; unknown input fields are errors."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        ser_json_timedelta="iso8601",
    )
