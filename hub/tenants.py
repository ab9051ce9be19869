"""Per-gemeente configuration: ``config/gemeenten/<code>.toml`` and the deployment-wide ``config/hub.toml``.

A gemeente file names the plugins it enables (``[plugins.<name>]`` tables whose
content is validated by that plugin's settings model) and carries the
gemeente's own sections (``[[doelen]]`` for doelbinding, ``[privacy]``,
``[auth]`` overrides). Loading collects *every* problem before failing, so an
admin fixes a file in one pass.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hub.api_settings import ApiSettings
from hub.facades.settings import HaalCentraalSettings, ObjectenSettings
from hub.klantbeeld.settings import KlantbeeldSettings
from hub.klantcontacten_settings import KlantcontactenSettings
from hub.meldingen.settings import MeldingenSettings
from hub.privacy.volume import RateLimitSettings
from hub.privacy.witness_settings import WitnessSettings
from hub.secrets import Secret
from hub.settings_errors import ConfigError, ConfigProblem, problems_from_validation

GEMEENTECODE = re.compile(r"^[0-9]{4}$")
KNOWN_ROLES = ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider")


def config_dir() -> Path:
    return Path(os.environ.get("KCC_HUB_CONFIG", "config"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OidcSettings(_Strict):
    """Production token verification against the gemeente's (or region's) OIDC issuer.

    With ``client_id`` set, the ``/beheer/`` pages log users in at this issuer
    (authorization code flow with PKCE). The endpoints come from the issuer's discovery
    document unless both are given.
    """

    issuer: str
    jwks_url: str
    audience: str
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    client_id: str | None = Field(
        default=None, description="Client of the /beheer/ pages at the issuer; enables login."
    )
    client_secret: Secret | None = Field(
        default=None, description="Secret reference; leave out for a public client (PKCE only)."
    )
    discovery_url: str | None = Field(
        default=None, description="Default: <issuer>/.well-known/openid-configuration."
    )
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile"])
    redirect_url: str | None = Field(
        default=None,
        description="The callback as the issuer knows it (…/beheer/oidc/callback); "
        "default: derived from the request.",
    )


class ClaimNames(_Strict):
    """Which token claims carry the caller's identity; KISS and Keycloak differ."""

    subject: str = "sub"
    name: str = "name"
    # The caller's e-mail address: with the subject, how "mij" is matched to a medewerker.
    email: str = "email"
    roles: str = "roles"
    gemeenten: str = "gemeenten"
    client_id: str = "azp"


class AuthSettings(_Strict):
    dev_key: Secret | None = Field(
        default=None, description="HS256 key for development tokens; never set in production."
    )
    dev_issuer: str = "kcc-hub-dev"
    dev_audience: str = "kcc-hub"
    oidc: OidcSettings | None = None
    claims: ClaimNames = Field(default_factory=ClaimNames)
    # Claim value -> hub role. Hub role names always map to themselves.
    roles: dict[str, str] = Field(default_factory=dict)
    leeway_seconds: int = Field(default=30, ge=0, le=300)

    def map_role(self, value: str) -> str | None:
        if value in KNOWN_ROLES:
            return value
        return self.roles.get(value)


class OutboxSettings(_Strict):
    """``[outbox]`` in ``hub.toml``: how work waiting in an outbox (mail, forwarding) is retried.

    A worker claims a row for ``lease_seconds``; a worker that dies holding it simply lets the
    lease run out, and the next sweep (every 15 s) hands the row to another worker, so its
    work is picked up again within a minute.
    """

    lease_seconds: int = Field(default=45, ge=5, le=55)
    max_attempts: int = Field(default=30, ge=1, le=1000)
    first_backoff_seconds: float = Field(default=30.0, ge=0, le=3600)
    max_backoff_seconds: float = Field(default=3600.0, ge=0, le=86400)


_ORIGIN = re.compile(r"^https?://(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:[0-9]{1,5})?$")
# Request headers a browser front end sends besides the CORS-safelisted ones.
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "traceparent",
    "tracestate",
)
# Response headers a browser front end may read besides the CORS-safelisted ones.
CORS_EXPOSED_HEADERS = (
    "API-Version",
    "X-Trace-Id",
    "Location",
    "Retry-After",
    "Idempotent-Replayed",
)


class CorsSettings(_Strict):
    """``[cors]`` in ``hub.toml``: which browser front ends may call the API.

    Without ``allowed_origins`` (the default) no browser page on another origin can call
    the API; server-to-server callers are not affected by CORS at all.
    """

    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port]) of the front ends, e.g. https://kcc.gemeente.nl.",
    )
    extra_request_headers: list[str] = Field(
        default_factory=list,
        description="Request headers to allow besides " + ", ".join(CORS_REQUEST_HEADERS) + ".",
    )
    max_age_seconds: int = Field(
        default=600, ge=0, le=86400, description="How long a browser may cache a preflight."
    )

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin.strip() == "*":
                raise ValueError(
                    "a wildcard is not allowed: list the origins of the front ends, "
                    "e.g. https://kcc.gemeente.nl"
                )
            if not _ORIGIN.match(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: write scheme://host[:port] in lower case, "
                    "without path or trailing slash, e.g. http://localhost:5173"
                )
        return list(dict.fromkeys(value))

    @field_validator("extra_request_headers")
    @classmethod
    def _headers(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", name):
                raise ValueError(f"{name!r} is not a header name")
        return value


class BeheerSettings(_Strict):
    """``[beheer]``: the web pages for privacy officers, beheerders and teamleiders."""

    sessie_sleutel: Secret | None = Field(
        default=None,
        description="Key that signs session cookies (32+ random bytes); shared by every API "
        "process. Without it each process makes its own and sessions end at a restart.",
    )
    sessie_minuten: int = Field(default=480, ge=5, le=24 * 60)


class HubSettings(_Strict):
    """``config/hub.toml``: settings shared by every gemeente of a deployment."""

    auth: AuthSettings = Field(default_factory=AuthSettings)
    cors: CorsSettings = Field(default_factory=CorsSettings)
    beheer: BeheerSettings = Field(default_factory=BeheerSettings)
    # Timeout for one plugin call from the API, seconds (the core's, around the plugin's own).
    plugin_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    # The core's one retry policy: attempts per plugin call (transient failures only).
    plugin_retry_attempts: int = Field(default=3, ge=1, le=10)
    # Circuit breaker per gemeente × plugin: open after this many consecutive transient
    # failures, then let one probe through after the reset time.
    plugin_breaker_failures: int = Field(default=5, ge=1, le=100)
    plugin_breaker_reset_seconds: float = Field(default=30.0, gt=0, le=3600)
    api: ApiSettings = Field(default_factory=ApiSettings)
    witness: WitnessSettings | None = Field(
        default=None, description="Where the logboek's chain heads are anchored."
    )
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)

    @model_validator(mode="after")
    def _lease_outlasts_a_plugin_call(self) -> HubSettings:
        # A lease that ran out while the first worker still waits on the upstream would let a
        # second worker send the same mail at the same moment.
        if self.outbox.lease_seconds <= self.plugin_timeout_seconds:
            raise ValueError(
                "outbox.lease_seconds must be longer than plugin_timeout_seconds, so a claimed "
                "row is never handed to a second worker while the first one still waits"
            )
        return self


class GemeenteFile(_Strict):
    naam: str = Field(min_length=1)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    auth: AuthSettings | None = None
    doelen: list[dict[str, Any]] = Field(default_factory=list)
    privacy: dict[str, Any] = Field(default_factory=dict)
    sync: dict[str, int] = Field(
        default_factory=dict, description="Sync interval per plugin name, seconds."
    )
    rate_limits: dict[str, Any] = Field(
        default_factory=dict, description="Overrides of hub.toml's [rate_limits], per role."
    )
    klantcontacten: KlantcontactenSettings = Field(default_factory=KlantcontactenSettings)
    klantbeeld: KlantbeeldSettings = Field(default_factory=KlantbeeldSettings)
    meldingen: MeldingenSettings = Field(default_factory=MeldingenSettings)
    haalcentraal: HaalCentraalSettings | None = None
    objecten: ObjectenSettings | None = None


@dataclass(frozen=True)
class Gemeente:
    """One gemeente's validated configuration."""

    code: str
    naam: str
    plugin_settings: dict[str, BaseModel]
    auth: AuthSettings
    doelen: list[dict[str, Any]] = field(default_factory=list)
    privacy: dict[str, Any] = field(default_factory=dict)
    sync_intervals: dict[str, int] = field(default_factory=dict)
    source: Path | None = None
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    klantcontacten: KlantcontactenSettings = field(default_factory=KlantcontactenSettings)
    klantbeeld: KlantbeeldSettings = field(default_factory=KlantbeeldSettings)
    meldingen: MeldingenSettings = field(default_factory=MeldingenSettings)
    haalcentraal: HaalCentraalSettings | None = None
    objecten: ObjectenSettings | None = None

    @property
    def plugins(self) -> list[str]:
        return list(self.plugin_settings)


@dataclass(frozen=True)
class Tenants:
    hub: HubSettings
    gemeenten: dict[str, Gemeente]

    def get(self, code: str) -> Gemeente | None:
        return self.gemeenten.get(code)


def _read_toml(path: Path, problems: list[ConfigProblem]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.append(ConfigProblem(str(path), "(file)", f"not valid TOML: {exc}"))
    except OSError as exc:
        problems.append(ConfigProblem(str(path), "(file)", f"cannot be read: {exc.strerror}"))
    return None


def load_tenants(directory: Path | None, settings_models: dict[str, type[BaseModel]]) -> Tenants:
    """Load and validate ``hub.toml`` and every gemeente file; raise ConfigError with all problems.

    ``settings_models`` maps each loaded plugin's name to its settings model.
    """
    tenants, problems = read_tenants(directory, settings_models)
    if problems:
        raise ConfigError(problems)
    return tenants


def read_tenants(
    directory: Path | None, settings_models: dict[str, type[BaseModel]]
) -> tuple[Tenants, list[ConfigProblem]]:
    """Everything that validated, and the problems of the rest.

    For ``kcc-hub config check``, which goes on to resolve the secrets and open the
    files of what did validate, so one run reports every problem. A gemeente whose
    plugin table is invalid is kept with its other plugins.
    """
    directory = directory or config_dir()
    problems: list[ConfigProblem] = []
    hub = HubSettings()
    hub_path = directory / "hub.toml"
    if hub_path.exists():
        raw = _read_toml(hub_path, problems)
        if raw is not None:
            try:
                hub = HubSettings.model_validate(raw)
            except ValidationError as exc:
                problems.extend(problems_from_validation(hub_path, "", exc))
    gemeenten: dict[str, Gemeente] = {}
    gemeente_dir = directory / "gemeenten"
    if not gemeente_dir.is_dir():
        problems.append(
            ConfigProblem(str(gemeente_dir), "(directory)", "missing: no gemeente is configured")
        )
    else:
        for path in sorted(gemeente_dir.glob("*.toml")):
            gemeente = _load_gemeente(path, hub, settings_models, problems)
            if gemeente is not None:
                gemeenten[gemeente.code] = gemeente
    return Tenants(hub=hub, gemeenten=gemeenten), problems


def _load_gemeente(
    path: Path,
    hub: HubSettings,
    settings_models: dict[str, type[BaseModel]],
    problems: list[ConfigProblem],
) -> Gemeente | None:
    code = path.stem
    if not GEMEENTECODE.match(code):
        problems.append(
            ConfigProblem(
                str(path), "(file name)", "must be the four-digit CBS gemeentecode, e.g. 0363.toml"
            )
        )
        return None
    raw = _read_toml(path, problems)
    if raw is None:
        return None
    try:
        parsed = GemeenteFile.model_validate(raw)
    except ValidationError as exc:
        problems.extend(problems_from_validation(path, "", exc))
        return None
    settings: dict[str, BaseModel] = {}
    for name, table in parsed.plugins.items():
        model = settings_models.get(name)
        if model is None:
            known = ", ".join(sorted(settings_models)) or "none"
            problems.append(
                ConfigProblem(
                    str(path),
                    f"plugins.{name}",
                    f"unknown plugin {name!r} (loaded plugins: {known})",
                )
            )
            continue
        try:
            settings[name] = model.model_validate(table)
        except ValidationError as exc:
            problems.extend(problems_from_validation(path, f"plugins.{name}", exc))
    for name in parsed.sync:
        if name not in parsed.plugins:
            problems.append(
                ConfigProblem(
                    str(path), f"sync.{name}", "interval for a plugin that is not enabled"
                )
            )
    # A problem is recorded and the rest kept: load_tenants refuses the whole configuration,
    # while config check goes on to resolve the secrets and files of what did validate.
    try:
        rate_limits = hub.rate_limits.merged(parsed.rate_limits)
    except ValidationError as exc:
        problems.extend(problems_from_validation(path, "rate_limits", exc))
        rate_limits = hub.rate_limits
    doel = parsed.klantcontacten.doel
    if doel is not None and doel not in {str(d.get("code")) for d in parsed.doelen}:
        problems.append(
            ConfigProblem(
                str(path), "klantcontacten.doel", f"no [[doelen]] entry has code {doel!r}"
            )
        )
    return Gemeente(
        code=code,
        naam=parsed.naam,
        plugin_settings=settings,
        auth=parsed.auth or hub.auth,
        doelen=parsed.doelen,
        privacy=parsed.privacy,
        sync_intervals=parsed.sync,
        source=path,
        rate_limits=rate_limits,
        klantcontacten=parsed.klantcontacten,
        klantbeeld=parsed.klantbeeld,
        meldingen=parsed.meldingen,
        haalcentraal=parsed.haalcentraal,
        objecten=parsed.objecten,
    )
