"""The Objects API v2 (read) over the directory: medewerkers, afdelingen and groepen as records.

KISS reads its smoelenboek (Elastic sync, page by page) and its afdelingen and groepen
lookups from the Objects API; here those are records of the community objecttypes
(``specs/objecttypes/``) made from the synced directory:

* ``type`` names the objecttype by the URL the gemeente configured for it;
* ``data_attr=key__op__value`` (exact, icontains, in) and ``ordering`` translate to the
  directory's own fields; an attribute no record has matches nothing, as in the API;
* medewerker records carry the weekly ``beschikbaarheid`` grid from the stored calendar
  availability and, as an extension, ``actueleBeschikbaarheid`` (status now and the next
  free moment).

A record's ``uuid`` is the directory's stable id (AD's objectGUID) for medewerkers and
groepen, and a name-based UUID for afdelingen, so it survives every sync.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from hub.beschikbaarheid import Opgeslagen, latest, voor_medewerkers
from hub.beschikbaarheid.store import ZONE
from hub.beschikbaarheid.weekrooster import weekrooster
from hub.directory import get
from hub.directory.identiteit import GroepNaam
from hub.directory.lijsten import (
    Afdeling,
    Filter,
    Operator,
    Volgorde,
    afdelingen_pagina,
    afdelingen_per_naam,
    directe_groepen,
    groep,
    groepen_pagina,
    medewerkers_pagina,
)
from hub.directory.normalize import TUSSENVOEGSELS, fold, normalized
from hub.domain.groepen import Groep
from hub.domain.medewerkers import Medewerker
from hub.errors import InvalidRequest, NotFound
from hub.facades.settings import ObjectenSettings, ObjectSoort
from hub.privacy.pipeline import PluginCaller
from hub.store.db import Store

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
_OPERATORS: frozenset[str] = frozenset({"exact", "icontains", "in"})
_KNOWN_OPERATORS = _OPERATORS | {"gt", "gte", "lt", "lte"}
_NAMESPACE = uuid.UUID("6f1d7c1e-3b0a-5f8e-9a43-2a9c4e6b1d70")

# data_attr / ordering keys per objecttype -> directory field.
_VELDEN: Mapping[ObjectSoort, Mapping[str, str]] = {
    ObjectSoort.MEDEWERKER: {
        "identificatie": "account_naam",
        "voornaam": "voornaam",
        "achternaam": "achternaam",
        "volledigeNaam": "weergavenaam",
        # The Medewerker objecttype has no "naam"; KISS orders every type by it.
        "naam": "weergavenaam",
        "functie": "functie",
        "emails__email": "email",
        "afdelingen__afdelingnaam": "afdeling",
    },
    ObjectSoort.AFDELING: {"identificatie": "identificatie", "naam": "naam"},
    ObjectSoort.GROEP: {"identificatie": "identificatie", "naam": "naam", "email": "email"},
}


@dataclass(frozen=True)
class Vraag:
    """An Objects API list request, parsed."""

    soort: ObjectSoort
    filters: list[Filter]
    volgorde: list[Volgorde]
    page: int
    page_size: int
    # A data_attr on an attribute the records do not have: nothing matches.
    niets: bool = False


def parse_vraag(
    settings: ObjectenSettings,
    type_url: str | None,
    data_attr: Sequence[str],
    ordering: str | None,
    page: int | None,
    page_size: int | None,
) -> Vraag:
    """Validate and translate the query; raises InvalidRequest naming the parameter."""
    if not type_url:
        raise InvalidRequest(
            "type is verplicht: de URL van het objecttype (medewerker, afdeling of groep)",
            field="type",
            code="required",
        )
    soort = settings.soort_van(type_url)
    if soort is None:
        raise InvalidRequest(
            "type is geen objecttype dat deze gemeente hier aanbiedt", field="type", code="enum"
        )
    velden = _VELDEN[soort]
    filters: list[Filter] = []
    niets = False
    for expression in data_attr:
        key, op, value = _split(expression)
        if key not in velden:
            niets = True
            continue
        filters.append(Filter(velden[key], _operator(op), value))
    volgorde: list[Volgorde] = []
    for part in (ordering or "").split(","):
        name = part.strip()
        aflopend = name.startswith("-")
        key = name.removeprefix("-").removeprefix("record__data__")
        if name.removeprefix("-") == "uuid":
            volgorde.append(Volgorde("id", aflopend))
        elif name.removeprefix("-").startswith("record__data__") and key in velden:
            volgorde.append(Volgorde(velden[key], aflopend))
        # Unknown ordering fields are ignored, as the Objects API does.
    if page is not None and page < 1:
        raise NotFound("ongeldige pagina")
    size = page_size if page_size is not None and page_size >= 1 else DEFAULT_PAGE_SIZE
    return Vraag(soort, filters, volgorde, page or 1, min(size, MAX_PAGE_SIZE), niets)


def _split(expression: str) -> tuple[str, str, str]:
    parts = expression.split("__")
    if len(parts) < 3 or not parts[0]:
        raise InvalidRequest(
            "data_attr heeft de vorm sleutel__operator__waarde",
            field="data_attr",
            code="format",
        )
    return "__".join(parts[:-2]), parts[-2], parts[-1]


def _operator(op: str) -> Operator:
    if op == "exact":
        return "exact"
    if op == "icontains":
        return "icontains"
    if op == "in":
        return "in"
    if op in _KNOWN_OPERATORS:
        raise InvalidRequest(
            f"de operator {op} wordt hier niet ondersteund (wel: exact, icontains, in)",
            field="data_attr",
            code="operator",
        )
    raise InvalidRequest(
        "onbekende operator in data_attr (exact, icontains of in)",
        field="data_attr",
        code="operator",
    )


# --------------------------------------------------------------------------- records


def _uuid_of(soort: ObjectSoort, gemeente: str, key: str) -> str:
    if soort is not ObjectSoort.AFDELING:
        try:
            return str(uuid.UUID(key))
        except ValueError:
            pass
    return str(uuid.uuid5(_NAMESPACE, f"{gemeente}/{soort.value}/{key}"))


def _naamdelen(achternaam: str | None) -> tuple[str | None, str | None]:
    """AD keeps the tussenvoegsel in sn ("van der Berg"): split it off for the objecttype."""
    if not achternaam:
        return None, None
    words = achternaam.split()
    prefix: list[str] = []
    while len(words) > 1 and fold(words[0]).strip("'") in TUSSENVOEGSELS | {"'t"}:
        prefix.append(words.pop(0))
    return (" ".join(prefix) or None), " ".join(words)


def _actueel(opgeslagen: Opgeslagen | None) -> dict[str, Any] | None:
    if opgeslagen is None:
        return None
    b = opgeslagen.beschikbaarheid
    found: dict[str, Any] = {"status": b.status.value, "peilmoment": b.peilmoment.isoformat()}
    if b.tot is not None:
        found["tot"] = b.tot.isoformat()
    if b.volgend_vrij_moment is not None:
        found["volgendVrijMoment"] = b.volgend_vrij_moment.isoformat()
    return found


def medewerker_data(
    gemeente: str,
    m: Medewerker,
    groepen: Sequence[GroepNaam],
    opgeslagen: Opgeslagen | None,
    nu: datetime,
) -> dict[str, Any]:
    """A medewerker as the community Medewerker objecttype, with the hub's extension."""
    voorvoegsel, achternaam = _naamdelen(m.achternaam)
    data: dict[str, Any] = {"identificatie": m.account_naam or m.id}
    for key, value in (
        ("voornaam", m.voornaam),
        ("voorvoegselAchternaam", voorvoegsel),
        ("achternaam", achternaam),
        ("volledigeNaam", m.weergavenaam),
        ("functie", m.functie),
    ):
        if value:
            data[key] = value
    data["telefoonnummers"] = [
        {"telefoonnummer": nummer} for nummer in (m.telefoonnummer, m.mobiel) if nummer
    ]
    data["emails"] = [{"email": m.email, "naam": m.weergavenaam}] if m.email else []
    data["afdelingen"] = (
        [{"afdelingnaam": m.afdeling, "afdelingId": _afdeling_uuid(gemeente, m.afdeling)}]
        if m.afdeling and normalized(m.afdeling)
        else []
    )
    if groepen:
        data["groepen"] = [{"groepsnaam": g.naam, "groepsId": g.id} for g in groepen]
    else:
        # Without synced groups, the names the member's own record holds.
        data["groepen"] = [{"groepsnaam": naam} for naam in m.groepen]
    data["beschikbaarheid"] = weekrooster(opgeslagen, nu)
    if m.expertise:
        data["skills"] = ", ".join(m.expertise)
    actueel = _actueel(opgeslagen)
    if actueel is not None:
        data["actueleBeschikbaarheid"] = actueel
    return data


@lru_cache(maxsize=4096)
def _afdeling_uuid(gemeente: str, naam: str) -> str:
    return _uuid_of(ObjectSoort.AFDELING, gemeente, normalized(naam))


def afdeling_data(a: Afdeling) -> dict[str, Any]:
    return {"identificatie": a.identificatie, "naam": a.naam}


def groep_data(g: Groep) -> dict[str, Any]:
    data: dict[str, Any] = {"identificatie": g.identificatie or g.id, "naam": g.naam}
    if g.email:
        data["email"] = g.email
    return data


@dataclass(frozen=True)
class Adres:
    """Where the records live: the collection's URL, for ``url``, ``next`` and ``previous``."""

    objects_url: str

    def object(self, key: str) -> str:
        return f"{self.objects_url}/{key}"


def _record(
    settings: ObjectenSettings,
    soort: ObjectSoort,
    adres: Adres,
    key: str,
    data: dict[str, Any],
    sinds: date,
) -> dict[str, Any]:
    objecttype = settings.objecttypen[soort]
    return {
        "url": adres.object(key),
        "uuid": key,
        "type": objecttype.url,
        "record": {
            "index": 1,
            "typeVersion": objecttype.versie,
            "data": data,
            "startAt": sinds.isoformat(),
            "endAt": None,
            "registrationAt": sinds.isoformat(),
            "correctionFor": None,
        },
    }


def _vandaag(nu: datetime) -> date:
    return nu.astimezone(ZONE).date()


def lijst(
    session: Session,
    gemeente: str,
    settings: ObjectenSettings,
    vraag: Vraag,
    adres: Adres,
    *,
    nu: datetime | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of records and the total count."""
    nu = nu or datetime.now(UTC)
    if vraag.niets:
        return [], 0
    offset = (vraag.page - 1) * vraag.page_size
    if vraag.soort is ObjectSoort.MEDEWERKER:
        # Without an ordering: the directory's own key order, which an index serves, so a
        # walk over every page (KISS's Elastic sync) costs the same on the last page as on
        # the first.
        volgorde = vraag.volgorde or [Volgorde("id")]
        pagina = medewerkers_pagina(
            session, gemeente, vraag.filters, volgorde, vraag.page_size, offset
        )
        ids = [m.id for m, _ in pagina.items]
        groepen = directe_groepen(session, gemeente, ids)
        beschikbaar = latest(session, gemeente, [m.email for m, _ in pagina.items if m.email])
        records = [
            _record(
                settings,
                vraag.soort,
                adres,
                _uuid_of(vraag.soort, gemeente, m.id),
                medewerker_data(gemeente, m, groepen[m.id], _opgeslagen(beschikbaar, m), nu),
                _vandaag(synced),
            )
            for m, synced in pagina.items
        ]
        return records, pagina.totaal
    if vraag.soort is ObjectSoort.AFDELING:
        aflopend = bool(vraag.volgorde) and vraag.volgorde[0].aflopend
        afdelingen = afdelingen_pagina(
            session, gemeente, vraag.filters, aflopend, vraag.page_size, offset
        )
        records = [
            _record(
                settings,
                vraag.soort,
                adres,
                _afdeling_uuid(gemeente, a.naam),
                afdeling_data(a),
                _vandaag(nu),
            )
            for a in afdelingen.items
        ]
        return records, afdelingen.totaal
    volgorde = vraag.volgorde or [Volgorde("naam")]
    groepen_ = groepen_pagina(session, gemeente, vraag.filters, volgorde, vraag.page_size, offset)
    records = [
        _record(
            settings,
            vraag.soort,
            adres,
            _uuid_of(vraag.soort, gemeente, g.id),
            groep_data(g),
            _vandaag(nu),
        )
        for g in groepen_.items
    ]
    return records, groepen_.totaal


def _opgeslagen(beschikbaar: Mapping[str, Opgeslagen], m: Medewerker) -> Opgeslagen | None:
    return beschikbaar.get(m.email.strip().lower()) if m.email else None


def een(
    store: Store,
    plugins: PluginCaller,
    gemeente: str,
    settings: ObjectenSettings,
    key: str,
    adres: Adres,
    *,
    heeft_agenda: bool,
    nu: datetime | None = None,
) -> dict[str, Any]:
    """One record by uuid, of whichever configured objecttype holds it; NotFound otherwise.

    A medewerker's availability is refreshed on demand when it is stale (as for
    ``/medewerkers/{id}``); a list never waits on the calendar.
    """
    nu = nu or datetime.now(UTC)
    wanted = key.lower()
    soorten = settings.objecttypen
    medewerker: tuple[Medewerker, datetime, list[GroepNaam]] | None = None
    with store.session() as session:
        if ObjectSoort.MEDEWERKER in soorten:
            found = get(session, gemeente, wanted)
            if found is not None:
                m, synced = found
                medewerker = (m, synced, directe_groepen(session, gemeente, [m.id])[m.id])
        if medewerker is None and ObjectSoort.GROEP in soorten:
            g = groep(session, gemeente, wanted)
            if g is not None:
                return _record(
                    settings, ObjectSoort.GROEP, adres, wanted, groep_data(g), _vandaag(nu)
                )
        if medewerker is None and ObjectSoort.AFDELING in soorten:
            for a in afdelingen_per_naam(session, gemeente):
                if _afdeling_uuid(gemeente, a.naam) == wanted:
                    data = afdeling_data(a)
                    return _record(
                        settings, ObjectSoort.AFDELING, adres, wanted, data, _vandaag(nu)
                    )
    if medewerker is None:
        raise NotFound("geen object met deze uuid")
    m, synced, groepen = medewerker
    opgeslagen = None
    if m.email:
        email = m.email.strip().lower()
        if heeft_agenda:
            opgeslagen = voor_medewerkers(store, plugins, gemeente, [m.email]).per_email.get(email)
        else:
            with store.session() as session:
                opgeslagen = latest(session, gemeente, [m.email]).get(email)
    data = medewerker_data(gemeente, m, groepen, opgeslagen, nu)
    return _record(settings, ObjectSoort.MEDEWERKER, adres, wanted, data, _vandaag(synced))
