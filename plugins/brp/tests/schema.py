"""Check a person against the Haal Centraal ``Persoon`` schema (discriminators made explicit)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from plugins.brp.double.spec import checkable_spec


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    spec = checkable_spec()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid_persoon(persoon: dict[str, Any], schema_name: str = "Persoon") -> None:
    errors = sorted(_validator(schema_name).iter_errors(persoon), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
