"""Synthetic catalogue and zaken for the ZGW double. Deterministic: same inputs, same zaken."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

_NS = uuid.UUID("5f1f3c1e-2b7a-4c55-9a59-0d1e8c6f4b11")

# (omschrijving, statustypen in order, resultaattypen)
ZAAKTYPEN: list[tuple[str, list[str], list[str]]] = [
    (
        "Aanvraag parkeervergunning",
        ["Ontvangen", "In behandeling", "Afgehandeld"],
        ["Verleend", "Geweigerd"],
    ),
    (
        "Aanvraag omgevingsvergunning",
        ["Ontvangen", "Aanvullende gegevens gevraagd", "In behandeling", "Besluit genomen"],
        ["Verleend", "Geweigerd", "Buiten behandeling gesteld"],
    ),
    (
        "Bezwaar WOZ-beschikking",
        ["Ontvangen", "Hoorzitting gepland", "Afgehandeld"],
        ["Gegrond", "Ongegrond"],
    ),
    (
        "Aanvraag bijzondere bijstand",
        ["Ontvangen", "In behandeling", "Afgehandeld"],
        ["Toegekend", "Afgewezen"],
    ),
]


def uid(*parts: object) -> str:
    return str(uuid.uuid5(_NS, ":".join(str(p) for p in parts)))


@dataclass
class Catalogus:
    """Zaaktypen with their status- and resultaattypen, as Catalogi API objects."""

    base: str  # e.g. http://127.0.0.1:port/catalogi/api/v1
    zaaktypen: dict[str, dict[str, Any]] = field(default_factory=dict)
    statustypen: dict[str, dict[str, Any]] = field(default_factory=dict)
    resultaattypen: dict[str, dict[str, Any]] = field(default_factory=dict)

    def build(self) -> Catalogus:
        catalogus_url = f"{self.base}/catalogussen/{uid('catalogus')}"
        for index, (omschrijving, statussen, resultaten) in enumerate(ZAAKTYPEN):
            zt_uuid = uid("zaaktype", index)
            zt_url = f"{self.base}/zaaktypen/{zt_uuid}"
            identificatie = f"ZT-{index + 1:03d}"
            st_urls = []
            for volgnummer, st_omschrijving in enumerate(statussen, start=1):
                st_uuid = uid("statustype", index, volgnummer)
                st_url = f"{self.base}/statustypen/{st_uuid}"
                st_urls.append(st_url)
                self.statustypen[st_uuid] = {
                    "url": st_url,
                    "omschrijving": st_omschrijving,
                    "omschrijvingGeneriek": st_omschrijving,
                    "statustekst": f"Uw zaak heeft de status: {st_omschrijving.lower()}",
                    "zaaktype": zt_url,
                    "zaaktypeIdentificatie": identificatie,
                    "volgnummer": volgnummer,
                    "isEindstatus": volgnummer == len(statussen),
                    "informeren": False,
                    "catalogus": catalogus_url,
                    "eigenschappen": [],
                    "zaakobjecttypen": [],
                    "beginObject": "2020-01-01",
                    "eindeObject": "2099-12-31",
                }
            rt_urls = []
            for volgnummer, rt_omschrijving in enumerate(resultaten, start=1):
                rt_uuid = uid("resultaattype", index, volgnummer)
                rt_url = f"{self.base}/resultaattypen/{rt_uuid}"
                rt_urls.append(rt_url)
                self.resultaattypen[rt_uuid] = {
                    "url": rt_url,
                    "zaaktype": zt_url,
                    "zaaktypeIdentificatie": identificatie,
                    "omschrijving": rt_omschrijving,
                    "resultaattypeomschrijving": "https://selectielijst.openzaak.nl/api/v1/resultaattypeomschrijvingen/1",
                    "omschrijvingGeneriek": rt_omschrijving,
                    "selectielijstklasse": "https://selectielijst.openzaak.nl/api/v1/resultaten/1",
                    "catalogus": catalogus_url,
                    "besluittypen": [],
                    "besluittypeOmschrijving": [],
                    "informatieobjecttypen": [],
                    "informatieobjecttypeOmschrijving": [],
                    "beginObject": "2020-01-01",
                    "eindeObject": "2099-12-31",
                }
            self.zaaktypen[zt_uuid] = {
                "url": zt_url,
                "identificatie": identificatie,
                "omschrijving": omschrijving,
                "omschrijvingGeneriek": omschrijving,
                "vertrouwelijkheidaanduiding": "openbaar",
                "doel": omschrijving,
                "aanleiding": "Verzoek van een inwoner of ondernemer",
                "indicatieInternOfExtern": "extern",
                "handelingInitiator": "aanvragen",
                "onderwerp": omschrijving,
                "handelingBehandelaar": "behandelen",
                "doorlooptijd": "P8W",
                "opschortingEnAanhoudingMogelijk": False,
                "verlengingMogelijk": False,
                "publicatieIndicatie": False,
                "productenOfDiensten": [],
                "referentieproces": {"naam": omschrijving[:80]},
                "concept": False,
                "verantwoordelijke": "Gemeente Demodam",
                "beginGeldigheid": "2020-01-01",
                "versiedatum": "2020-01-01",
                "beginObject": "2020-01-01",
                "eindeObject": "2099-12-31",
                "catalogus": catalogus_url,
                "statustypen": st_urls,
                "resultaattypen": rt_urls,
                "eigenschappen": [],
                "informatieobjecttypen": [],
                "roltypen": [],
                "besluittypen": [],
                "deelzaaktypen": [],
                "gerelateerdeZaaktypen": [],
                "zaakobjecttypen": [],
            }
        return self


@dataclass
class Zaakregistratie:
    """Zaken, statussen and resultaten of one zaaksysteem, keyed by uuid."""

    base: str  # e.g. http://127.0.0.1:port/zaken/api/v1
    catalogus: Catalogus
    prefix: str
    zaken: dict[str, dict[str, Any]] = field(default_factory=dict)
    statussen: dict[str, dict[str, Any]] = field(default_factory=dict)
    resultaten: dict[str, dict[str, Any]] = field(default_factory=dict)
    rollen: dict[str, dict[str, Any]] = field(default_factory=dict)
    # uuid of the zaak -> ("bsn"|"kvk"|"vestiging", number)
    betrokkenen: dict[str, tuple[str, str]] = field(default_factory=dict)
    _teller: int = 0

    def add_zaken(self, soort: str, nummer: str, aantal: int) -> list[str]:
        """Create ``aantal`` zaken with this betrokkene (``bsn``, ``kvk`` or ``vestiging``)."""
        zaaktype_ids = list(self.catalogus.zaaktypen)
        created = []
        for _ in range(aantal):
            self._teller += 1
            n = self._teller
            zaaktype = self.catalogus.zaaktypen[zaaktype_ids[n % len(zaaktype_ids)]]
            identificatie = f"{self.prefix}-2026-{n:07d}"
            zaak_uuid = uid(self.prefix, "zaak", identificatie)
            zaak_url = f"{self.base}/zaken/{zaak_uuid}"
            start = date(2026, 1, 5) + timedelta(days=(n * 7) % 300)
            statustypen = zaaktype["statustypen"]
            # Spread zaken over all stages so tests see open and closed ones.
            stage = n % len(statustypen)
            afgesloten = stage == len(statustypen) - 1
            status_uuid = uid(self.prefix, "status", identificatie)
            self.statussen[status_uuid] = {
                "url": f"{self.base}/statussen/{status_uuid}",
                "uuid": status_uuid,
                "zaak": zaak_url,
                "statustype": statustypen[stage],
                "datumStatusGezet": f"{(start + timedelta(days=3 * stage)).isoformat()}T09:00:00Z",
                "statustoelichting": "",
                "indicatieLaatstGezetteStatus": True,
                "zaakinformatieobjecten": [],
            }
            resultaat_url = None
            einddatum = None
            if afgesloten:
                resultaat_uuid = uid(self.prefix, "resultaat", identificatie)
                resultaat_url = f"{self.base}/resultaten/{resultaat_uuid}"
                self.resultaten[resultaat_uuid] = {
                    "url": resultaat_url,
                    "uuid": resultaat_uuid,
                    "zaak": zaak_url,
                    "resultaattype": zaaktype["resultaattypen"][
                        n % len(zaaktype["resultaattypen"])
                    ],
                    "toelichting": "",
                }
                einddatum = (start + timedelta(days=3 * stage)).isoformat()
            # zaakgeometrie, verlenging, opschorting and processobject are left out: the spec
            # marks them nullable next to an allOf, which OpenAPI 3.0 validators reject as null.
            self.zaken[zaak_uuid] = {
                "url": zaak_url,
                "uuid": zaak_uuid,
                "identificatie": identificatie,
                "bronorganisatie": "002220647",
                "omschrijving": zaaktype["omschrijving"],
                "toelichting": "",
                "zaaktype": zaaktype["url"],
                "registratiedatum": start.isoformat(),
                "verantwoordelijkeOrganisatie": "002220647",
                "startdatum": start.isoformat(),
                "einddatum": einddatum,
                "einddatumGepland": (start + timedelta(weeks=8)).isoformat(),
                "uiterlijkeEinddatumAfdoening": (start + timedelta(weeks=12)).isoformat(),
                "publicatiedatum": None,
                "productenOfDiensten": [],
                "vertrouwelijkheidaanduiding": "openbaar",
                "betalingsindicatie": "",
                "betalingsindicatieWeergave": "",
                "laatsteBetaaldatum": None,
                "hoofdzaak": None,
                "deelzaken": [],
                "relevanteAndereZaken": [],
                "eigenschappen": [],
                "rollen": [],
                "status": self.statussen[status_uuid]["url"],
                "zaakinformatieobjecten": [],
                "zaakobjecten": [],
                "kenmerken": [],
                "archiefnominatie": None,
                "archiefstatus": "nog_te_archiveren",
                "archiefactiedatum": None,
                "resultaat": resultaat_url,
                "opdrachtgevendeOrganisatie": "",
                "processobjectaard": None,
                "startdatumBewaartermijn": None,
            }
            self.betrokkenen[zaak_uuid] = (soort, nummer)
            rol_uuid = uid(self.prefix, "rol", identificatie)
            self.rollen[rol_uuid] = _rol(self.base, rol_uuid, zaak_url, soort, nummer, start)
            self.zaken[zaak_uuid]["rollen"] = [self.rollen[rol_uuid]["url"]]
            created.append(identificatie)
        return created


_ROL_SOORT = {
    "bsn": ("natuurlijk_persoon", "inpBsn"),
    "kvk": ("niet_natuurlijk_persoon", "innNnpId"),
    "vestiging": ("vestiging", "vestigingsNummer"),
}


def _rol(base: str, rol_uuid: str, zaak_url: str, soort: str, nummer: str, start: date) -> Any:
    """The initiator's rol of a zaak, as ``GET /rollen`` of Zaken API 1.5 returns it."""
    betrokkene_type, veld = _ROL_SOORT[soort]
    return {
        "url": f"{base}/rollen/{rol_uuid}",
        "uuid": rol_uuid,
        "zaak": zaak_url,
        "betrokkene": "",
        "betrokkeneType": betrokkene_type,
        "afwijkendeNaamBetrokkene": "",
        "roltype": f"{base.replace('/zaken/api/v1', '/catalogi/api/v1')}/roltypen/{uid('roltype')}",
        "omschrijving": "Aanvrager",
        "omschrijvingGeneriek": "initiator",
        "roltoelichting": "Aanvrager van de zaak",
        "registratiedatum": f"{start.isoformat()}T09:00:00Z",
        "indicatieMachtiging": "",
        "contactpersoonRol": None,
        "statussen": [],
        "betrokkeneIdentificatie": {veld: nummer},
    }
