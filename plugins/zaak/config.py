"""Settings of the zaak plugin: one or more ZGW zaaksystemen per gemeente."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from hub.plugin_sdk import Secret, UpstreamUrl, drop_retired


class ZgwBron(BaseModel):
    """One zaaksysteem speaking the ZGW APIs (Open Zaak, a vendor's ZGW layer…)."""

    model_config = {"extra": "forbid"}

    naam: str = Field(
        min_length=1, max_length=60, description="Shown to agents as the zaak's bron."
    )
    # https, or http on loopback only (test doubles, the demo): a BSN and a JWT travel here.
    zaken_url: UpstreamUrl = Field(description="Base of the Zaken API, e.g. https://…/zaken/api/v1")
    catalogi_urls: list[UpstreamUrl] = Field(
        min_length=1,
        description="Bases of the Catalogi APIs this source's zaaktypen live in. The hub sends "
        "its token only to these and to zaken_url.",
    )
    client_id: str = Field(min_length=1)
    secret: Secret
    # "zoek": POST /zaken/_zoek with the BSN in the body (Zaken API 1.5+), keeps the BSN out of
    # every URL. "lijst": GET /zaken?rol__…__inpBsn= for older zaaksystemen.
    search_method: Literal["zoek", "lijst"] = "zoek"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    catalog_ttl_seconds: float = Field(default=3600.0, ge=0)
    max_pages: int = Field(default=50, ge=1, le=1000)
    concurrency: int = Field(default=8, ge=1, le=32)

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, data: Any) -> Any:
        # max_attempts and retry_wait_seconds went with the plugin's retry loop: ignored.
        return drop_retired(data, "zaak")


class ZaakSettings(BaseModel):
    """``[plugins.zaak]``: ``[[plugins.zaak.bronnen]]`` tables, one per zaaksysteem."""

    model_config = {"extra": "forbid"}

    bronnen: list[ZgwBron] = Field(min_length=1)

    @field_validator("bronnen")
    @classmethod
    def _unique_names(cls, bronnen: list[ZgwBron]) -> list[ZgwBron]:
        names = [b.naam for b in bronnen]
        if len(set(names)) != len(names):
            raise ValueError("every bron needs its own naam")
        return bronnen
