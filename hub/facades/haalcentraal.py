"""Haal Centraal BRP Personen v2 as KISS speaks it, onto the hub's privacy pipeline.

In: the request body exactly as KISS sends it (``fields`` lists, ``geslachtsnaam``
ending in ``*``, ``huisnummer`` as a string of digits, empty strings for an absent
``huisletter`` or ``huisnummertoevoeging``), the client's ``X-API-KEY``, the user
named in a header and the doel in a header (or the client's default). Out: the
``{type, personen}`` answer of the standard, or its problem+json ``Foutbericht``.

Everything else (doelbinding, masking, minimised upstream fields, the logboek before
release) is :func:`hub.privacy.pipeline.lookup_personen`, the same as ``/personen``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.errors import InvalidRequest, KccError, Unauthorized
from hub.facades.afnemers import Geweigerd, haalcentraal_client, vrager
from hub.facades.settings import HaalCentraalSettings
from hub.privacy.pipeline import PluginCaller, lookup_personen
from hub.store.db import Store
from hub.tenants import Gemeente

_BSN = re.compile(r"^[0-9]{9}$")
_HUISNUMMER = re.compile(r"^[1-9][0-9]{0,4}$")
# Parameters KISS sends as "" when the user left them empty: absent in the standard's terms.
_LEEG_IS_AFWEZIG = ("huisletter", "huisnummertoevoeging")


def _settings(gemeente: Gemeente | None) -> HaalCentraalSettings | None:
    return gemeente.haalcentraal if gemeente is not None else None


def pipeline_vraag(body: Any, doel: str | None) -> Any:
    """KISS's request body as the pipeline reads it, with the doel from the header."""
    if not isinstance(body, Mapping):
        return body
    vraag = dict(body)
    for key in _LEEG_IS_AFWEZIG:
        if vraag.get(key) == "":
            del vraag[key]
    huisnummer = vraag.get("huisnummer")
    if isinstance(huisnummer, str) and _HUISNUMMER.match(huisnummer.strip()):
        vraag["huisnummer"] = int(huisnummer.strip())
    # The doel is no parameter of the standard: it comes from a header or the client.
    vraag.pop("doel", None)
    if doel:
        vraag["doel"] = doel
    return vraag


def _zonder_deelvormen(value: Any) -> Any:
    """The standard has no partly shown BSN ("*****3653"): such a value is left out."""
    if isinstance(value, Mapping):
        return {
            key: _zonder_deelvormen(item)
            for key, item in value.items()
            if not (
                key == "burgerservicenummer" and not (isinstance(item, str) and _BSN.match(item))
            )
        }
    if isinstance(value, list):
        return [_zonder_deelvormen(item) for item in value]
    return value


def haalcentraal_antwoord(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The pipeline's answer in the standard's shape: ``type`` and ``personen`` only."""
    return {
        "type": answer["type"],
        "personen": [_zonder_deelvormen(p) for p in answer.get("personen", [])],
    }


def bevraag(
    store: Store,
    plugins: PluginCaller,
    gemeente: Gemeente | None,
    headers: Mapping[str, str],
    trace_id: str,
    body: Any,
    *,
    traceparent: str | None = None,
) -> dict[str, Any]:
    """Answer one Haal Centraal request; raises the hub's errors (see :func:`foutbericht`)."""
    settings = _settings(gemeente)
    client = haalcentraal_client(settings, headers.get("x-api-key"))
    # An unknown gemeente answers like a wrong key: keys do not reveal which gemeenten exist.
    if gemeente is None or settings is None or client is None:
        raise Unauthorized("een geldige X-API-KEY is verplicht")
    with store.session() as session:
        wie = vrager(
            session, gemeente.code, settings, client, headers.get(settings.gebruiker_header)
        )
    doel = (headers.get(settings.doel_header) or "").strip() or client.doel
    vraag = pipeline_vraag(body, doel)
    try:
        # A refused user is refused by the pipeline too, after it logged the attempt with
        # the BSNs and the doel it carried.
        answer = lookup_personen(
            store,
            plugins,
            gemeente,
            wie.caller,
            trace_id,
            vraag,
            traceparent=traceparent,
            refusal=wie.weigering,
        )
    except InvalidRequest as exc:
        if exc.field != "doel":
            raise
        raise InvalidRequest(
            f"{exc.detail} (header {settings.doel_header}, of het standaarddoel van de client)",
            field="doel",
            code=exc.code,
        ) from None
    return haalcentraal_antwoord(answer)


# --------------------------------------------------------------------------- Foutbericht

_TITLE = re.compile(r"[^a-zA-Z0-9À-ž \.\-]")
_DETAIL = re.compile(r"[^a-zA-Z0-9À-ž \.\-\(\),]")
_REASON = re.compile(r"[^a-zA-Z0-9\., ]")
_NAME = re.compile(r"[^a-zA-Z0-9\._]")
_CODE = re.compile(r"[^a-zA-Z0-9]")
_CODES = {
    400: "paramsValidation",
    401: "authentication",
    403: "autorisation",
    404: "notFound",
    406: "notAcceptable",
    415: "unsupported",
    429: "tooManyRequests",
    500: "serverError",
    502: "badGateway",
    503: "notAvailable",
    504: "notAvailable",
}


def _fit(pattern: re.Pattern[str], text: str, limit: int, fallback: str) -> str:
    """Text within the standard's character set: other characters become spaces."""
    cleaned = " ".join(pattern.sub(" ", text).split())[:limit].strip()
    return cleaned or fallback


def foutbericht(exc: KccError, instance: str) -> dict[str, Any]:
    """The standard's ``Foutbericht`` (with ``invalidParams`` for a 400) for a hub error."""
    status = exc.status
    code = exc.code if isinstance(exc, Geweigerd) else _CODES.get(status, "serverError")
    body: dict[str, Any] = {
        "type": f"https://datatracker.ietf.org/doc/html/rfc9110#status.{status}",
        "title": _fit(_TITLE, exc.title, 80, "Fout"),
        "status": status,
        "detail": _fit(_DETAIL, exc.detail, 200, "Fout"),
        "instance": instance,
        "code": _fit(_CODE, code, 25, "fout"),
    }
    if isinstance(exc, InvalidRequest):
        field = exc.field or "body"
        body["invalidParams"] = [
            {
                "type": f"https://www.vng.nl/realisatie/api/validaties/{_fit(_CODE, exc.code, 25, 'invalid')}",
                "name": _fit(_NAME, field, 30, "body"),
                "code": _fit(_CODE, exc.code, 25, "invalid"),
                "reason": _fit(_REASON, exc.detail, 80, "Ongeldige waarde."),
            }
        ]
    return body
