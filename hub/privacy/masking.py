"""The masking policy: per role and field of a person ``tonen``, ``gedeeltelijk`` or ``verbergen``.

The default policy lives in ``config/privacy/masking.toml``; a gemeente may
override it in its own file under ``[privacy.masking]`` with the same shape.
A policy names dot paths from the field catalogue (:mod:`hub.privacy.fields`).
The most specific path wins; a field that no path covers is hidden. A role
that the policy gives no access (``toegang = false``, or a role that is not in
the policy) sees no person data at all.

``bij_geheimhouding`` is a second set of rules for persons with
``geheimhoudingPersoonsgegevens``: when a role has it, only those rules apply to
such a person (fields it does not name are hidden).

Partial forms (``gedeeltelijk``) are defined here, not configured, so that what
"partial" means is reviewable in one place:

* ``burgerservicenummer`` (at any level): ``*****3653``
* a date: the year only (a ``JaarDatum``)
* ``naam`` (of the person or a relative): initials, voorvoegsel and geslachtsnaam
* ``geboorte``: the birth date reduced to the year, nothing else
* ``verblijfplaats`` / ``verblijfplaats.verblijfadres``: the woonplaats (abroad: the land)
* ``adressering``: the woonplaats line without postcode, and the land
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from hub.caller import ROLES
from hub.privacy import fields as catalogue
from hub.privacy.partial_forms import partial_form
from hub.settings_errors import ConfigError, ConfigProblem
from hub.tenants import config_dir


class Actie(StrEnum):
    """What a role sees of a field."""

    TONEN = "tonen"
    GEDEELTELIJK = "gedeeltelijk"
    VERBERGEN = "verbergen"


# ---------------------------------------------------------------------------
# The policy model


@dataclass(frozen=True)
class Regels:
    """One set of path → action rules, with lookups by path."""

    velden: Mapping[str, Actie]
    _prefixes: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        prefixes: set[str] = set()
        for path in self.velden:
            parts = path.split(".")
            for i in range(1, len(parts)):
                prefixes.add(".".join(parts[:i]))
        object.__setattr__(self, "_prefixes", frozenset(prefixes))

    def effective(self, path: str) -> Actie | None:
        """The action of the most specific rule at or above ``path``; None when none covers it."""
        parts = path.split(".")
        for i in range(len(parts), 0, -1):
            found = self.velden.get(".".join(parts[:i]))
            if found is not None:
                return found
        return None

    def has_rules_below(self, path: str) -> bool:
        return path in self._prefixes


@dataclass(frozen=True, eq=False)  # identity hash: fields are cached per policy object
class RolBeleid:
    """What one role may see of a person."""

    rol: str
    toegang: bool
    regels: Regels
    bij_geheimhouding: Regels | None = None
    # Per doel code: the role's policy for that purpose (role × doel → fields).
    doelen: Mapping[str, RolBeleid] = field(default_factory=dict)

    def regels_voor(self, geheim: bool) -> Regels:
        if geheim and self.bij_geheimhouding is not None:
            return self.bij_geheimhouding
        return self.regels


@dataclass(frozen=True)
class MaskeringsBeleid:
    """The complete policy for one gemeente (default plus its overrides)."""

    rollen: Mapping[str, RolBeleid]
    bron: str

    def voor_rol(self, rol: str) -> RolBeleid | None:
        """The role's policy when it may see person data at all, else None."""
        beleid = self.rollen.get(rol)
        if beleid is None or not beleid.toegang:
            return None
        return beleid

    def voor(self, rol: str, doel: str) -> RolBeleid | None:
        """The policy for this role and doel: the role's ``[rollen.<rol>.doelen.<doel>]``
        table when it has one, else the role's own fields; None without access."""
        beleid = self.voor_rol(rol)
        if beleid is None:
            return None
        return beleid.doelen.get(doel, beleid)


# ---------------------------------------------------------------------------
# Loading and validation


def default_policy_path() -> Path:
    """``<config dir>/privacy/masking.toml``; the config dir is ``KCC_HUB_CONFIG`` or ``config``."""
    return config_dir() / "privacy" / "masking.toml"


def read_policy_file(path: Path) -> dict[str, Any]:
    """Parse the default policy file; unreadable or invalid TOML is a ConfigError."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem(str(path), "(file)", f"not valid TOML: {exc}")]) from exc
    except OSError as exc:
        raise ConfigError(
            [ConfigProblem(str(path), "(file)", f"cannot be read: {exc.strerror}")]
        ) from exc


def merge_policy(default: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """The default with a gemeente's ``[privacy.masking]`` laid over it, per role and per field.

    A role table in the override changes only the keys it names: ``toegang``,
    single fields under ``velden`` and single fields under ``bij_geheimhouding``.
    """
    merged: dict[str, Any] = {k: v for k, v in default.items() if k != "rollen"}
    rollen: dict[str, Any] = {}
    base_rollen = default.get("rollen", {})
    over_rollen = override.get("rollen", {})
    if isinstance(base_rollen, Mapping):
        for rol, table in base_rollen.items():
            rollen[rol] = dict(table) if isinstance(table, Mapping) else table
    if isinstance(over_rollen, Mapping):
        for rol, table in over_rollen.items():
            if not isinstance(table, Mapping) or not isinstance(rollen.get(rol), Mapping):
                rollen[rol] = table
                continue
            target = rollen[rol]
            for key, value in table.items():
                if key in ("velden", "bij_geheimhouding") and isinstance(value, Mapping):
                    base = target.get(key)
                    target[key] = {**(base if isinstance(base, Mapping) else {}), **value}
                elif key == "doelen" and isinstance(value, Mapping):
                    target[key] = _merge_doelen(target.get(key), value)
                else:
                    target[key] = value
    for key, value in override.items():
        if key != "rollen":
            merged[key] = value
    merged["rollen"] = rollen
    return merged


def _merge_doelen(base: Any, override: Mapping[str, Any]) -> dict[str, Any]:
    """Doel tables merge like role tables: per doel, per field of ``velden``/``bij_geheimhouding``."""
    merged: dict[str, Any] = dict(base) if isinstance(base, Mapping) else {}
    for doel, table in override.items():
        current = merged.get(doel)
        if not isinstance(table, Mapping) or not isinstance(current, Mapping):
            merged[doel] = table
            continue
        combined = dict(current)
        for key, value in table.items():
            old = combined.get(key)
            both = isinstance(value, Mapping) and isinstance(old, Mapping)
            combined[key] = {**old, **value} if both else value  # type: ignore[dict-item]
        merged[doel] = combined
    return merged


_ROLE_KEYS = frozenset({"toegang", "velden", "bij_geheimhouding", "doelen"})
_DOEL_KEYS = frozenset({"velden", "bij_geheimhouding"})
_DOEL_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def build_policy(raw: Mapping[str, Any], bron: str) -> MaskeringsBeleid:
    """Validate a parsed policy and build it; every problem is reported with file and key."""
    problems: list[ConfigProblem] = []

    def problem(key: str, reason: str) -> None:
        problems.append(ConfigProblem(bron, key, reason))

    for key in raw:
        if key not in ("rollen", "versie"):
            problem(key, "unknown setting (expected versie and [rollen.<rol>] tables)")
    rollen_raw = raw.get("rollen")
    if not isinstance(rollen_raw, Mapping) or not rollen_raw:
        problem("rollen", "missing: the policy must have a [rollen.<rol>] table per role")
        raise ConfigError(problems)
    rollen: dict[str, RolBeleid] = {}
    for rol, table in rollen_raw.items():
        prefix = f"rollen.{rol}"
        if rol not in ROLES:
            problem(prefix, f"unknown role {rol!r} (known roles: {', '.join(ROLES)})")
            continue
        if not isinstance(table, Mapping):
            problem(prefix, "must be a table")
            continue
        for key in table:
            if key not in _ROLE_KEYS:
                problem(
                    f"{prefix}.{key}",
                    "unknown setting (expected toegang, velden, bij_geheimhouding, doelen)",
                )
        toegang = table.get("toegang", True)
        if not isinstance(toegang, bool):
            problem(f"{prefix}.toegang", "must be true or false")
            continue
        regels = _build_rules(table.get("velden", {}), f"{prefix}.velden", problem)
        geheim_raw = table.get("bij_geheimhouding")
        geheim = (
            _build_rules(geheim_raw, f"{prefix}.bij_geheimhouding", problem)
            if geheim_raw is not None
            else None
        )
        if not toegang and (regels.velden or (geheim is not None and geheim.velden)):
            problem(prefix, "toegang = false but fields are listed; remove them or allow toegang")
        if toegang and not table.get("velden"):
            problem(f"{prefix}.velden", "toegang = true but no field is listed")
        doelen = _build_doelen(table.get("doelen", {}), prefix, rol, geheim, problem)
        if not toegang and doelen:
            problem(f"{prefix}.doelen", "toegang = false but doelen are listed; remove them")
        rollen[rol] = RolBeleid(
            rol=rol, toegang=toegang, regels=regels, bij_geheimhouding=geheim, doelen=doelen
        )
    if problems:
        raise ConfigError(problems)
    return MaskeringsBeleid(rollen=rollen, bron=bron)


def _build_doelen(
    raw: Any,
    prefix: str,
    rol: str,
    geheim: Regels | None,
    problem: Callable[[str, str], None],
) -> dict[str, RolBeleid]:
    """``[rollen.<rol>.doelen.<doel>]``: the fields for that purpose, replacing the role's
    (a field the doel table does not cover is hidden); ``bij_geheimhouding`` falls back to
    the role's own."""
    if not isinstance(raw, Mapping):
        problem(f"{prefix}.doelen", "must be a table of [doelen.<doel-code>] tables")
        return {}
    doelen: dict[str, RolBeleid] = {}
    for code, table in raw.items():
        where = f"{prefix}.doelen.{code}"
        if not _DOEL_CODE.match(str(code)):
            problem(where, "not a doel code (lower case letters, digits, '.', '_', '-')")
            continue
        if not isinstance(table, Mapping) or not table.get("velden"):
            problem(where, "must have a velden table listing the fields for this doel")
            continue
        for key in table:
            if key not in _DOEL_KEYS:
                problem(f"{where}.{key}", "unknown setting (expected velden, bij_geheimhouding)")
        regels = _build_rules(table["velden"], f"{where}.velden", problem)
        eigen = table.get("bij_geheimhouding")
        doel_geheim = (
            _build_rules(eigen, f"{where}.bij_geheimhouding", problem)
            if eigen is not None
            else geheim
        )
        doelen[str(code)] = RolBeleid(
            rol=rol, toegang=True, regels=regels, bij_geheimhouding=doel_geheim
        )
    return doelen


def _build_rules(raw: Any, prefix: str, problem: Callable[[str, str], None]) -> Regels:
    if not isinstance(raw, Mapping):
        problem(prefix, 'must be a table of "veld.pad" = "tonen" | "gedeeltelijk" | "verbergen"')
        return Regels({})
    velden: dict[str, Actie] = {}
    for path, value in raw.items():
        key = f'{prefix}."{path}"'
        exists, _sub = catalogue.node(catalogue.PERSOON, path)
        if not exists:
            problem(key, "unknown field (not in the Haal Centraal Persoon field catalogue)")
            continue
        try:
            actie = Actie(value)
        except ValueError:
            problem(key, f"unknown action {value!r} (expected tonen, gedeeltelijk or verbergen)")
            continue
        velden[path] = actie
    regels = Regels(velden)
    for path in _partial_points(regels):
        if partial_form(path) is None:
            problem(
                f'{prefix}."{path}"',
                "gedeeltelijk is not defined for this field (choose tonen or verbergen, "
                "or make a field below it gedeeltelijk)",
            )
    return regels


def _partial_points(regels: Regels) -> list[str]:
    """Catalogue paths where a partial form would be applied under these rules."""
    points: list[str] = []

    def walk(tree: catalogue.Tree, prefix: str) -> None:
        for key, sub in tree.items():
            path = f"{prefix}{key}"
            if regels.has_rules_below(path) and sub is not None:
                walk(sub, f"{path}.")
            elif regels.effective(path) is Actie.GEDEELTELIJK:
                points.append(path)

    walk(catalogue.PERSOON, "")
    return points


def load_policy(
    path: Path, override: Mapping[str, Any] | None = None, *, override_bron: str = ""
) -> MaskeringsBeleid:
    """Read the default policy file and apply a gemeente's override; validate the result."""
    raw = read_policy_file(path)
    if not override:
        return build_policy(raw, str(path))
    bron = f"{path} + {override_bron or 'gemeente'} [privacy.masking]"
    return build_policy(merge_policy(raw, override), bron)


# ---------------------------------------------------------------------------
# Applying the policy


@dataclass
class Gemaskeerd:
    """One masked person, with what was delivered (for the logboek)."""

    persoon: dict[str, Any]
    velden: set[str] = field(default_factory=set)
    # BSNs of the person and of relatives whose data was delivered (raw, for the logboek only).
    betrokkenen: list[str] = field(default_factory=list)
    geheim: bool = False


_MISSING = object()


def mask_persoon(persoon: Mapping[str, Any], beleid: RolBeleid) -> Gemaskeerd:
    """Apply the role's policy to one Haal Centraal person (``Persoon`` or ``PersoonBeperkt``)."""
    geheim = persoon.get("geheimhoudingPersoonsgegevens") is True
    regels = beleid.regels_voor(geheim)
    result = Gemaskeerd(persoon={}, geheim=geheim)
    masked = _mask_mapping(persoon, "", regels, result)
    if geheim:
        # Secrecy is always surfaced to the agent, whatever the policy says about the flag.
        masked["geheimhoudingPersoonsgegevens"] = True
    result.persoon = masked
    if masked and isinstance(persoon.get("burgerservicenummer"), str):
        result.betrokkenen.insert(0, persoon["burgerservicenummer"])
    return result


def _mask_mapping(
    value: Mapping[str, Any], prefix: str, regels: Regels, result: Gemaskeerd
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    onderzoek = _MISSING
    for key, child in value.items():
        path = f"{prefix}{key}"
        if key == "inOnderzoek" and prefix:
            # Nested onderzoek markers travel with their parent's delivered data.
            onderzoek = child
            continue
        masked = _mask_value(child, path, regels, result)
        if masked is not _MISSING:
            out[key] = masked
    if onderzoek is not _MISSING and out:
        out["inOnderzoek"] = onderzoek
    return out


def _mask_value(value: Any, path: str, regels: Regels, result: Gemaskeerd) -> Any:
    if isinstance(value, list):
        items = []
        for item in value:
            masked = _mask_value(item, path, regels, result)
            if masked is not _MISSING:
                items.append(masked)
                if path in ("partners", "kinderen", "ouders") and isinstance(item, Mapping):
                    bsn = item.get("burgerservicenummer")
                    if isinstance(bsn, str):
                        result.betrokkenen.append(bsn)
        return items if items else _MISSING
    if isinstance(value, Mapping) and regels.has_rules_below(path):
        masked_map = _mask_mapping(value, f"{path}.", regels, result)
        return masked_map if masked_map else _MISSING
    actie = regels.effective(path)
    if actie is Actie.TONEN:
        result.velden.add(path)
        return value
    if actie is Actie.GEDEELTELIJK:
        form = partial_form(path)
        partial = form.apply(value) if form is not None else None
        if partial is None:
            return _MISSING
        result.velden.add(f"{path}:gedeeltelijk")
        return partial
    return _MISSING


# ---------------------------------------------------------------------------
# Upstream fields (data minimisation)


def upstream_fields(beleid: RolBeleid, query_type: str) -> list[str]:
    """The ``fields`` for the BRP (see :func:`_upstream_fields`), cached per policy and type."""
    return list(_cached_fields(beleid, query_type))


@functools.lru_cache(maxsize=256)
def _cached_fields(beleid: RolBeleid, query_type: str) -> tuple[str, ...]:
    return tuple(_upstream_fields(beleid, query_type))


def _upstream_fields(beleid: RolBeleid, query_type: str) -> list[str]:
    """The ``fields`` to ask the BRP for: what the role sees (tonen or gedeeltelijk), nothing else.

    Partial forms add the fields they are computed from. Rules for persons with
    geheimhouding are a subset in practice, but their fields are included so a
    gemeente override that shows more under secrecy still gets its data.
    """
    tree = catalogue.catalogue_for(query_type)
    wanted: set[str] = set()
    for regels in (beleid.regels, beleid.bij_geheimhouding):
        if regels is not None:
            _collect_fields(tree, "", regels, wanted)
    requestable = [p for p in wanted if catalogue.requestable(p)]
    return catalogue.collapse(catalogue.restrict_to(requestable, tree))


def _collect_fields(tree: catalogue.Tree, prefix: str, regels: Regels, out: set[str]) -> None:
    for key, sub in tree.items():
        path = f"{prefix}{key}"
        if sub is not None and regels.has_rules_below(path):
            _collect_fields(sub, f"{path}.", regels, out)
            continue
        actie = regels.effective(path)
        if actie is Actie.TONEN:
            out.add(path)
        elif actie is Actie.GEDEELTELIJK:
            form = partial_form(path)
            if form is not None:
                out.update(form.needs)
