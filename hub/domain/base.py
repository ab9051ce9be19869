"""The base model for records that leave the hub: camelCase on the wire (NL API Design Rules)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """Python attributes in snake_case, JSON in camelCase; unknown input fields are errors."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        ser_json_timedelta="iso8601",
    )
