"""``POST /haalcentraal/brp/personen``: Haal Centraal BRP Personen v2 for KISS (a facade).

KISS's ``HAAL_CENTRAAL_BASE_URL`` points at ``…/gemeenten/{gemeentecode}/haalcentraal``.
This module only moves HTTP in and out; :mod:`hub.facades.haalcentraal` translates
and the privacy pipeline does the work. Errors are the standard's ``Foutbericht``.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field

from hub.api.deps import GemeenteCode, runtime
from hub.api.problems import PROBLEM_JSON, problem_responses
from hub.domain.personen import query_schema
from hub.errors import InvalidRequest, KccError
from hub.facades.haalcentraal import bevraag, foutbericht

log = logging.getLogger(__name__)

router = APIRouter(tags=["Haal Centraal BRP (KISS)"])

api_key = APIKeyHeader(
    name="X-API-KEY",
    auto_error=False,
    scheme_name="HaalCentraalApiKey",
    description="Sleutel van de client (KISS: HAAL_CENTRAAL_API_KEY), per gemeente ingesteld.",
)


# The standard's query (hub.domain.personen) as KISS sends it: ``fields`` always, the
# huisnummer as a string, an empty huisletter or toevoeging for none.
_VRAAG_SCHEMA = query_schema(
    "HaalCentraalVraag",
    required=frozenset({"fields"}),
    overrides={
        "huisnummer": {
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": 99999},
                {"type": "string", "maxLength": 5},
            ],
            "description": "KISS stuurt een string.",
        },
        "huisletter": {
            "type": "string",
            "maxLength": 1,
            "description": "Leeg: geen huisletter.",
        },
        "huisnummertoevoeging": {
            "type": "string",
            "maxLength": 4,
            "description": "Leeg: geen toevoeging.",
        },
    },
)


class HaalCentraalAntwoord(BaseModel):
    model_config = ConfigDict(title="HaalCentraalAntwoord")

    type: str
    personen: list[dict[str, Any]] = Field(
        description="Personen in de vorm van de standaard, gemaskeerd volgens de rol van de "
        "gebruiker."
    )


_DESCRIPTION = """
Dezelfde bevraging als `POST /personen` (doelbinding, maskering per rol, logboek vóór
verstrekking), in de vorm van Haal Centraal BRP Personen v2, zodat KISS de hub als
`HAAL_CENTRAAL_BASE_URL` kan gebruiken.

* **Client**: `X-API-KEY`, per gemeente ingesteld (`[[haalcentraal.clients]]`).
* **Gebruiker**: de header uit `[haalcentraal] gebruiker_header` (standaard `x-gebruiker`,
  KISS: `HAAL_CENTRAAL_USER_HEADER_NAME`), met e-mailadres of accountnaam. De rol volgt uit
  de AD-groepen van die medewerker (`[haalcentraal.groeprollen]`).
* **Doel**: de header uit `[haalcentraal] doel_header` (standaard `x-doelbinding`), anders het
  standaarddoel van de client.

Een onbekende of uitgeschakelde gebruiker, of een gebruiker zonder rol, krijgt 403; ook die
poging staat in het logboek. Fouten volgen het `Foutbericht` van de standaard.
"""


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("de body is geen geldige JSON", field="body", code="json") from None


@router.post(
    "/haalcentraal/brp/personen",
    summary="Personen raadplegen of zoeken, als Haal Centraal BRP Personen v2 (voor KISS)",
    description=_DESCRIPTION,
    response_model=HaalCentraalAntwoord,
    responses=problem_responses(400, 401, 403, 404, 429, 502, 503, 504),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _VRAAG_SCHEMA}},
        }
    },
)
async def haalcentraal_personen(
    request: Request,
    gemeentecode: GemeenteCode,
    sleutel: Annotated[str | None, Security(api_key)] = None,
) -> JSONResponse:
    rt = runtime(request)
    gemeente = rt.tenants.get(gemeentecode)
    try:
        body = await _json_body(request)
        antwoord = await run_in_threadpool(
            bevraag,
            rt.store,
            rt.host,
            gemeente,
            request.headers,
            request.state.trace_id,
            body,
            traceparent=request.headers.get("traceparent"),
        )
    except KccError as exc:
        return _probleem(request, gemeentecode, exc)
    except Exception:
        # The trace id links this log line to the client's report; no body, no person data.
        log.exception("haalcentraal request failed")
        return _probleem(request, gemeentecode, KccError("er ging iets mis in de hub"))
    request.state.gemeente = gemeentecode
    return JSONResponse(antwoord)


def _probleem(request: Request, gemeentecode: str, exc: KccError) -> JSONResponse:
    if exc.status != 401:
        request.state.gemeente = gemeentecode
    headers = {"WWW-Authenticate": 'ApiKey header="X-API-KEY"'} if exc.status == 401 else None
    instance = str(request.url.replace(query=""))
    return JSONResponse(
        foutbericht(exc, instance), status_code=exc.status, media_type=PROBLEM_JSON, headers=headers
    )
