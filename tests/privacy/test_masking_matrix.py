"""Role × field: what every role sees of every field the default policy names.

The expectations are written out here, independently of config/privacy/masking.toml;
a change to the default policy must change this table too (and is reviewed as such).
"""

from __future__ import annotations

from typing import Any

import pytest

from hub.caller import ROLES
from hub.privacy.masking import MaskeringsBeleid, load_policy, mask_persoon
from tests.privacy.conftest import POLICY
from tests.privacy.persons import BSN, geheim, volledig

T, G, V = "tonen", "gedeeltelijk", "verbergen"

EXPECTED: dict[str, dict[str, str]] = {
    "kcc-medewerker": {
        "burgerservicenummer": G,
        "naam": T,
        "geboorte.datum": T,
        "geboorte.land": V,
        "geboorte.plaats": V,
        "verblijfplaats": T,
        "adressering": T,
        "geheimhoudingPersoonsgegevens": T,
        "inOnderzoek": T,
        "opschortingBijhouding": T,
        "aNummer": V,
        "datumEersteInschrijvingGBA": V,
        "datumInschrijvingInGemeente": V,
        "europeesKiesrecht": V,
        "gemeenteVanInschrijving": V,
        "geslacht": V,
        "gezag": V,
        "immigratie": V,
        "indicatieCurateleRegister": V,
        "indicatieGezagMinderjarige": V,
        "kinderen": V,
        "leeftijd": V,
        "nationaliteiten": V,
        "ouders": V,
        "overlijden": V,
        "partners": V,
        "rni": V,
        "uitsluitingKiesrecht": V,
        "verblijfstitel": V,
        "verificatie": V,
    },
    "backoffice": {
        field: T
        for field in (
            "aNummer",
            "adressering",
            "burgerservicenummer",
            "datumEersteInschrijvingGBA",
            "datumInschrijvingInGemeente",
            "europeesKiesrecht",
            "geboorte",
            "geheimhoudingPersoonsgegevens",
            "gemeenteVanInschrijving",
            "geslacht",
            "gezag",
            "immigratie",
            "inOnderzoek",
            "indicatieCurateleRegister",
            "indicatieGezagMinderjarige",
            "kinderen",
            "leeftijd",
            "naam",
            "nationaliteiten",
            "opschortingBijhouding",
            "ouders",
            "overlijden",
            "partners",
            "rni",
            "uitsluitingKiesrecht",
            "verblijfplaats",
            "verblijfstitel",
            "verificatie",
        )
    },
}

# The defined partial forms of the fields the default policy makes partial.
PARTIAL: dict[str, Any] = {"burgerservicenummer": "*****3653"}

NO_ACCESS = ("privacy-officer", "beheerder", "teamleider")
ALL_FIELDS = sorted(EXPECTED["backoffice"])


@pytest.fixture(scope="module")
def beleid() -> MaskeringsBeleid:
    return load_policy(POLICY)


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return KeyError
        obj = obj[part]
    return obj


def test_the_table_covers_every_field_the_default_policy_names_for_every_role(
    beleid: MaskeringsBeleid,
) -> None:
    assert set(beleid.rollen) == set(ROLES)
    for rol, verwacht in EXPECTED.items():
        assert set(beleid.rollen[rol].regels.velden) == set(verwacht), rol
    for rol in NO_ACCESS:
        assert beleid.voor_rol(rol) is None


@pytest.mark.parametrize(
    ("rol", "path", "actie"),
    [(rol, path, actie) for rol, table in EXPECTED.items() for path, actie in table.items()],
)
def test_role_sees_field_as_the_policy_says(
    beleid: MaskeringsBeleid, rol: str, path: str, actie: str
) -> None:
    raw = volledig()
    rol_beleid = beleid.voor_rol(rol)
    assert rol_beleid is not None
    masked = mask_persoon(raw, rol_beleid).persoon
    if actie == T:
        assert _get(masked, path) == _get(raw, path)
    elif actie == G:
        assert _get(masked, path) == PARTIAL[path]
    else:
        assert _get(masked, path) is KeyError


@pytest.mark.parametrize(("rol", "path"), [(r, p) for r in NO_ACCESS for p in ALL_FIELDS])
def test_roles_without_person_access_see_no_field(
    beleid: MaskeringsBeleid, rol: str, path: str
) -> None:
    # No policy for the role means the pipeline refuses with 403 before any upstream call
    # (tested end to end in test_pipeline); here: there is nothing they could be shown.
    assert beleid.voor_rol(rol) is None
    assert beleid.rollen[rol].regels.effective(path) is None


def test_kcc_medewerker_sees_only_the_name_of_a_person_with_geheimhouding(
    beleid: MaskeringsBeleid,
) -> None:
    raw = geheim()
    result = mask_persoon(raw, beleid.rollen["kcc-medewerker"])
    assert result.persoon == {"naam": raw["naam"], "geheimhoudingPersoonsgegevens": True}
    assert result.geheim


def test_backoffice_sees_the_full_person_with_geheimhouding(beleid: MaskeringsBeleid) -> None:
    raw = geheim()
    assert mask_persoon(raw, beleid.rollen["backoffice"]).persoon == raw


def test_backoffice_sees_every_field_of_a_complete_person(beleid: MaskeringsBeleid) -> None:
    raw = volledig()
    assert mask_persoon(raw, beleid.rollen["backoffice"]).persoon == raw


def test_kcc_medewerker_view_of_a_complete_person(beleid: MaskeringsBeleid) -> None:
    raw = volledig(BSN)
    masked = mask_persoon(raw, beleid.rollen["kcc-medewerker"]).persoon
    assert sorted(masked) == [
        "adressering",
        "burgerservicenummer",
        "geboorte",
        "geheimhoudingPersoonsgegevens",
        "inOnderzoek",
        "naam",
        "opschortingBijhouding",
        "verblijfplaats",
    ]
    assert masked["geboorte"] == {"datum": raw["geboorte"]["datum"]}
