"""The Haal Centraal person query types (hub.domain.personen) against the vendored spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from hub.domain import personen
from hub.errors import InvalidRequest
from hub.privacy.personen_vraag import parse_query

SPEC = Path(__file__).resolve().parents[1] / "specs" / "brp" / "personen-openapi.yaml"


def _spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_query_model_is_a_query_type_of_the_spec() -> None:
    schemas = _spec()["components"]["schemas"]
    mapping = schemas["PersonenQuery"]["discriminator"]["mapping"]
    assert set(personen.QUERY_TYPES) <= set(mapping)


def test_each_query_model_requires_what_the_spec_requires() -> None:
    schemas = _spec()["components"]["schemas"]
    for query_type in personen.QUERY_TYPES:
        required, _optional = personen.parameters(query_type)
        assert required == frozenset(schemas[query_type].get("required", [])), query_type


def test_the_answer_kind_follows_the_spec_response_mapping() -> None:
    schemas = _spec()["components"]["schemas"]
    responses = schemas["PersonenQueryResponse"]["discriminator"]["mapping"]
    for query_type in personen.QUERY_TYPES:
        response = schemas[responses[query_type].rsplit("/", 1)[-1]]
        items = next(
            part["properties"]["personen"]["items"]["$ref"]
            for part in response["allOf"]
            if "properties" in part and "personen" in part["properties"]
        )
        assert personen.antwoordsoort(query_type) == items.rsplit("/", 1)[-1], query_type


def test_the_union_picks_the_model_by_type() -> None:
    vraag = personen.PERSONEN_QUERY.validate_python(
        {
            "type": "ZoekMetAdresseerbaarObjectIdentificatie",
            "adresseerbaarObjectIdentificatie": "0599010000165822",
        }
    )
    assert isinstance(vraag, personen.ZoekMetAdresseerbaarObjectIdentificatie)


def test_the_union_refuses_the_default_adresseerbaar_object() -> None:
    with pytest.raises(ValidationError):
        personen.PERSONEN_QUERY.validate_python(
            {
                "type": "ZoekMetAdresseerbaarObjectIdentificatie",
                "adresseerbaarObjectIdentificatie": "0" * 16,
            }
        )


def test_the_pipeline_reads_a_search_by_adresseerbaar_object() -> None:
    query_type, query, asked = parse_query(
        {
            "type": "ZoekMetAdresseerbaarObjectIdentificatie",
            "adresseerbaarObjectIdentificatie": "0599010000165822",
            "doel": "kcc-identificatie",
        }
    )
    assert query_type == "ZoekMetAdresseerbaarObjectIdentificatie"
    assert query["adresseerbaarObjectIdentificatie"] == "0599010000165822"
    assert asked is None


def test_the_pipeline_names_a_malformed_adresseerbaar_object() -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_query(
            {
                "type": "ZoekMetAdresseerbaarObjectIdentificatie",
                "adresseerbaarObjectIdentificatie": "0" * 16,
            }
        )
    assert refused.value.field == "adresseerbaarObjectIdentificatie"
