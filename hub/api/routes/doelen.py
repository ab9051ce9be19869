"""``/doelen``: the doelen (purposes) the caller's role may state, so front ends need not
hard-code them. The list comes from the gemeente's ``[[doelen]]``; the hub checks a
request's ``doel`` against the same list (doelbinding)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field

from hub.api.deps import ALL_ROLES, Tenant, tenant_for
from hub.api.problems import problem_responses
from hub.domain.base import ApiModel
from hub.privacy.settings import privacy_for

router = APIRouter(tags=["Doelen"])


class Doel(ApiModel):
    code: str = Field(description="Wat u als `doel` meestuurt, bijvoorbeeld kcc-identificatie.")
    omschrijving: str
    verwerkingsactiviteit: str = Field(
        description="URI van de verwerkingsactiviteit in het register van de gemeente."
    )


class DoelenLijst(ApiModel):
    rol: str = Field(description="De rol waarmee de hub een doel toetst (uw hoogste rol).")
    doelen: list[Doel] = Field(description="De doelen die deze rol mag gebruiken.")


@router.get(
    "/doelen",
    summary="De doelen die uw rol mag gebruiken",
    response_model=DoelenLijst,
    responses=problem_responses(401, 403, 404),
)
def doelen_voor_rol(t: Annotated[Tenant, Depends(tenant_for(*ALL_ROLES))]) -> DoelenLijst:
    rol = t.caller.primary_role
    configured = privacy_for(t.gemeente).doelen.by_code.values()
    return DoelenLijst(
        rol=rol,
        doelen=[
            Doel(
                code=d.code,
                omschrijving=d.omschrijving,
                verwerkingsactiviteit=d.verwerkingsactiviteit,
            )
            for d in sorted(configured, key=lambda d: d.code)
            if rol in d.rollen
        ],
    )
