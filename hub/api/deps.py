"""Request-scoped dependencies: the tenant (gemeente), the verified caller and the runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.auth import verify_token
from hub.caller import Caller
from hub.errors import Forbidden, Unauthorized
from hub.pluginmanager import PluginHost
from hub.runtime import Runtime
from hub.store.db import Store
from hub.tenants import Gemeente

bearer = HTTPBearer(auto_error=False, description="JWT van de OIDC-provider van de gemeente.")

GemeenteCode = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{4}$",
        min_length=4,
        max_length=4,
        description="CBS-gemeentecode van vier cijfers, bijvoorbeeld 0363.",
        examples=["9999"],
    ),
]


@dataclass(frozen=True)
class Tenant:
    """Who asks, for which gemeente, and the means to answer."""

    gemeente: Gemeente
    caller: Caller
    store: Store
    plugins: PluginHost
    trace_id: str


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


@dataclass(frozen=True)
class Attempt:
    """A request on person data from an authenticated caller of a connected gemeente, with the
    403 it gets when its token or role does not admit it (``refusal``): the route still
    records the attempt in that gemeente's logboek before answering."""

    tenant: Tenant
    refusal: Forbidden | None


def _attempt(
    request: Request,
    gemeentecode: str,
    credentials: HTTPAuthorizationCredentials | None,
    allowed: frozenset[str],
) -> Attempt:
    rt = runtime(request)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("een Bearer-token is verplicht")
    gemeente = rt.tenants.get(gemeentecode)
    auth = gemeente.auth if gemeente else rt.tenants.hub.auth
    caller = verify_token(credentials.credentials, auth)
    not_covered = Forbidden(f"het token geeft geen toegang tot gemeente {gemeentecode}")
    if gemeente is None:
        raise not_covered
    refusal: Forbidden | None = None
    if gemeentecode not in caller.gemeenten:
        refusal = not_covered
    elif allowed and not caller.roles & allowed:
        refusal = Forbidden("uw rol geeft geen toegang tot deze gegevens")
    else:
        request.state.gemeente = gemeentecode
    tenant = Tenant(
        gemeente=gemeente,
        caller=caller,
        store=rt.store,
        plugins=rt.host,
        trace_id=request.state.trace_id,
    )
    return Attempt(tenant=tenant, refusal=refusal)


def tenant_for(*roles: str) -> Callable[..., Tenant]:
    """A dependency admitting callers with one of ``roles`` for the gemeente in the path.

    Order of checks: token (401) → token covers a connected gemeente (403) → role (403). A
    gemeente that is not connected answers exactly like one the token does not cover, so
    tokens cannot be used to find out which gemeenten a hub serves.
    """
    allowed = frozenset(roles)

    def dependency(
        request: Request,
        gemeentecode: GemeenteCode,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Tenant:
        attempt = _attempt(request, gemeentecode, credentials, allowed)
        if attempt.refusal is not None:
            raise attempt.refusal
        return attempt.tenant

    return dependency


def attempt_for(*roles: str) -> Callable[..., Attempt]:
    """Like :func:`tenant_for`, for routes on person data: a caller the token or role does not
    admit is not refused here but handed to the route with the 403 it must get, so the route
    logs the attempt (with the BSNs it carried) first. 401 and an unconnected gemeente are
    refused here: there is no verified caller, or no logboek to write to."""
    allowed = frozenset(roles)

    def dependency(
        request: Request,
        gemeentecode: GemeenteCode,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Attempt:
        return _attempt(request, gemeentecode, credentials, allowed)

    return dependency


ALL_ROLES = ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider")
