"""Doelbinding: every person-data request states a purpose (``doel``) the gemeente has configured.

A gemeente lists its purposes in ``config/gemeenten/<code>.toml``::

    [[doelen]]
    code = "kcc-identificatie"
    omschrijving = "Vaststellen wie de beller is en de vraag beantwoorden"
    verwerkingsactiviteit = "https://register.example.nl/verwerkingsactiviteiten/kcc-1"
    rollen = ["kcc-medewerker", "backoffice"]

``verwerkingsactiviteit`` is the URI of the processing activity in the gemeente's
register of processing activities (AVG art. 30); it goes into every logboek
record (``dpl.core.processing_activity_id``) and to the BRP's doelbinding header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hub.caller import ROLES
from hub.errors import Forbidden, InvalidRequest
from hub.settings_errors import ConfigError, ConfigProblem, problems_from_validation

_DOEL_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class Doel(BaseModel):
    """One configured purpose."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(description="Short code the caller sends as `doel`.")
    omschrijving: str = Field(min_length=1, max_length=500)
    verwerkingsactiviteit: str = Field(
        description="URI of the processing activity in the gemeente's register."
    )
    rollen: tuple[str, ...] = Field(min_length=1)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _DOEL_CODE.match(value):
            raise ValueError(
                "must be lower case letters, digits, '.', '_' or '-' (at most 64), "
                "e.g. kcc-identificatie"
            )
        return value

    @field_validator("verwerkingsactiviteit")
    @classmethod
    def _uri(cls, value: str) -> str:
        if not re.match(r"^(https?|urn):\S+$", value):
            raise ValueError("must be a URI (https://… or urn:…) of the processing activity")
        return value

    @field_validator("rollen")
    @classmethod
    def _rollen(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [r for r in value if r not in ROLES]
        if unknown:
            raise ValueError(
                f"unknown role(s) {', '.join(unknown)} (known roles: {', '.join(ROLES)})"
            )
        return value


@dataclass(frozen=True)
class Doelen:
    """The purposes of one gemeente, by code."""

    by_code: Mapping[str, Doel]

    def resolve(self, code: Any, rol: str) -> Doel:
        """The purpose the caller named, checked against the role.

        Missing or unknown → :class:`InvalidRequest` (400, field ``doel``); known
        but not for this role → :class:`Forbidden` (403).
        """
        if code is None or code == "":
            raise InvalidRequest(
                "doel is verplicht: noem het doel van de bevraging", field="doel", code="required"
            )
        if not isinstance(code, str) or code not in self.by_code:
            known = ", ".join(sorted(self.by_code)) or "geen"
            raise InvalidRequest(
                f"onbekend doel; bekende doelen voor deze gemeente: {known}",
                field="doel",
                code="enum",
            )
        doel = self.by_code[code]
        if rol not in doel.rollen:
            raise Forbidden(f"het doel {code} is niet toegestaan voor de rol {rol}")
        return doel

    def omschrijving(self, code: str | None) -> str:
        doel = self.by_code.get(code or "")
        return doel.omschrijving if doel else (code or "")


def load_doelen(raw: Sequence[Mapping[str, Any]], bron: str) -> Doelen:
    """Validate a gemeente's ``[[doelen]]``; every problem names the file and the key."""
    problems: list[ConfigProblem] = []
    by_code: dict[str, Doel] = {}
    for index, table in enumerate(raw):
        prefix = f"doelen[{index}]"
        try:
            doel = Doel.model_validate(table)
        except ValidationError as exc:
            problems.extend(problems_from_validation(bron, prefix, exc))
            continue
        if doel.code in by_code:
            problems.append(
                ConfigProblem(bron, f"{prefix}.code", f"duplicate doel code {doel.code!r}")
            )
            continue
        by_code[doel.code] = doel
    if problems:
        raise ConfigError(problems)
    return Doelen(by_code=by_code)
