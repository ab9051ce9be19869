"""The ZGW specifications, loaded once per process: they are large (0.5 MB each)."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_core import OpenAPI

SPECS = Path(__file__).resolve().parents[3] / "specs" / "zgw"
ZAKEN_BASE = "/zaken/api/v1"
CATALOGI_BASE = "/catalogi/api/v1"


@cache
def _raw(name: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPECS / name).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=loader)  # noqa: S506 - safe loader
    return loaded


@cache
def zaken_api() -> OpenAPI:
    """Zaken API 1.5.1, served by the double under ``/zaken/api/v1`` (as Open Zaak does)."""
    spec = copy.deepcopy(_raw("zaken-openapi.yaml"))
    spec["servers"] = [{"url": ZAKEN_BASE}]
    return OpenAPI.from_dict(spec)


@cache
def catalogi_api() -> OpenAPI:
    """Catalogi API, served under ``/catalogi/api/v1``."""
    spec = copy.deepcopy(_raw("catalogi-openapi.yaml"))
    spec["servers"] = [{"url": CATALOGI_BASE}]
    return OpenAPI.from_dict(spec)
