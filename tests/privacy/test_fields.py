"""The field catalogue matches the vendored Haal Centraal BRP Personen v2 spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.privacy import fields

SPEC = Path(__file__).resolve().parents[2] / "specs" / "brp" / "personen-openapi.yaml"
VALUE_TYPES = {"AbstractDatum", "Waardetabel", "AdellijkeTitelPredicaatType", "NaamVolledigeNaam"}


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value)
        elif into.get(key) is None:
            into[key] = value


def _tree(
    schemas: dict[str, Any], schema: dict[str, Any], seen: frozenset[str]
) -> dict[str, Any] | None:
    """Properties of a schema, following $ref, allOf, arrays and discriminator mappings."""
    out: dict[str, Any] = {}
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in VALUE_TYPES:
            return None
        return _tree(schemas, schemas[name], seen | {name})
    if schema.get("type") == "array":
        return _tree(schemas, schema["items"], seen)
    for part in schema.get("allOf", []):
        _merge(out, _tree(schemas, part, seen) or {})
    for target in (schema.get("discriminator") or {}).get("mapping", {}).values():
        name = target.rsplit("/", 1)[-1]
        if name not in seen:
            _merge(out, _tree(schemas, schemas[name], seen | {name}) or {})
    for key, prop in schema.get("properties", {}).items():
        if key == "inOnderzoek":
            continue
        _merge(out, {key: _tree(schemas, prop, seen) or None})
    return out or None


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))["components"]["schemas"]


def test_the_catalogue_is_the_persoon_of_the_spec(schemas: dict[str, Any]) -> None:
    spec_tree = _tree(schemas, schemas["Persoon"], frozenset({"Persoon"}))
    assert spec_tree is not None
    ours = {k: v for k, v in fields.PERSOON.items() if k != "inOnderzoek"}
    assert ours == spec_tree


@pytest.mark.parametrize(
    ("query_type", "schema"),
    [
        ("ZoekMetPostcodeEnHuisnummer", "PersoonBeperkt"),
        ("ZoekMetAdresseerbaarObjectIdentificatie", "GezagPersoonBeperkt"),
    ],
)
def test_search_answers_have_the_fields_of_their_schema(
    schemas: dict[str, Any], query_type: str, schema: str
) -> None:
    spec_tree = _tree(schemas, schemas[schema], frozenset({schema}))
    ours = {k: v for k, v in fields.catalogue_for(query_type).items() if k != "inOnderzoek"}
    assert ours == spec_tree


def test_automatic_fields_are_never_requested() -> None:
    assert not fields.requestable("geheimhoudingPersoonsgegevens")
    assert not fields.requestable("rni.deelnemer")
    assert not fields.requestable("verblijfplaats.type")
    assert fields.requestable("verblijfplaats.verblijfadres.woonplaats")


def test_intersect_keeps_the_more_specific_path() -> None:
    assert fields.intersect(
        ["naam", "geboorte.datum"], ["naam.voornamen", "geboorte", "partners"]
    ) == [
        "geboorte.datum",
        "naam.voornamen",
    ]
