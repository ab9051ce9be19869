"""Settings of the BRP plugin, per gemeente (``[plugins.brp]`` in ``config/gemeenten/<code>.toml``).

Two backends answer the same hook: ``haalcentraal`` (BRP Personen Bevragen v2,
REST) and ``stufbg`` (StUF-BG 0204 through a makelaar, SOAP). Credentials are
secret references (``${ENV}`` or a file); certificates and keys are file paths.
Plain ``http://`` is only accepted for loopback addresses (test doubles, a
sidecar proxy): person data never crosses a network unencrypted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.plugin_sdk import Secret, TlsSettings, drop_retired, require_https

# An installed wheel carries the StUF specs as package data; a checkout has them in specs/.
_PACKAGED_SPECS = Path(__file__).resolve().parent / "specs"
SPECS = (
    _PACKAGED_SPECS if _PACKAGED_SPECS.is_dir() else Path(__file__).resolve().parents[2] / "specs"
)
DEFAULT_WSDL = SPECS / "stuf" / "bg0204" / "bg0204.wsdl"


def _check_url(value: str) -> str:
    require_https(value)  # the hub's one rule: https, or http on loopback only
    parts = urlsplit(value)
    if parts.query or parts.fragment:
        raise ValueError("the URL must not have a query or fragment")
    return value.rstrip("/")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoAuth(_Strict):
    """No credentials beyond mutual TLS (common behind a gemeente's own BRP proxy)."""

    type: Literal["none"] = "none"


class ApiKeyAuth(_Strict):
    """An API key in a request header (RvIG's proefomgeving: ``X-API-Key``)."""

    type: Literal["apikey"] = "apikey"
    header: str = "X-API-Key"
    key: Secret


class OAuth2Auth(_Strict):
    """OAuth2 client credentials; the token is cached until shortly before it expires."""

    type: Literal["oauth2"] = "oauth2"
    token_url: str
    client_id: str
    client_secret: Secret
    scope: str | None = None

    _url = field_validator("token_url")(_check_url)


Auth = Annotated[NoAuth | ApiKeyAuth | OAuth2Auth, Field(discriminator="type")]


class ProxyHeaders(_Strict):
    """Header names for doelbinding at a BRP proxy; ``""`` leaves a header out."""

    doelbinding: str = "x-doelbinding"
    verwerking: str = "x-verwerking"
    gebruiker: str = "x-gebruiker"


class HaalCentraalSettings(_Strict):
    """Haal Centraal BRP Personen Bevragen v2."""

    base_url: str = Field(
        description="API root without /personen, e.g. "
        "https://proefomgeving.haalcentraal.nl/haalcentraal/api/brp"
    )
    auth: Auth = NoAuth()
    tls: TlsSettings = TlsSettings()
    proxy_headers: ProxyHeaders = ProxyHeaders()
    connect_timeout: float = Field(default=3.0, gt=0, le=60)
    read_timeout: float = Field(default=10.0, gt=0, le=120)

    _url = field_validator("base_url")(_check_url)

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, data: Any) -> Any:
        # throttle_retries and max_retry_after went with the plugin's retry loop: ignored.
        return drop_retired(data, "brp")


class StufSysteem(_Strict):
    """A StUF ``zender`` or ``ontvanger``."""

    organisatie: str | None = Field(default=None, max_length=10)
    applicatie: str = Field(min_length=3, max_length=20)
    administratie: str | None = Field(default=None, max_length=1)
    gebruiker: str | None = Field(default=None, max_length=20)


class StufBgSettings(_Strict):
    """StUF-BG 0204 synchronous questions (``beantwoordSynchroneVraag``)."""

    endpoint: str = Field(description="URL of the StUFBGSynchroon service of the makelaar.")
    wsdl: Path = DEFAULT_WSDL
    zender: StufSysteem = StufSysteem(organisatie="KCC", applicatie="KCCHUB")
    ontvanger: StufSysteem = StufSysteem(applicatie="BRP")
    # The makelaar logs zender.gebruiker: put the medewerker there (truncated to 20).
    gebruiker_uit_caller: bool = True
    username: str | None = None
    password: Secret | None = None
    tls: TlsSettings = TlsSettings()
    connect_timeout: float = Field(default=3.0, gt=0, le=60)
    read_timeout: float = Field(default=10.0, gt=0, le=120)
    maximum_aantal: int = Field(default=15, ge=1, le=100)

    _url = field_validator("endpoint")(_check_url)

    @model_validator(mode="after")
    def _basic_auth_pair(self) -> StufBgSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together")
        return self


class BrpSettings(_Strict):
    """``[plugins.brp]``: which backend answers, and its settings."""

    backend: Literal["haalcentraal", "stufbg"] = "haalcentraal"
    haalcentraal: HaalCentraalSettings | None = None
    stufbg: StufBgSettings | None = None

    @model_validator(mode="after")
    def _backend_configured(self) -> BrpSettings:
        if self.backend == "haalcentraal" and self.haalcentraal is None:
            raise ValueError("backend 'haalcentraal' needs a [plugins.brp.haalcentraal] table")
        if self.backend == "stufbg" and self.stufbg is None:
            raise ValueError("backend 'stufbg' needs a [plugins.brp.stufbg] table")
        return self
