"""Partial forms (``gedeeltelijk``) of the masking policy, defined in code so that what
"partial" means is reviewable in one place (see :mod:`hub.privacy.masking`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.bsn import mask_bsn
from hub.privacy import fields as catalogue


def _partial_bsn(value: Any) -> Any:
    return mask_bsn(value) if isinstance(value, str) else None


def _partial_date(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return None
    kind = value.get("type")
    year: int | None = None
    if kind == "Datum" and isinstance(value.get("datum"), str):
        try:
            year = int(value["datum"][:4])
        except ValueError:
            return None
    elif kind in ("JaarMaandDatum", "JaarDatum") and isinstance(value.get("jaar"), int):
        year = value["jaar"]
    elif kind == "DatumOnbekend":
        return {"type": "DatumOnbekend", "onbekend": True, "langFormaat": "onbekend"}
    if year is None:
        return None
    return {"type": "JaarDatum", "jaar": year, "langFormaat": str(year)}


def _initials(voornamen: str) -> str:
    return "".join(f"{part[0]}." for part in voornamen.split() if part)


def _partial_naam(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return None
    out: dict[str, Any] = {}
    voorletters = value.get("voorletters")
    if not voorletters and isinstance(value.get("voornamen"), str):
        voorletters = _initials(value["voornamen"])
    if voorletters:
        out["voorletters"] = voorletters
    for key in ("voorvoegsel", "geslachtsnaam", "inOnderzoek"):
        if key in value:
            out[key] = value[key]
    return out or None


def _partial_geboorte(value: Any) -> Any:
    if not isinstance(value, Mapping) or "datum" not in value:
        return None
    datum = _partial_date(value["datum"])
    return {"datum": datum} if datum is not None else None


def _partial_verblijfadres(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return None
    out = {key: value[key] for key in ("woonplaats", "land") if key in value}
    return out or None


def _partial_verblijfplaats(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return None
    out: dict[str, Any] = {}
    if "type" in value:
        out["type"] = value["type"]
    adres = _partial_verblijfadres(value.get("verblijfadres"))
    if adres:
        out["verblijfadres"] = adres
    return out or None


_POSTCODE_PREFIX = re.compile(r"^\s*[1-9][0-9]{3}\s?[A-Za-z]{2}\s+")


def _partial_adressering(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return None
    out: dict[str, Any] = {}
    regel2 = value.get("adresregel2")
    if isinstance(regel2, str):
        out["adresregel2"] = _POSTCODE_PREFIX.sub("", regel2)
    if "land" in value:
        out["land"] = value["land"]
    return out or None


@dataclass(frozen=True)
class PartialForm:
    """A defined partial form: the transformation and the upstream fields it needs."""

    apply: Callable[[Any], Any]
    needs: tuple[str, ...]


def partial_form(path: str) -> PartialForm | None:
    """The partial form defined for a catalogue path, or None when it has none."""
    last = path.rsplit(".", 1)[-1]
    if last == "burgerservicenummer":
        return PartialForm(_partial_bsn, (path,))
    if catalogue.is_date_leaf(path):
        return PartialForm(_partial_date, (path,))
    if last == "naam" and path in ("naam", "partners.naam", "kinderen.naam", "ouders.naam"):
        return PartialForm(
            _partial_naam,
            (f"{path}.voorletters", f"{path}.voorvoegsel", f"{path}.geslachtsnaam"),
        )
    if last == "geboorte":
        return PartialForm(_partial_geboorte, (f"{path}.datum",))
    if path == "verblijfplaats":
        return PartialForm(
            _partial_verblijfplaats,
            ("verblijfplaats.verblijfadres.woonplaats", "verblijfplaats.verblijfadres.land"),
        )
    if path == "verblijfplaats.verblijfadres":
        return PartialForm(_partial_verblijfadres, (f"{path}.woonplaats", f"{path}.land"))
    if path == "adressering":
        return PartialForm(_partial_adressering, ("adressering.adresregel2", "adressering.land"))
    return None
