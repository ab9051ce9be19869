"""``[witness]`` in ``config/hub.toml``: where the logboek's chain heads are anchored.

::

    [witness]
    type = "database"                                  # or "syslog", "rfc3161"
    interval_seconds = 60
    database_url = "${KCC_WITNESS_DATABASE_URL}"       # database: an insert-only role

    # type = "syslog"
    # syslog_address = "siem.gemeente.nl:514"          # or /dev/log
    # read_path = "/var/log/kcc-hub/anker.log"         # the SIEM's export, for verify

    # type = "rfc3161"
    # tsa_url = "https://tsa.example.nl/tsr"
    # tsa_ca_file = "/etc/kcc-hub/tsa-ca.pem"
    # directory = "/var/lib/kcc-hub/anker"             # append-only storage (WORM)

See :mod:`hub.privacy.witness` and docs/privacy.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.secrets import Secret


class WitnessSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["database", "syslog", "rfc3161"]
    interval_seconds: int = Field(
        default=60,
        ge=5,
        le=86_400,
        description="How often the scheduler anchors every gemeente's chain head.",
    )
    database_url: Secret | None = None
    syslog_address: str | None = None
    read_path: Path | None = None
    tsa_url: str | None = Field(default=None, pattern=r"^https?://")
    tsa_ca_file: Path | None = None
    directory: Path | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        needed = {
            "database": ("database_url",),
            "syslog": ("syslog_address",),
            "rfc3161": ("tsa_url", "tsa_ca_file", "directory"),
        }[self.type]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"type {self.type} needs {', '.join(missing)}")
        return self
