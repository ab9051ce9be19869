"""Settings of the exchange plugin for one gemeente (``[plugins.exchange]`` in its TOML file)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from hub.plugin_sdk import Secret, UpstreamUrl, drop_retired


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OAuth2Settings(_Strict):
    """An app registration using the client-credentials grant (Entra ID / ADFS)."""

    tenant_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret: Secret
    authority: UpstreamUrl = Field(
        default=HttpUrl("https://login.microsoftonline.com"),
        description="Token endpoint host; {authority}/{tenant_id}/oauth2/v2.0/token.",
    )

    def token_url(self) -> str:
        return f"{str(self.authority).rstrip('/')}/{self.tenant_id}/oauth2/v2.0/token"


class EwsSettings(_Strict):
    """On-premises Exchange through EWS. Autodiscover is not used: name the endpoint."""

    service_endpoint: UpstreamUrl = Field(description="https://mail.gemeente.nl/EWS/Exchange.asmx")
    auth: Literal["oauth2", "ntlm", "basic"] = "oauth2"
    username: str | None = Field(default=None, description="DOMEIN\\account for ntlm/basic.")
    password: Secret | None = None
    oauth2: OAuth2Settings | None = None
    scope: str = Field(
        default="https://outlook.office365.com/.default",
        description="OAuth2 scope; for hybrid on-premises use the EWS resource's /.default.",
    )
    impersonation: bool = Field(
        default=True, description="ApplicationImpersonation; off means delegate access."
    )

    @model_validator(mode="after")
    def _credentials_for_auth(self) -> EwsSettings:
        if self.auth == "oauth2" and self.oauth2 is None:
            raise ValueError("auth = 'oauth2' needs an [plugins.exchange.ews.oauth2] table")
        if self.auth in ("ntlm", "basic") and (self.username is None or self.password is None):
            raise ValueError(f"auth = '{self.auth}' needs username and password")
        return self


class GraphSettings(_Strict):
    """Exchange Online through Microsoft Graph (EWS is blocked there from 1 October 2026)."""

    oauth2: OAuth2Settings
    base_url: UpstreamUrl = Field(default=HttpUrl("https://graph.microsoft.com/v1.0"))
    scope: str = "https://graph.microsoft.com/.default"


class ExchangeSettings(_Strict):
    """Everything the plugin needs for one gemeente."""

    backend: Literal["ews", "graph"]
    ews: EwsSettings | None = None
    graph: GraphSettings | None = None
    afzender: str = Field(
        description="Mailbox that sends notifications (e.g. kcc@gemeente.nl).", min_length=3
    )
    tijdzone: str = Field(default="Europe/Amsterdam", description="IANA zone of the gemeente.")
    vrij_slot_minuten: int = Field(
        default=15, ge=5, le=240, description="Shortest free slot that counts as 'next free'."
    )
    venster_uren: int = Field(
        default=96, ge=1, le=24 * 41, description="How far ahead the sync looks for busy blocks."
    )
    sync_interval_seconds: int = Field(default=300, ge=30)
    afwezigheid_cache_seconden: int = Field(
        default=900, ge=0, description="Automatic replies change rarely; reuse them this long."
    )
    afwezigheid_parallel: int = Field(
        default=8, ge=1, le=32, description="EWS: connections kept open to Exchange."
    )
    timeout_seconden: float = Field(default=20.0, gt=0, le=120)

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, data: Any) -> Any:
        # max_pogingen and max_wachttijd_seconden went with the plugin's retry loop: ignored.
        return drop_retired(data, "exchange")

    @model_validator(mode="after")
    def _backend_configured(self) -> ExchangeSettings:
        if self.backend == "ews" and self.ews is None:
            raise ValueError("backend = 'ews' needs an [plugins.exchange.ews] table")
        if self.backend == "graph" and self.graph is None:
            raise ValueError("backend = 'graph' needs an [plugins.exchange.graph] table")
        return self
