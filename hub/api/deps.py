"""Request-scoped dependencies: the tenant (gemeente), the verified caller and the runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.auth import verify_token
from hub.caller import Caller
from hub.errors import Forbidden, NotFound, Unauthorized
from hub.pluginmanager import PluginHost
from hub.runtime import Runtime
from hub.store.db import Store
from hub.tenants import Gemeente

bearer = HTTPBearer(auto_error=False, description="JWT van de OIDC-provider van de gemeente.")

GemeenteCode = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{4}$",
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


def tenant_for(*roles: str) -> Callable[..., Tenant]:
    """A dependency admitting callers with one of ``roles`` for the gemeente in the path.

    Order of checks: token (401) → gemeente known (404) → token covers gemeente (403) → role (403).
    """
    allowed = frozenset(roles)

    def dependency(
        request: Request,
        gemeentecode: GemeenteCode,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Tenant:
        rt = runtime(request)
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("een Bearer-token is verplicht")
        gemeente = rt.tenants.get(gemeentecode)
        auth = gemeente.auth if gemeente else rt.tenants.hub.auth
        caller = verify_token(credentials.credentials, auth)
        if gemeente is None:
            raise NotFound(f"gemeente {gemeentecode} is niet aangesloten op deze hub")
        if gemeentecode not in caller.gemeenten:
            raise Forbidden(f"het token geeft geen toegang tot gemeente {gemeentecode}")
        if allowed and not caller.roles & allowed:
            raise Forbidden("uw rol geeft geen toegang tot deze gegevens")
        request.state.gemeente = gemeentecode
        return Tenant(
            gemeente=gemeente,
            caller=caller,
            store=rt.store,
            plugins=rt.host,
            trace_id=request.state.trace_id,
        )

    return dependency


ALL_ROLES = ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider")
