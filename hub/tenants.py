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

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.facades.settings import HaalCentraalSettings, ObjectenSettings
from hub.secrets import Secret
from hub.settings_errors import ConfigError, ConfigProblem, problems_from_validation

GEMEENTECODE = re.compile(r"^[0-9]{4}$")
KNOWN_ROLES = ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder")


def config_dir() -> Path:
    return Path(os.environ.get("KCC_HUB_CONFIG", "config"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OidcSettings(_Strict):
    """Production token verification against the gemeente's (or region's) OIDC issuer."""

    issuer: str
    jwks_url: str
    audience: str
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])


class ClaimNames(_Strict):
    """Which token claims carry the caller's identity; KISS and Keycloak differ."""

    subject: str = "sub"
    name: str = "name"
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


class HubSettings(_Strict):
    """``config/hub.toml``: settings shared by every gemeente of a deployment."""

    auth: AuthSettings = Field(default_factory=AuthSettings)
    # Timeout for one plugin call from the API, seconds (the core's, around the plugin's own).
    plugin_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    plugin_retry_attempts: int = Field(default=3, ge=1, le=10)


class GemeenteFile(_Strict):
    naam: str = Field(min_length=1)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    auth: AuthSettings | None = None
    doelen: list[dict[str, Any]] = Field(default_factory=list)
    privacy: dict[str, Any] = Field(default_factory=dict)
    sync: dict[str, int] = Field(
        default_factory=dict, description="Sync interval per plugin name, seconds."
    )
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
    if problems:
        raise ConfigError(problems)
    return Tenants(hub=hub, gemeenten=gemeenten)


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
    ok = True
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
            ok = False
            continue
        try:
            settings[name] = model.model_validate(table)
        except ValidationError as exc:
            problems.extend(problems_from_validation(path, f"plugins.{name}", exc))
            ok = False
    for name in parsed.sync:
        if name not in parsed.plugins:
            problems.append(
                ConfigProblem(
                    str(path), f"sync.{name}", "interval for a plugin that is not enabled"
                )
            )
            ok = False
    if not ok:
        return None
    return Gemeente(
        code=code,
        naam=parsed.naam,
        plugin_settings=settings,
        auth=parsed.auth or hub.auth,
        doelen=parsed.doelen,
        privacy=parsed.privacy,
        sync_intervals=parsed.sync,
        source=path,
        haalcentraal=parsed.haalcentraal,
        objecten=parsed.objecten,
    )
