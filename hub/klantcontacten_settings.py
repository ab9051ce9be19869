"""``[klantcontacten]`` in a gemeente file: routing, deadlines, working hours, mail, retention."""

from __future__ import annotations

import re
import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


_MAILBOX = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINK_FIELDS = frozenset({"id", "gemeente"})


def _check_mailboxes(value: dict[str, str]) -> dict[str, str]:
    for naam, adres in value.items():
        if not naam.strip():
            raise ValueError("a name of an afdeling or groep may not be empty")
        if not _MAILBOX.match(adres):
            raise ValueError(f"the mailbox of {naam!r} is not an e-mail address")
    return value


class DeadlineWerkdagen(_Strict):
    """Working days from registration to the callback deadline, per urgentie."""

    hoog: int = Field(default=1, ge=0, le=60)
    normaal: int = Field(default=2, ge=0, le=60)
    laag: int = Field(default=5, ge=0, le=60)


class KlantcontactenSettings(_Strict):
    """``[klantcontacten]`` in a gemeente file: routing, deadlines, mail and retention.

    Every key has a default, so a gemeente without the section registers klantcontacten and
    routes contactverzoeken to medewerkers; an afdeling or groep can be assigned only when it
    has a functional mailbox here.
    """

    afdelingen: dict[str, str] = Field(
        default_factory=dict, description="Functional mailbox per afdeling (AD department)."
    )
    groepen: dict[str, str] = Field(
        default_factory=dict, description="Functional mailbox per AD group."
    )
    kcc_mailbox: str | None = Field(
        default=None,
        description="The KCC's own mailbox: escalations go here when the afdeling has none.",
    )
    deadline_werkdagen: DeadlineWerkdagen = Field(default_factory=DeadlineWerkdagen)
    werkdag_begin: str = Field(
        default="08:30",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="HH:MM local; with werkdag_einde, the working hours lead times count in.",
    )
    werkdag_einde: str = Field(
        default="17:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM local."
    )
    norm_direct_procent: int = Field(
        default=80,
        ge=0,
        le=100,
        description="Goal for the share of klantcontacten handled directly (rapportages).",
    )
    herinnering_uren_voor_deadline: int = Field(default=4, ge=0, le=240)
    link_sjabloon: str | None = Field(
        default=None,
        max_length=500,
        description="Front-end URL of a contactverzoek; placeholders {id} and {gemeente}.",
    )
    bewaartermijn_dagen: int = Field(default=365, ge=1, le=36500)
    doel: str | None = Field(
        default=None,
        description="Doel (code from [[doelen]]) of storing a caller's BSN with a klantcontact.",
    )
    tijdzone: Literal["Europe/Amsterdam"] = "Europe/Amsterdam"

    _afdelingen = field_validator("afdelingen", "groepen")(_check_mailboxes)

    @field_validator("werkdag_einde")
    @classmethod
    def _werkdag_eindigt_na_begin(cls, value: str, info: ValidationInfo) -> str:
        begin = info.data.get("werkdag_begin")
        # "HH:MM" strings of equal length compare like the times they stand for.
        if isinstance(begin, str) and value <= begin:
            raise ValueError("werkdag_einde must be later than werkdag_begin")
        return value

    @field_validator("kcc_mailbox")
    @classmethod
    def _kcc_mailbox(cls, value: str | None) -> str | None:
        if value is not None and not _MAILBOX.match(value):
            raise ValueError("kcc_mailbox is not an e-mail address")
        return value

    @field_validator("link_sjabloon")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value.startswith(("https://", "http://")):
            raise ValueError("link_sjabloon must be an http(s) URL")
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"link_sjabloon is not a valid template: {exc}") from None
        unknown = names - _LINK_FIELDS
        if unknown:
            raise ValueError(
                f"link_sjabloon may use only {{id}} and {{gemeente}}, not {sorted(unknown)}"
            )
        return value
