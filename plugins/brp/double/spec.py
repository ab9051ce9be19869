"""The Haal Centraal BRP Personen specification, made checkable.

The spec expresses its polymorphism (query ``type``, dates, verblijfplaats,
nationaliteit, gezag) with an OpenAPI ``discriminator`` on a base schema whose
subtypes ``allOf`` that same base. JSON Schema validators, openapi-core's
included, ignore ``discriminator``, so a ``RaadpleegMetBurgerservicenummer``
without ``burgerservicenummer`` would pass. We rewrite each discriminated base
into an explicit ``if type == X then <subtype>`` chain (and a closed list of
type values), pointing the subtypes at a discriminator-free copy of the base,
then hand the result to openapi-core. Tests in ``test_haalcentraal_double.py``
prove that off-spec requests and answers are caught.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI

SPEC_PATH = Path(__file__).resolve().parents[3] / "specs" / "brp" / "personen-openapi.yaml"
BASE_PATH = "/haalcentraal/api/brp"
REF = "#/components/schemas/"

# Delivered without being asked for, and therefore not allowed in ``fields``.
AUTO_DELIVERED = (
    "geheimhoudingPersoonsgegevens",
    "inOnderzoek",
    "opschortingBijhouding",
    "rni",
    "verificatie",
)


@cache
def raw_spec() -> dict[str, Any]:
    """The vendored spec, parsed once per process."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=loader)  # noqa: S506 - safe loader
    return loaded


def _explicit_discriminators(spec: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    bases = {name: s for name, s in schemas.items() if "discriminator" in s}
    for name, base in bases.items():
        discriminator = base["discriminator"]
        prop = discriminator["propertyName"]
        mapping: dict[str, str] = discriminator["mapping"]
        core = {k: v for k, v in base.items() if k != "discriminator"}
        schemas[f"{name}__basis"] = core
        for target in mapping.values():
            sub = schemas[target.removeprefix(REF)]
            for part in sub.get("allOf", []):
                if part.get("$ref") == REF + name:
                    part["$ref"] = REF + f"{name}__basis"
        branches = [
            {
                "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                "then": {"$ref": target},
            }
            for value, target in mapping.items()
        ]
        schemas[name] = {
            "allOf": [
                {"$ref": REF + f"{name}__basis"},
                {"properties": {prop: {"enum": sorted(mapping)}}},
                *branches,
            ]
        }
    return spec


@cache
def checkable_spec() -> dict[str, Any]:
    """The spec with explicit discriminators, served under ``BASE_PATH``."""
    spec = _explicit_discriminators(copy.deepcopy(raw_spec()))
    spec["servers"] = [{"url": BASE_PATH}]
    _alias_json_without_charset(spec)
    return spec


def _alias_json_without_charset(node: Any) -> None:
    """Let ``application/json`` match ``application/json; charset=utf-8`` (same payload).

    Werkzeug reports a response's mimetype without parameters, and a client sending
    plain ``application/json`` is not wrong; only the payload is worth checking.
    """
    if isinstance(node, dict):
        content = node.get("content")
        if isinstance(content, dict) and "application/json; charset=utf-8" in content:
            content.setdefault("application/json", content["application/json; charset=utf-8"])
        for value in node.values():
            _alias_json_without_charset(value)
    elif isinstance(node, list):
        for value in node:
            _alias_json_without_charset(value)


@cache
def personen_api() -> OpenAPI:
    """openapi-core's view of the checkable spec (validates requests and responses)."""
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(checkable_spec(), config=config)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    schemas = raw_spec()["components"]["schemas"]
    while "$ref" in schema:
        schema = schemas[schema["$ref"].removeprefix(REF)]
    return schema


def _properties(schema: dict[str, Any], seen: frozenset[str]) -> dict[str, list[dict[str, Any]]]:
    """All properties of a schema, through ``allOf`` and discriminator subtypes.

    A name may have several schemas (``verblijfadres`` differs per verblijfplaats type).
    """
    props: dict[str, list[dict[str, Any]]] = {}

    def add(more: dict[str, list[dict[str, Any]]]) -> None:
        for name, subs in more.items():
            props.setdefault(name, []).extend(subs)

    ref = schema.get("$ref")
    if ref is not None:
        if ref in seen:
            return props
        seen = seen | {ref}
        schema = raw_spec()["components"]["schemas"][ref.removeprefix(REF)]
    for part in schema.get("allOf", []):
        add(_properties(part, seen))
    add({name: [sub] for name, sub in schema.get("properties", {}).items()})
    for target in schema.get("discriminator", {}).get("mapping", {}).values():
        add(_properties({"$ref": target}, seen))
    return props


def _field_paths(schema: dict[str, Any], prefix: str, depth: int) -> set[str]:
    paths: set[str] = set()
    if depth > 6:
        return paths
    resolved = _resolve(schema)
    if resolved.get("type") == "array":
        return _field_paths(resolved["items"], prefix, depth)
    for name, subs in _properties(schema, frozenset()).items():
        if name == "inOnderzoek":
            continue
        path = f"{prefix}{name}"
        paths.add(path)
        for sub in subs:
            # A date is asked for as a whole ("geboorte.datum"), never by its parts.
            if sub.get("$ref", "").endswith("/AbstractDatum"):
                continue
            paths |= _field_paths(sub, path + ".", depth + 1)
    return paths


@cache
def field_paths(persoon_schema: str) -> frozenset[str]:
    """Every path ``fields`` may name for ``Persoon`` or ``PersoonBeperkt``."""
    paths = _field_paths({"$ref": REF + persoon_schema}, "", 0)
    return frozenset(p for p in paths if p.split(".")[0] not in AUTO_DELIVERED)


RESPONSE_PERSOON = {
    "RaadpleegMetBurgerservicenummer": "Persoon",
    "ZoekMetAdresseerbaarObjectIdentificatie": "GezagPersoonBeperkt",
}


def persoon_schema_for(query_type: str) -> str:
    """Which person schema a query type answers with."""
    return RESPONSE_PERSOON.get(query_type, "PersoonBeperkt")


def query_properties(query_type: str) -> frozenset[str]:
    """The request parameters a query type knows (``type`` and ``fields`` included)."""
    schemas = raw_spec()["components"]["schemas"]
    if query_type not in schemas:
        return frozenset()
    props = _properties({"$ref": REF + query_type}, frozenset({REF + "PersonenQuery"}))
    return frozenset(props) | {"type", "fields", "gemeenteVanInschrijving"}
