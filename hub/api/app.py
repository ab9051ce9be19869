"""The FastAPI application: tenant routes under ``/api/v1/gemeenten/{gemeentecode}``, probes outside."""

from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from hub.api.cors import install_cors
from hub.api.docs import install_docs
from hub.api.metrics_access import metrics_access
from hub.api.middleware import install_middleware
from hub.api.openapi import PREFIX, install_openapi
from hub.api.problems import install_problem_handlers
from hub.beheer.web import create_beheer_app
from hub.jobs.actors import submit_melding, verwerk_klantcontact_outbox
from hub.jobs.broker import broker_reachable
from hub.klantcontacten import set_dispatcher as set_klantcontacten_dispatcher
from hub.meldingen import set_dispatcher
from hub.rapportages.metrics import ververs as contactverzoek_metrics
from hub.runtime import Runtime
from hub.store.base import utcnow

log = logging.getLogger(__name__)

TENANT_PREFIX = PREFIX + "/gemeenten/{gemeentecode}"

# Resource modules under hub.api.routes, each exposing ``router``. A module that is
# missing (a later feature not yet installed) is skipped, never fatal.
ROUTE_MODULES = (
    "plugins",
    "medewerkers",
    "beschikbaarheid",
    "doelen",
    "personen",
    "logboek",
    "zaken",
    "klantbeeld",
    "meldingen",
    "klantcontacten",
    "contactverzoeken",
    "haalcentraal",
    "objecten",
    "rapportages",
)


def _dispatch_melding(gemeente: str, melding_id: str) -> None:
    submit_melding.send(gemeente, melding_id)


def _dispatch_klantcontacten(gemeente: str, rij_id: str) -> None:
    verwerk_klantcontact_outbox.send(gemeente, rij_id)


def create_app(runtime: Runtime, *, beheer_loopback_http: bool = False) -> FastAPI:
    """The hub's HTTP application; ``beheer_loopback_http`` is for the demo only (see
    :func:`hub.beheer.web.create_beheer_app`)."""
    app = FastAPI(
        title="KCC Hub",
        openapi_url=PREFIX + "/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    # The plugins' connection pools go with the app (uvicorn's shutdown, a test's TestClient).
    app.router.on_shutdown.append(runtime.close)
    # A stored melding is handed to the outbox job at once; the sweeper catches what this misses.
    set_dispatcher(_dispatch_melding)
    # The same for a contactverzoek's mail and forwarding; the 15-second sweep catches the rest.
    set_klantcontacten_dispatcher(_dispatch_klantcontacten)
    install_problem_handlers(app)
    install_middleware(app)
    # Added last, so outermost: preflights are answered before anything else runs.
    install_cors(app, runtime.tenants.hub.cors)
    for name in ROUTE_MODULES:
        try:
            module = importlib.import_module(f"hub.api.routes.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"hub.api.routes.{name}":
                raise
            continue
        app.include_router(module.router, prefix=TENANT_PREFIX)

    @app.get("/livez", include_in_schema=False)
    def livez() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz(request: Request) -> JSONResponse:
        rt: Runtime = request.app.state.runtime
        checks: dict[str, str] = {}
        try:
            with rt.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["store"] = "ok"
        except Exception as exc:
            checks["store"] = f"down: {type(exc).__name__}"
        checks["broker"] = "ok" if broker_reachable() else "down"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        # The metrics name every connected gemeente: a bearer token, or loopback only.
        rt: Runtime = request.app.state.runtime
        metrics_access(request, rt.tenants.hub.api)
        contactverzoek_metrics(rt.store, rt.tenants.gemeenten, utcnow())
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    install_openapi(app)
    install_docs(app)
    app.mount("/beheer", create_beheer_app(runtime, loopback_http=beheer_loopback_http))
    return app


def app_from_env() -> FastAPI:
    """Uvicorn factory: ``uvicorn --factory hub.api.app:app_from_env``."""
    from hub.logging_setup import configure_logging

    configure_logging()
    return create_app(Runtime.build())
