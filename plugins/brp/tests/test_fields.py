"""Which fields travel upstream, and what comes back."""

from __future__ import annotations

from plugins.brp.double.spec import field_paths
from plugins.brp.fields import (
    DEFAULT_FIELDS,
    PERSOON_BEPERKT_FIELDS,
    select_fields,
    upstream_fields,
)


def test_the_beperkt_list_matches_the_spec() -> None:
    assert field_paths("PersoonBeperkt") == PERSOON_BEPERKT_FIELDS


def test_default_fields_exist_in_the_spec() -> None:
    assert set(DEFAULT_FIELDS) <= field_paths("Persoon")


def test_auto_delivered_and_in_onderzoek_paths_are_never_asked() -> None:
    assert upstream_fields(
        "RaadpleegMetBurgerservicenummer",
        ["naam", "inOnderzoek", "naam.inOnderzoek", "rni", "verificatie", "naam"],
    ) == ["naam"]


def test_searches_ask_only_what_persoon_beperkt_has() -> None:
    asked = ["naam", "verblijfplaats", "gezag", "kinderen.naam"]
    assert upstream_fields("ZoekMetPostcodeEnHuisnummer", asked) == ["naam"]
    assert upstream_fields("ZoekMetAdresseerbaarObjectIdentificatie", asked) == ["naam", "gezag"]


def test_select_keeps_types_onderzoek_and_auto_delivered_fields() -> None:
    persoon = {
        "naam": {"voornamen": "A", "geslachtsnaam": "B", "inOnderzoek": {"geslachtsnaam": True}},
        "verblijfplaats": {
            "type": "Adres",
            "verblijfadres": {"postcode": "9999AA", "woonplaats": "X"},
        },
        "geheimhoudingPersoonsgegevens": True,
        "partners": [{"naam": {"voornamen": "C"}}, {"geboorte": {}}],
    }
    assert select_fields(
        persoon, ["naam.voornamen", "verblijfplaats.verblijfadres.woonplaats", "partners.naam"]
    ) == {
        "naam": {"voornamen": "A", "inOnderzoek": {"geslachtsnaam": True}},
        "verblijfplaats": {"type": "Adres", "verblijfadres": {"woonplaats": "X"}},
        "partners": [{"naam": {"voornamen": "C"}}],
        "geheimhoudingPersoonsgegevens": True,
    }
