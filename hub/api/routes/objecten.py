"""``GET /objecten/api/v2/objects[/{uuid}]``: the Objects API v2 (read) for KISS (a facade).

KISS's Objecten base URLs for medewerkers, afdelingen and groepen point at
``…/gemeenten/{gemeentecode}/objecten``. The client authenticates with
``Authorization: Token <sleutel>`` (``[[objecten.clients]]``). This module only moves
HTTP in and out; :mod:`hub.facades.objecten` translates onto the directory.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field

from hub import hookspecs
from hub.api.deps import GemeenteCode, runtime
from hub.api.problems import problem_responses
from hub.errors import NotFound, Unauthorized
from hub.facades.afnemers import objecten_client
from hub.facades.objecten import Adres, een, lijst, parse_vraag
from hub.facades.settings import ObjectenSettings
from hub.runtime import Runtime
from hub.tenants import Gemeente

router = APIRouter(tags=["Objecten (KISS)"])

token_header = APIKeyHeader(
    name="Authorization",
    auto_error=False,
    scheme_name="ObjectenToken",
    description="`Token <sleutel>`: de sleutel van de client, per gemeente ingesteld.",
)
COLLECTION = "/objecten/api/v2/objects"
MAX_PAGE = 1_000_000


class ObjectRecord(BaseModel):
    model_config = ConfigDict(title="ObjectRecord")

    index: int
    typeVersion: int  # noqa: N815
    data: dict[str, Any] = Field(
        description="Volgens het objecttype (Medewerker, Afdeling, Groep)."
    )
    startAt: str  # noqa: N815
    endAt: str | None = None  # noqa: N815
    registrationAt: str  # noqa: N815
    correctionFor: int | None = None  # noqa: N815


class ObjectModel(BaseModel):
    model_config = ConfigDict(title="Object")

    url: str
    uuid: str
    type: str
    record: ObjectRecord


class ObjectenLijst(BaseModel):
    model_config = ConfigDict(title="ObjectenLijst")

    count: int
    next: str | None = None
    previous: str | None = None
    results: list[ObjectModel]


def _toegang(
    request: Request, gemeentecode: str, authorization: str | None
) -> tuple[Runtime, Gemeente, ObjectenSettings]:
    rt = runtime(request)
    gemeente = rt.tenants.get(gemeentecode)
    settings = gemeente.objecten if gemeente is not None else None
    scheme, _, token = (authorization or "").partition(" ")
    client = objecten_client(settings, token.strip() if scheme.lower() == "token" else None)
    # An unknown gemeente answers like a wrong token: tokens do not reveal which gemeenten exist.
    if gemeente is None or settings is None or client is None:
        raise Unauthorized("Authorization: Token <sleutel> is verplicht")
    request.state.gemeente = gemeentecode
    return rt, gemeente, settings


_LIJST = """
Medewerkers, afdelingen en groepen uit de gesynchroniseerde medewerkersgids als objecten
van de community-objecttypen, zoals de Objects API v2 ze levert. `type` is de URL van het
objecttype zoals de gemeente die instelde (`[objecten.objecttypen]`).

* `data_attr=sleutel__operator__waarde` (herhaalbaar): `exact`, `icontains` of `in`
  (waarden gescheiden door `|`). Medewerker: `identificatie`, `voornaam`, `achternaam`,
  `volledigeNaam`, `naam`, `functie`, `emails__email`, `afdelingen__afdelingnaam`;
  afdeling en groep: `identificatie`, `naam` (groep ook `email`).
* `ordering`: `record__data__naam` e.d., `-` ervoor voor aflopend.
* Medewerkers dragen het weekrooster `beschikbaarheid` uit de agenda en de uitbreiding
  `actueleBeschikbaarheid` (status nu, volgend vrij moment).
"""


@router.get(
    COLLECTION,
    summary="Objecten uit de medewerkersgids (Objects API v2, voor KISS)",
    description=_LIJST,
    response_model=ObjectenLijst,
    responses=problem_responses(400, 401, 404),
)
def objecten_lijst(
    request: Request,
    gemeentecode: GemeenteCode,
    authorization: Annotated[str | None, Security(token_header)] = None,
    objecttype: Annotated[
        str | None, Query(alias="type", max_length=1000, description="URL van het objecttype.")
    ] = None,
    data_attr: Annotated[
        list[Annotated[str, Field(max_length=500)]],
        Query(
            alias="data_attr",
            max_length=10,
            description="Filter `sleutel__operator__waarde`; herhaalbaar.",
        ),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    ordering: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int | None, Query(le=MAX_PAGE, description="Pagina, vanaf 1.")] = None,
    page_size: Annotated[
        int | None,
        Query(alias="pageSize", description="Per pagina (standaard 100, ten hoogste 500)."),
    ] = None,
) -> JSONResponse:
    rt, gemeente, settings = _toegang(request, gemeentecode, authorization)
    vraag = parse_vraag(settings, objecttype, data_attr, ordering, page, page_size)
    adres = Adres(str(request.url.replace(query="")))
    with rt.store.session() as session:
        results, count = lijst(session, gemeente.code, settings, vraag, adres)
    if not results and vraag.page > 1:
        raise NotFound("ongeldige pagina")
    last = vraag.page * vraag.page_size >= count
    return JSONResponse(
        {
            "count": count,
            "next": None if last else str(request.url.include_query_params(page=vraag.page + 1)),
            "previous": (
                str(request.url.include_query_params(page=vraag.page - 1))
                if vraag.page > 1
                else None
            ),
            "results": results,
        }
    )


@router.get(
    COLLECTION + "/{uuid}",
    summary="Eén object uit de medewerkersgids (Objects API v2, voor KISS)",
    response_model=ObjectModel,
    responses=problem_responses(400, 401, 404),
)
def objecten_een(
    request: Request,
    gemeentecode: GemeenteCode,
    object_uuid: Annotated[
        str,
        Path(
            alias="uuid",
            max_length=36,
            pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            description="uuid van het object.",
        ),
    ],
    authorization: Annotated[str | None, Security(token_header)] = None,
) -> JSONResponse:
    rt, gemeente, settings = _toegang(request, gemeentecode, authorization)
    objects_url = str(request.url.replace(query="")).rsplit("/", 1)[0]
    record = een(
        rt.store,
        rt.host,
        gemeente.code,
        settings,
        object_uuid,
        Adres(objects_url),
        heeft_agenda=bool(rt.host.enabled(gemeente.code, hookspecs.kcc_get_beschikbaarheid)),
    )
    return JSONResponse(record)
