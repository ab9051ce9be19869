"""``[haalcentraal]`` and ``[objecten]`` in a gemeente file: who may use the standard facades.

::

    [haalcentraal]
    gebruiker_header = "x-gebruiker"      # KISS: HAAL_CENTRAAL_USER_HEADER_NAME
    doel_header = "x-doelbinding"         # KISS: HAAL_CENTRAAL_CUSTOM_HEADERS per query type

    [haalcentraal.groeprollen]            # AD group (name or short name) -> hub role
    "KCC Medewerkers" = "kcc-medewerker"

    [[haalcentraal.clients]]
    naam = "kiss"
    api_key = "${KISS_BRP_API_KEY}"       # a secret reference, never the key itself
    doel = "kcc-identificatie"            # when a request names no doel

    [objecten.objecttypen]
    medewerker = "https://objecttypen.gemeente.nl/api/v2/objecttypes/<uuid>"
    afdeling = { url = "https://…/<uuid>", versie = 2 }

    [[objecten.clients]]
    naam = "kiss"
    token = "${KISS_OBJECTEN_TOKEN}"

:func:`facade_problems` checks what one table cannot: doelen that exist, secrets that
resolve, keys that tell clients apart. Start-up and ``kcc-hub config check`` call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.caller import ROLES
from hub.secrets import Secret, SecretResolutionError
from hub.settings_errors import ConfigProblem

_HEADER = r"^[A-Za-z0-9-]{1,64}$"
_NAAM = r"^[A-Za-z0-9._-]{1,64}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _known_role(value: str) -> str:
    if value not in ROLES:
        raise ValueError(f"unknown role {value!r} (known roles: {', '.join(ROLES)})")
    return value


class HaalCentraalClient(_Strict):
    """One application that calls the Haal Centraal endpoint (KISS), known by its API key."""

    naam: str = Field(pattern=_NAAM, description="Name in the logboek (client).")
    api_key: Secret = Field(description="Reference to the key it sends in X-API-KEY.")
    doel: str | None = Field(
        default=None, description="Doel code used when a request has no doel header."
    )
    rol_zonder_gebruiker: str | None = Field(
        default=None,
        description=(
            "Admit requests without a user header, with this role for the client itself. "
            "Leave empty (the default) to refuse them."
        ),
    )

    @field_validator("rol_zonder_gebruiker")
    @classmethod
    def _rol(cls, value: str | None) -> str | None:
        return _known_role(value) if value is not None else value


class HaalCentraalSettings(_Strict):
    gebruiker_header: str = Field(default="x-gebruiker", pattern=_HEADER)
    doel_header: str = Field(default="x-doelbinding", pattern=_HEADER)
    groeprollen: dict[str, str] = Field(
        default_factory=dict, description="Directory group (name or short name) -> hub role."
    )
    clients: list[HaalCentraalClient] = Field(min_length=1)

    @field_validator("groeprollen")
    @classmethod
    def _roles(cls, value: dict[str, str]) -> dict[str, str]:
        for groep, rol in value.items():
            if not groep.strip():
                raise ValueError("a group name may not be empty")
            _known_role(rol)
        return value

    @model_validator(mode="after")
    def _unique(self) -> HaalCentraalSettings:
        _unique_names(c.naam for c in self.clients)
        if self.gebruiker_header.lower() == self.doel_header.lower():
            raise ValueError("gebruiker_header and doel_header must be different headers")
        return self


class ObjectSoort(StrEnum):
    """The objecttypes the hub serves from its directory."""

    MEDEWERKER = "medewerker"
    AFDELING = "afdeling"
    GROEP = "groep"


class ObjectType(_Strict):
    url: str = Field(min_length=1, max_length=1000, pattern=r"^https?://\S+$")
    versie: int = Field(default=1, ge=0, le=32767, description="typeVersion of the records.")

    @model_validator(mode="before")
    @classmethod
    def _from_url(cls, value: Any) -> Any:
        return {"url": value} if isinstance(value, str) else value


class ObjectenClient(_Strict):
    naam: str = Field(pattern=_NAAM)
    token: Secret = Field(description="Reference to the token it sends as Authorization: Token.")


class ObjectenSettings(_Strict):
    objecttypen: dict[ObjectSoort, ObjectType] = Field(min_length=1)
    clients: list[ObjectenClient] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ObjectenSettings:
        _unique_names(c.naam for c in self.clients)
        urls = [_same_url(t.url) for t in self.objecttypen.values()]
        if len(set(urls)) != len(urls):
            raise ValueError("every objecttype needs its own URL")
        return self

    def soort_van(self, url: str) -> ObjectSoort | None:
        """Which of the hub's objecttypes a ``type`` URL names."""
        wanted = _same_url(url)
        for soort, objecttype in self.objecttypen.items():
            if _same_url(objecttype.url) == wanted:
                return soort
        return None


def _same_url(url: str) -> str:
    return url.strip().rstrip("/")


def _unique_names(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for naam in names:
        if naam in seen:
            raise ValueError(f"client name {naam!r} is used twice")
        seen.add(naam)


class GemeenteLike(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def doelen(self) -> list[dict[str, Any]]: ...

    @property
    def source(self) -> Path | None: ...

    @property
    def haalcentraal(self) -> HaalCentraalSettings | None: ...

    @property
    def objecten(self) -> ObjectenSettings | None: ...


def _resolved_keys(
    bron: str, key: str, secrets: Mapping[str, Secret], problems: list[ConfigProblem]
) -> None:
    values: dict[str, str] = {}
    for naam, secret in secrets.items():
        try:
            value = secret.resolve()
        except SecretResolutionError as exc:
            problems.append(ConfigProblem(bron, f"{key} {naam}", str(exc)))
            continue
        if len(value) < 16:
            problems.append(
                ConfigProblem(bron, f"{key} {naam}", "the secret is shorter than 16 characters")
            )
        if value in values.values():
            problems.append(
                ConfigProblem(bron, f"{key} {naam}", "two clients share a secret: use one each")
            )
        values[naam] = value


def facade_problems(gemeenten: Iterable[GemeenteLike]) -> list[ConfigProblem]:
    """Every problem of the facade settings that needs more than the table itself."""
    problems: list[ConfigProblem] = []
    for gemeente in gemeenten:
        bron = str(gemeente.source) if gemeente.source else f"gemeente {gemeente.code}"
        hc = gemeente.haalcentraal
        if hc is not None:
            codes = {str(d.get("code")) for d in gemeente.doelen}
            for index, client in enumerate(hc.clients):
                if client.doel is not None and client.doel not in codes:
                    problems.append(
                        ConfigProblem(
                            bron,
                            f"haalcentraal.clients[{index}].doel",
                            f"no [[doelen]] entry has code {client.doel!r}",
                        )
                    )
            _resolved_keys(
                bron, "haalcentraal.clients", {c.naam: c.api_key for c in hc.clients}, problems
            )
        if gemeente.objecten is not None:
            _resolved_keys(
                bron,
                "objecten.clients",
                {c.naam: c.token for c in gemeente.objecten.clients},
                problems,
            )
    return problems
