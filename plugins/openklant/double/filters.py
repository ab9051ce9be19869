"""List filters of the Open Klant double: the ones KISS and the hub use, with Open Klant's
semantics (exact matches; ``onderwerp``/``inhoud`` contain; dates compared as moments).

A filter the spec lists but the double does not implement is refused loudly (a 500 naming
it) rather than ignored: a silently unfiltered list would make find-before-create adopt
somebody else's resource in a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plugins.openklant.double.store import Store, parse_datetime

Extract = Callable[[Store, dict[str, Any]], list[Any]]
# Page controls, not filters.
PAGING = frozenset({"page", "pageSize"})


def _field(*path: str) -> Extract:
    def extract(_store: Store, item: dict[str, Any]) -> list[Any]:
        value: Any = item
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return [] if value is None else [value]

    return extract


def _each(list_field: str, *path: str) -> Extract:
    inner = _field(*path)

    def extract(store: Store, item: dict[str, Any]) -> list[Any]:
        return [v for element in item.get(list_field) or [] for v in inner(store, element)]

    return extract


def _through(collection: str, link: str, *path: str) -> Extract:
    """A value of the resources of ``collection`` whose ``link`` points at this one."""
    inner = _field(*path)

    def extract(store: Store, item: dict[str, Any]) -> list[Any]:
        return [
            v
            for other in store.represent_all(collection)
            if (other.get(link) or {}).get("uuid") == item["uuid"]
            for v in inner(store, other)
        ]

    return extract


def _digital_address_of(store: Store, item: dict[str, Any]) -> list[Any]:
    return [a["uuid"] for a in item.get("digitaleAdressen") or []]


def _klantcontact(*path: str) -> Extract:
    inner = _field(*path)

    def extract(store: Store, item: dict[str, Any]) -> list[Any]:
        ref = item.get("aanleidinggevendKlantcontact") or item.get("hadKlantcontact")
        if not ref:
            return []
        return inner(store, store.represent("klantcontacten", ref["uuid"]))

    return extract


# name -> (kind, extractor). Kinds: exact, icontains, moment, bool, nonempty.
FILTERS: dict[str, dict[str, tuple[str, Extract]]] = {
    "klantcontacten": {
        "plaatsgevondenOp": ("moment", _field("plaatsgevondenOp")),
        "kanaal": ("exact", _field("kanaal")),
        "onderwerp": ("icontains", _field("onderwerp")),
        "inhoud": ("icontains", _field("inhoud")),
        "referentienummer": ("exact", _field("referentienummer")),
        "vertrouwelijk": ("bool", _field("vertrouwelijk")),
        "indicatieContactGelukt": ("bool", _field("indicatieContactGelukt")),
        "hadBetrokkene__uuid": ("exact", _each("hadBetrokkenen", "uuid")),
        "leiddeTotInterneTaken": ("nonempty", _each("leiddeTotInterneTaken", "uuid")),
        "onderwerpobject__onderwerpobjectidentificatorObjectId": (
            "exact",
            _through(
                "onderwerpobjecten", "klantcontact", "onderwerpobjectidentificator", "objectId"
            ),
        ),
    },
    "betrokkenen": {
        "hadKlantcontact__uuid": ("exact", _field("hadKlantcontact", "uuid")),
        "hadKlantcontact__url": ("exact", _field("hadKlantcontact", "url")),
        "hadKlantcontact__referentienummer": ("exact", _klantcontact("referentienummer")),
        "verstrektedigitaalAdres__uuid": ("exact", _digital_address_of),
    },
    "digitaleadressen": {
        "verstrektDoorBetrokkene__uuid": ("exact", _field("verstrektDoorBetrokkene", "uuid")),
        "verstrektDoorBetrokkene__url": ("exact", _field("verstrektDoorBetrokkene", "url")),
        "soortDigitaalAdres": ("exact", _field("soortDigitaalAdres")),
        "adres": ("exact", _field("adres")),
    },
    "internetaken": {
        "status": ("exact", _field("status")),
        "aanleidinggevendKlantcontact__uuid": (
            "exact",
            _field("aanleidinggevendKlantcontact", "uuid"),
        ),
        "aanleidinggevendKlantcontact__url": (
            "exact",
            _field("aanleidinggevendKlantcontact", "url"),
        ),
        "referentienummer": ("exact", _field("referentienummer")),
        "klantcontact__referentienummer": ("exact", _klantcontact("referentienummer")),
        "toegewezenAanActor__uuid": ("exact", _each("toegewezenAanActoren", "uuid")),
        "toegewezenAanActor__url": ("exact", _each("toegewezenAanActoren", "url")),
        "toegewezenOp": ("moment", _field("toegewezenOp")),
    },
    "actoren": {
        "actoridentificatorObjectId": ("exact", _field("actoridentificator", "objectId")),
        "actoridentificatorCodeObjecttype": (
            "exact",
            _field("actoridentificator", "codeObjecttype"),
        ),
        "actoridentificatorCodeRegister": ("exact", _field("actoridentificator", "codeRegister")),
        "actoridentificatorCodeSoortObjectId": (
            "exact",
            _field("actoridentificator", "codeSoortObjectId"),
        ),
        "soortActor": ("exact", _field("soortActor")),
        "indicatieActief": ("bool", _field("indicatieActief")),
        "naam": ("exact", _field("naam")),
    },
    "actorklantcontacten": {
        "actor__uuid": ("exact", _field("actor", "uuid")),
        "klantcontact__uuid": ("exact", _field("klantcontact", "uuid")),
    },
    "onderwerpobjecten": {
        "klantcontact__uuid": ("exact", _field("klantcontact", "uuid")),
        "wasKlantcontact__uuid": ("exact", _field("wasKlantcontact", "uuid")),
        "onderwerpobjectidentificatorObjectId": (
            "exact",
            _field("onderwerpobjectidentificator", "objectId"),
        ),
        "onderwerpobjectidentificatorCodeObjecttype": (
            "exact",
            _field("onderwerpobjectidentificator", "codeObjecttype"),
        ),
        "onderwerpobjectidentificatorCodeRegister": (
            "exact",
            _field("onderwerpobjectidentificator", "codeRegister"),
        ),
        "onderwerpobjectidentificatorCodeSoortObjectId": (
            "exact",
            _field("onderwerpobjectidentificator", "codeSoortObjectId"),
        ),
    },
}


class UnsupportedFilter(Exception):
    """The spec knows the filter; the double does not implement it."""


def select(
    store: Store, collection: str, args: dict[str, str], spec_params: frozenset[str]
) -> list[dict[str, Any]]:
    """The representations of ``collection`` that pass every filter in ``args``."""
    known = FILTERS[collection]
    active = {}
    for name, value in args.items():
        if name in PAGING:
            continue
        if name in known:
            active[name] = value
        elif name in spec_params:
            raise UnsupportedFilter(name)
        # Django ignores query parameters it does not know; so does Open Klant.
    return [
        item
        for item in store.represent_all(collection)
        if all(_passes(store, item, *known[name], value) for name, value in active.items())
    ]


def _passes(store: Store, item: dict[str, Any], kind: str, extract: Extract, wanted: str) -> bool:
    values = extract(store, item)
    if kind == "nonempty":
        return bool(values) == (wanted == "true")
    if kind == "bool":
        return any(v is (wanted == "true") for v in values)
    if kind == "moment":
        moment = parse_datetime(wanted)
        return any(parse_datetime(v) == moment for v in values)
    if kind == "icontains":
        return any(wanted.casefold() in str(v).casefold() for v in values)
    return any(str(v) == wanted for v in values)
