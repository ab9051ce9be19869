"""The official specs as the facades' judges: Haal Centraal BRP Personen v2, the Objects API v2
and the community objecttypes, with openapi-core and jsonschema as the doubles use them."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema import Draft7Validator
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from plugins.brp.double.spec import checkable_spec

REPO = Path(__file__).resolve().parents[2]
GEMEENTE = "9999"
HC_BASE = f"/api/v1/gemeenten/{GEMEENTE}/haalcentraal/brp"
OBJECTEN_BASE = f"/api/v1/gemeenten/{GEMEENTE}/objecten/api/v2"
_CONFIG = Config(extra_media_type_deserializers={"application/problem+json": json.loads})


@cache
def brp_api() -> OpenAPI:
    spec = copy.deepcopy(checkable_spec())
    spec["servers"] = [{"url": HC_BASE}]
    return OpenAPI.from_dict(spec, config=_CONFIG)


@cache
def objecten_api() -> OpenAPI:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (REPO / "specs" / "objecten" / "openapi.yaml").open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=loader)
    spec["servers"] = [{"url": OBJECTEN_BASE}]
    return OpenAPI.from_dict(spec, config=_CONFIG)


@cache
def objecttype_validator(soort: str) -> Draft7Validator:
    path = REPO / "specs" / "objecttypes" / f"{soort}-schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _werkzeug(response: httpx.Response) -> tuple[WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse]:
    request = response.request
    builder = EnvironBuilder(
        path=request.url.path,
        query_string=request.url.query.decode(),
        method=request.method,
        base_url=f"{request.url.scheme}://{request.url.netloc.decode()}",
        data=request.content,
        headers={k: v for k, v in request.headers.items() if k.lower() != "content-length"},
    )
    wrapped = Response(
        response.content,
        status=response.status_code,
        content_type=response.headers.get("content-type"),
    )
    return WerkzeugOpenAPIRequest(Request(builder.get_environ())), WerkzeugOpenAPIResponse(wrapped)


def assert_valid_brp_answer(response: httpx.Response) -> None:
    """The hub's answer (data or Foutbericht) conforms to Haal Centraal BRP Personen v2."""
    request, wrapped = _werkzeug(response)
    errors = list(brp_api().iter_response_errors(request, wrapped))
    assert not errors, "; ".join(_describe(e) for e in errors)


def assert_valid_objecten_answer(response: httpx.Response) -> None:
    """The answer conforms to the Objects API, and every record's data to its objecttype."""
    request, wrapped = _werkzeug(response)
    errors = list(objecten_api().iter_response_errors(request, wrapped))
    assert not errors, "; ".join(_describe(e) for e in errors)


def assert_valid_data(soort: str, data: dict[str, Any]) -> None:
    errors = sorted(objecttype_validator(soort).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)


def _describe(error: Exception) -> str:
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
    if schema_errors:
        return f"{error}: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message}" for e in schema_errors
        )
    return f"{error} ({cause})" if cause else str(error)
