"""The Klantinteracties specification (0.9.0, as shipped with Open Klant 2.18), made checkable."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_core import OpenAPI

SPEC_PATH = Path(__file__).resolve().parents[3] / "specs" / "klantinteracties" / "openapi.yaml"
BASE_PATH = "/klantinteracties/api/v1"
API_VERSION = "0.9.0"


@cache
def raw_spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=loader)  # noqa: S506 - safe loader
    return loaded


def _partial_patched_actor(spec: dict[str, Any]) -> None:
    """``PatchedActor`` reuses the full actor serializers, so the spec demands ``naam`` and
    ``soortActor`` on every PATCH, which Open Klant itself does not (a PATCH is partial). The
    double checks a PATCH of an actor against the actor's properties without ``required``."""
    schemas = spec["components"]["schemas"]
    base = copy.deepcopy(schemas["Base_ActorSerializer"])
    base.pop("required", None)
    schemas["Patched_Base_ActorSerializer"] = base
    variants = []
    for soort in ("medewerker", "geautomatiseerde_actor", "organisatorische_eenheid"):
        name = f"Patched_{soort}_ActorSerializer"
        full = copy.deepcopy(schemas[f"{soort}_ActorSerializer"])
        full["allOf"][0] = {"$ref": "#/components/schemas/Patched_Base_ActorSerializer"}
        schemas[name] = full
        variants.append(name)
    schemas["PatchedActor"] = {
        "anyOf": [{"$ref": f"#/components/schemas/{name}"} for name in variants]
    }


def _nullable_references(node: Any) -> None:
    """drf-spectacular writes a nullable reference as ``{allOf: [$ref], nullable: true}``.
    OpenAPI 3.0 lets ``nullable`` act only beside ``type``, so openapi-core refuses ``null``
    there, while Open Klant accepts it (KISS sends ``wasPartij: null``). Such schemas become
    ``anyOf: [<the reference>, null]``."""
    if isinstance(node, dict):
        if node.get("nullable") is True and "allOf" in node and "type" not in node:
            node["anyOf"] = [
                {"allOf": node.pop("allOf")},
                {"type": "object", "nullable": True, "enum": [None]},
            ]
            node.pop("nullable")
        for value in node.values():
            _nullable_references(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_references(value)


@cache
def klantinteracties_api() -> OpenAPI:
    """openapi-core's view of the spec, served by the double under ``BASE_PATH``."""
    spec = copy.deepcopy(raw_spec())
    spec["servers"] = [{"url": BASE_PATH}]
    _partial_patched_actor(spec)
    _nullable_references(spec)
    return OpenAPI.from_dict(spec)


@cache
def max_lengths() -> dict[str, dict[str, int]]:
    """``maxLength`` per property of each schema (for tests that probe the limits)."""
    found: dict[str, dict[str, int]] = {}
    for name, schema in raw_spec()["components"]["schemas"].items():
        for prop, sub in schema.get("properties", {}).items():
            if isinstance(sub, dict) and "maxLength" in sub:
                found.setdefault(name, {})[prop] = int(sub["maxLength"])
    return found
