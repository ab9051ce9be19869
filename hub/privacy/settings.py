"""A gemeente's privacy configuration: ``[[doelen]]``, ``[privacy]`` and the masking policy.

``[privacy]`` in ``config/gemeenten/<code>.toml``::

    [privacy]
    bewaartermijn_dagen = 730                         # logboek retention
    hmac_sleutel = "${KCC_LOGBOEK_HMAC_SLEUTEL}"      # secret reference (default shown)
    encryptie_sleutel = "${KCC_LOGBOEK_ENCRYPTIE_SLEUTEL}"
    persoon_referentie_minuten = 30                   # lifetime of a persoonReferentie

    [privacy.masking.rollen.kcc-medewerker.velden]   # optional policy overrides
    "geboorte.plaats" = "tonen"

Everything is validated together by :func:`load_gemeente_privacy`, which the
start-up (``kcc-hub config check``) calls for every gemeente, so a wrong
policy, doel or key reference stops the hub with every problem listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.privacy.doelbinding import Doelen, load_doelen
from hub.privacy.keys import LogboekSleutels
from hub.privacy.masking import MaskeringsBeleid, default_policy_path, load_policy
from hub.secrets import Secret, SecretRef
from hub.settings_errors import ConfigError, ConfigProblem, problems_from_validation


class PrivacySettings(BaseModel):
    """The ``[privacy]`` table of a gemeente file."""

    model_config = ConfigDict(extra="forbid")

    bewaartermijn_dagen: int = Field(
        default=730, ge=1, le=36500, description="Days a logboek record is kept before purging."
    )
    hmac_sleutel: Secret = Field(default=SecretRef("${KCC_LOGBOEK_HMAC_SLEUTEL}"))
    encryptie_sleutel: Secret = Field(default=SecretRef("${KCC_LOGBOEK_ENCRYPTIE_SLEUTEL}"))
    masking: dict[str, Any] = Field(default_factory=dict)
    persoon_referentie_minuten: int = Field(
        default=30,
        ge=1,
        le=480,
        description="How long a persoonReferentie from a person search can be used.",
    )


class GemeenteLike(Protocol):
    """What the privacy layer needs of :class:`hub.tenants.Gemeente`."""

    @property
    def code(self) -> str: ...

    @property
    def doelen(self) -> list[dict[str, Any]]: ...

    @property
    def privacy(self) -> dict[str, Any]: ...

    @property
    def source(self) -> Path | None: ...


@dataclass(frozen=True)
class GemeentePrivacy:
    """Everything the privacy pipeline needs for one gemeente, validated."""

    gemeente: str
    doelen: Doelen
    beleid: MaskeringsBeleid
    sleutels: LogboekSleutels
    bewaartermijn_dagen: int
    persoon_referentie_minuten: int = 30


def load_gemeente_privacy(
    code: str,
    doelen: Sequence[Mapping[str, Any]],
    privacy: Mapping[str, Any],
    *,
    bron: str,
    policy_path: Path | None = None,
) -> GemeentePrivacy:
    """Validate and assemble one gemeente's privacy settings; ConfigError lists all problems."""
    problems: list[ConfigProblem] = []
    settings: PrivacySettings | None = None
    try:
        settings = PrivacySettings.model_validate(dict(privacy))
    except ValidationError as exc:
        problems.extend(problems_from_validation(bron, "privacy", exc))
    loaded_doelen: Doelen | None = None
    try:
        loaded_doelen = load_doelen(doelen, bron)
    except ConfigError as exc:
        problems.extend(exc.problems)
    beleid: MaskeringsBeleid | None = None
    try:
        beleid = load_policy(
            policy_path or default_policy_path(),
            settings.masking if settings else None,
            override_bron=bron,
        )
    except ConfigError as exc:
        problems.extend(exc.problems)
    if loaded_doelen is not None and beleid is not None:
        problems.extend(_purpose_problems(beleid, loaded_doelen, bron))
    if problems or settings is None or loaded_doelen is None or beleid is None:
        raise ConfigError(problems)
    return GemeentePrivacy(
        gemeente=code,
        doelen=loaded_doelen,
        beleid=beleid,
        sleutels=LogboekSleutels(code, settings.hmac_sleutel, settings.encryptie_sleutel),
        bewaartermijn_dagen=settings.bewaartermijn_dagen,
        persoon_referentie_minuten=settings.persoon_referentie_minuten,
    )


def _purpose_problems(beleid: MaskeringsBeleid, doelen: Doelen, bron: str) -> list[ConfigProblem]:
    """A role × doel table for a doel of this gemeente that doelbinding never allows the
    role is a mistake: the table would never apply. (Doelen other gemeenten have are fine.)"""
    problems = []
    for rol, rol_beleid in beleid.rollen.items():
        for code in rol_beleid.doelen:
            doel = doelen.by_code.get(code)
            if doel is not None and rol not in doel.rollen:
                problems.append(
                    ConfigProblem(
                        bron,
                        f"masking.rollen.{rol}.doelen.{code}",
                        f"the doel {code} is not allowed for role {rol} ([[doelen]] rollen)",
                    )
                )
    return problems


def policy_path_for(gemeente: GemeenteLike) -> Path:
    """The default policy of the config directory the gemeente file was read from.

    ``<config>/gemeenten/<code>.toml`` → ``<config>/privacy/masking.toml``; without a
    source file (or when that directory has no policy): ``KCC_HUB_CONFIG``/``config``.
    """
    if gemeente.source is not None:
        candidate = gemeente.source.parent.parent / "privacy" / "masking.toml"
        if candidate.exists():
            return candidate
    return default_policy_path()


_CACHE: dict[int, tuple[GemeenteLike, GemeentePrivacy]] = {}


def privacy_for(gemeente: GemeenteLike, *, policy_path: Path | None = None) -> GemeentePrivacy:
    """The validated privacy configuration of a loaded gemeente (cached per config object)."""
    cached = _CACHE.get(id(gemeente))
    if cached is not None and cached[0] is gemeente and policy_path is None:
        return cached[1]
    result = load_gemeente_privacy(
        gemeente.code,
        gemeente.doelen,
        gemeente.privacy,
        bron=str(gemeente.source) if gemeente.source else f"gemeente {gemeente.code}",
        policy_path=policy_path or policy_path_for(gemeente),
    )
    if policy_path is None:
        _CACHE[id(gemeente)] = (gemeente, result)
    return result


def privacy_problems(gemeenten: Iterable[GemeenteLike]) -> list[ConfigProblem]:
    """Every privacy configuration problem of these gemeenten, for start-up and ``config check``.

    Checks the masking policy (default and overrides), the ``[[doelen]]`` and the
    ``[privacy]`` table, and resolves and decodes the logboek keys, so a missing
    secret is found at start-up instead of as a 503 on the first request.
    """
    problems: list[ConfigProblem] = []
    for gemeente in gemeenten:
        bron = str(gemeente.source) if gemeente.source else f"gemeente {gemeente.code}"
        try:
            privacy = load_gemeente_privacy(
                gemeente.code,
                gemeente.doelen,
                gemeente.privacy,
                bron=bron,
                policy_path=policy_path_for(gemeente),
            )
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        # Every gemeente needs its keys, also one without person-data plugins: a refused
        # person-data request is logged too (docs/configuration.md, "Logboek keys").
        for setting, reason in privacy.sleutels.problems():
            problems.append(
                ConfigProblem(
                    bron,
                    f"privacy.{setting}",
                    f"{reason} (every gemeente needs its logboek keys; docs/configuration.md)",
                )
            )
    return problems
