"""``/medewerkers``: the colleague directory, served from the hub's store (never live from AD)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import Field

from hub import directory, hookspecs
from hub.api.deps import Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.beschikbaarheid import latest, voor_medewerkers, vrij_nu
from hub.directory.zoekcache import cache_for
from hub.domain.base import ApiModel
from hub.domain.beschikbaarheid import Beschikbaarheid
from hub.domain.medewerkers import Medewerker
from hub.errors import CapabilityMissing, InvalidRequest, NotFound
from hub.plugin_api import Capability
from hub.store import generaties
from hub.sync import state

router = APIRouter(tags=["Medewerkers"])

ROLES = ("kcc-medewerker", "backoffice", "beheerder")
MAX_PAGINA_GROOTTE = 100


class MedewerkerResultaat(Medewerker):
    """A medewerker with the moment the directory last received them from the source."""

    gesynchroniseerd_op: datetime = Field(
        description="Wanneer deze gegevens voor het laatst uit de bron (AD) zijn overgenomen."
    )
    beschikbaarheid: Beschikbaarheid | None = Field(
        default=None, description="Agendastatus, indien een agendakoppeling die levert."
    )


class MedewerkerLijst(ApiModel):
    resultaten: list[MedewerkerResultaat]
    pagina: int
    pagina_grootte: int
    totaal: int = Field(description="Aantal medewerkers dat aan de zoekvraag voldoet.")
    laatste_synchronisatie: datetime | None = Field(
        default=None,
        description="Einde van de laatste geslaagde synchronisatie van de medewerkersgids.",
    )


def _directory_plugins(t: Tenant) -> list[str]:
    code = t.gemeente.code
    names = [
        name
        for name in t.plugins.enabled(code)
        if Capability.MEDEWERKERS in t.plugins.loaded.infos[name].capabilities
    ]
    if not names:
        raise CapabilityMissing(f"gemeente {code} heeft geen medewerkersgids aangesloten")
    return names


def _has_calendar(t: Tenant) -> bool:
    return bool(t.plugins.enabled(t.gemeente.code, hookspecs.kcc_get_beschikbaarheid))


def _status_only(b: Beschikbaarheid) -> Beschikbaarheid:
    """In lists, the status and next free slot; busy blocks come from /beschikbaarheid."""
    return b.model_copy(update={"bezet": []})


@router.get(
    "/medewerkers",
    summary="Zoek medewerkers op naam, afdeling, functie of expertise",
    description=(
        "Zoekt in de gesynchroniseerde medewerkersgids: hoofdletter- en accentongevoelig, "
        "met tussenvoegsels in elke volgorde ('van der Berg', 'Berg, van der') en op "
        "beginletters tijdens het typen. De beste treffers komen eerst: wie op alle woorden "
        "exact overeenkomt (volledige naam, voornaam en achternaam, of voorletter en "
        "achternaam) vóór wie alleen op het begin van een woord overeenkomt."
    ),
    response_model=MedewerkerLijst,
    responses=problem_responses(400, 401, 403, 404),
)
def zoek_medewerkers(
    t: Annotated[Tenant, Depends(tenant_for(*ROLES))],
    zoek: Annotated[
        str | None,
        Query(max_length=200, description="Naam, deel van een naam, functie of expertise."),
    ] = None,
    afdeling: Annotated[
        str | None, Query(max_length=200, description="Afdeling (begin van de naam).")
    ] = None,
    functie: Annotated[
        str | None, Query(max_length=200, description="Functie (begin van de naam).")
    ] = None,
    pagina: Annotated[
        int,
        Query(
            ge=1,
            le=10_000,
            description="Paginanummer, vanaf 1; een pagina voorbij het einde geeft een lege "
            "lijst, een nummer boven het maximum 400.",
        ),
    ] = 1,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=MAX_PAGINA_GROOTTE)] = 20,
    alleen_vrij: Annotated[
        bool,
        Query(
            alias="alleenVrij",
            description=(
                "Alleen medewerkers die nu vrij zijn volgens hun agenda (de laatst opgehaalde "
                "stand, hoogstens één verversingsinterval oud)."
            ),
        ),
    ] = False,
) -> Response:
    plugins = _directory_plugins(t)
    code = t.gemeente.code
    where = []
    if alleen_vrij:
        if not _has_calendar(t):
            raise InvalidRequest(
                "deze gemeente heeft geen agendakoppeling: op beschikbaarheid filteren kan niet",
                field="alleenVrij",
                code="unsupported",
            )
        where.append(vrij_nu(code, datetime.now(UTC)))
    # "Free now" depends on the clock, everything else only on the stored data.
    cache = None if alleen_vrij else cache_for(t.store)
    request = (zoek, afdeling, functie, pagina, pagina_grootte)
    with t.store.session() as session:
        # The generation first, the data after: a write in between can only make the
        # cached answer newer than its generation, never older (hub.store.generaties).
        generatie = generaties.current(session, code)
        cached = cache.get(code, generatie, request) if cache is not None else None
        if cached is not None:
            return Response(cached, media_type="application/json")
        found, total = directory.search(
            session,
            code,
            zoek,
            afdeling=afdeling,
            functie=functie,
            limit=pagina_grootte,
            offset=(pagina - 1) * pagina_grootte,
            where=where,
        )
        runs = [state.last_successful(session, code, name) for name in plugins]
        # Stored availability only: a search while typing must not wait on Exchange.
        known = latest(session, code, [m.email for m, _ in found if m.email])
    finished = [run.finished_at for run in runs if run is not None and run.finished_at]

    def availability(m: Medewerker) -> Beschikbaarheid | None:
        stored = known.get(m.email.strip().lower()) if m.email else None
        return _status_only(stored.beschikbaarheid) if stored else None

    lijst = MedewerkerLijst(
        resultaten=[
            MedewerkerResultaat(
                **m.model_dump(), gesynchroniseerd_op=synced, beschikbaarheid=availability(m)
            )
            for m, synced in found
        ],
        pagina=pagina,
        pagina_grootte=pagina_grootte,
        totaal=total,
        laatste_synchronisatie=max(finished) if finished else None,
    )
    body = lijst.model_dump_json(by_alias=True).encode()
    if cache is not None:
        cache.put(code, generatie, request, body)
    return Response(body, media_type="application/json")


@router.get(
    "/medewerkers/{id}",
    summary="Eén medewerker uit de medewerkersgids",
    response_model=MedewerkerResultaat,
    responses=problem_responses(401, 403, 404),
)
def haal_medewerker(
    t: Annotated[Tenant, Depends(tenant_for(*ROLES))],
    medewerker_id: Annotated[
        str, Path(alias="id", max_length=64, description="Stabiele identificatie (objectGUID).")
    ],
) -> MedewerkerResultaat:
    _directory_plugins(t)
    with t.store.session() as session:
        found = directory.get(session, t.gemeente.code, medewerker_id)
    if found is None:
        raise NotFound("deze medewerker staat niet in de medewerkersgids")
    medewerker, synced = found
    beschikbaarheid = None
    if medewerker.email and _has_calendar(t):
        # One colleague: refresh a stale status on demand (the last known one if that fails).
        antwoord = voor_medewerkers(t.store, t.plugins, t.gemeente.code, [medewerker.email])
        stored = antwoord.per_email.get(medewerker.email.strip().lower())
        beschikbaarheid = _status_only(stored.beschikbaarheid) if stored else None
    return MedewerkerResultaat(
        **medewerker.model_dump(), gesynchroniseerd_op=synced, beschikbaarheid=beschikbaarheid
    )
