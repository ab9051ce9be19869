"""Zaken: a person's or organisation's zaken across the gemeente's zaaksystemen, and one zaak,
each person-data read logged before the answer leaves (routes only translate HTTP)."""

from hub.zaken.bronnen import zoek_in_bronnen
from hub.zaken.ophalen import haal_zaak
from hub.zaken.vraag import ZakenAntwoord, ZakenZoekvraag
from hub.zaken.zoeken import OngeldigeVraag, bsn_van, zoek_zaken

__all__ = [
    "OngeldigeVraag",
    "ZakenAntwoord",
    "ZakenZoekvraag",
    "bsn_van",
    "haal_zaak",
    "zoek_in_bronnen",
    "zoek_zaken",
]
