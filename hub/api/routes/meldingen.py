"""``/meldingen``: file a melding openbare ruimte while the caller is on the line, and follow it.

The melding is stored first and submitted upstream by a job from the outbox, so
the answer is always ``202 Accepted`` with status ``in_wachtrij``; a down Fixi
delays the melding but never loses it. ``Idempotency-Key`` is required: the same
key with the same body returns the same melding (header ``Idempotent-Replayed``),
with another body a 409 problem.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Response

from hub.api.deps import Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.domain.meldingen import MeldingCategorie, NieuweMelding
from hub.meldingen import Melding, accept, dispatch, get_melding
from hub.meldingen.categorieen import categorieen, controleer_categorie
from hub.meldingen.zoeken import MeldingenLijst, MeldingenZoekvraag, zoek_meldingen

router = APIRouter(tags=["Meldingen"])

ROLLEN = ("kcc-medewerker", "backoffice")


@router.post(
    "/meldingen",
    summary="Een melding openbare ruimte indienen",
    status_code=202,
    response_model=Melding,
    responses=problem_responses(400, 401, 403, 404, 409),
)
def melding_indienen(
    t: Annotated[Tenant, Depends(tenant_for(*ROLLEN))],
    melding: NieuweMelding,
    response: Response,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Unieke sleutel per melding (bv. een UUID), dezelfde bij een herhaling "
            "van het verzoek: zo ontstaat de melding nooit twee keer.",
        ),
    ],
) -> Melding:
    code = t.gemeente.code
    controleer_categorie(t.plugins, code, t.caller, t.trace_id, melding.categorie)
    opgeslagen, nieuw = accept(t.store, code, t.caller, idempotency_key, melding)
    if nieuw:
        dispatch(code, opgeslagen.id)
    else:
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"{_base(code)}/meldingen/{opgeslagen.id}"
    return opgeslagen


@router.get(
    "/meldingen/categorieen",
    summary="De categorieën waaronder een melding kan worden ingediend",
    response_model=list[MeldingCategorie],
    responses=problem_responses(401, 403, 404, 501, 502, 503, 504),
)
def melding_categorieen(
    t: Annotated[Tenant, Depends(tenant_for(*ROLLEN))],
) -> list[MeldingCategorie]:
    return categorieen(t.plugins, t.gemeente.code, t.caller, t.trace_id)


@router.post(
    "/meldingen/_zoek",
    summary="De meldingen van een melder (telefoon, e-mail of BSN in de body)",
    response_model=MeldingenLijst,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def meldingen_zoeken(
    t: Annotated[Tenant, Depends(tenant_for(*ROLLEN))],
    vraag: MeldingenZoekvraag,
) -> MeldingenLijst:
    """Elke zoekvraag komt in het logboek voordat er meldingen de hub verlaten."""
    return zoek_meldingen(t.store, t.gemeente, t.caller, t.trace_id, vraag)


@router.get(
    "/meldingen/{id}",
    summary="Een melding met de status in de hub en in het bronsysteem",
    response_model=Melding,
    responses=problem_responses(400, 401, 403, 404),
)
def melding_ophalen(
    t: Annotated[Tenant, Depends(tenant_for(*ROLLEN))],
    id: Annotated[
        str,
        Path(
            pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            max_length=36,
            description="Id van de melding in de hub.",
        ),
    ],
) -> Melding:
    return get_melding(t.store, t.gemeente.code, id)


def _base(code: str) -> str:
    return f"/api/v1/gemeenten/{code}"
