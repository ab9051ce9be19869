"""Role × doel × field: purpose limitation, checked over every field path of the catalogue.

The expectations are written out here, independently of config/privacy/masking.toml. For
each role and doel, every path of the Haal Centraal ``Persoon`` catalogue must get the
action this table gives (the most specific entry wins, an uncovered path is hidden), and a
complete person masked for that role and doel must show exactly those paths.
"""

from __future__ import annotations

from typing import Any

import pytest

from hub.privacy import fields as catalogue
from hub.privacy.masking import MaskeringsBeleid, load_policy, mask_persoon
from hub.privacy.settings import load_gemeente_privacy
from hub.settings_errors import ConfigError
from tests.privacy.conftest import DOELEN, POLICY
from tests.privacy.persons import volledig

T, G, V = "tonen", "gedeeltelijk", "verbergen"

# What identifying a caller needs: the KCC's view, for whoever asks with that doel.
IDENTIFICATIE = {
    "burgerservicenummer": G,
    "naam": T,
    "geboorte.datum": T,
    "verblijfplaats": T,
    "adressering": T,
    "geheimhoudingPersoonsgegevens": T,
    "inOnderzoek": T,
    "opschortingBijhouding": T,
}
VOLLEDIG = {top: T for top in catalogue.PERSOON}
NIETS: dict[str, str] = {}

DOEL_CODES = ("kcc-identificatie", "zaakbehandeling", "audit")
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("kcc-medewerker", "kcc-identificatie"): IDENTIFICATIE,
    ("kcc-medewerker", "zaakbehandeling"): IDENTIFICATIE,
    ("kcc-medewerker", "audit"): IDENTIFICATIE,
    ("backoffice", "kcc-identificatie"): IDENTIFICATIE,
    ("backoffice", "zaakbehandeling"): VOLLEDIG,
    ("backoffice", "audit"): VOLLEDIG,
    ("privacy-officer", "kcc-identificatie"): NIETS,
    ("privacy-officer", "zaakbehandeling"): NIETS,
    ("privacy-officer", "audit"): NIETS,
    ("beheerder", "kcc-identificatie"): NIETS,
    ("beheerder", "zaakbehandeling"): NIETS,
    ("beheerder", "audit"): NIETS,
}


def all_paths(tree: catalogue.Tree = catalogue.PERSOON, prefix: str = "") -> list[str]:
    paths = []
    for key, sub in tree.items():
        path = f"{prefix}{key}"
        paths.append(path)
        if sub is not None:
            paths.extend(all_paths(sub, f"{path}."))
    return paths


PATHS = all_paths()


def expected_action(table: dict[str, str], path: str) -> str:
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        found = table.get(".".join(parts[:i]))
        if found is not None:
            return found
    return V


@pytest.fixture(scope="module")
def beleid() -> MaskeringsBeleid:
    return load_policy(POLICY)


def test_the_catalogue_is_walked_whole() -> None:
    assert len(PATHS) > 150 and "partners.naam.voornamen" in PATHS


@pytest.mark.parametrize(("rol", "doel"), list(EXPECTED))
def test_every_field_path_gets_the_action_of_the_role_and_doel(
    beleid: MaskeringsBeleid, rol: str, doel: str
) -> None:
    rol_beleid = beleid.voor(rol, doel)
    table = EXPECTED[(rol, doel)]
    if not table:
        assert rol_beleid is None
        return
    assert rol_beleid is not None
    wrong = {
        path: (str(rol_beleid.regels.effective(path) or V), expected_action(table, path))
        for path in PATHS
        if str(rol_beleid.regels.effective(path) or V) != expected_action(table, path)
    }
    assert wrong == {}


def _leaves(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        out: set[str] = set()
        for key, child in value.items():
            out |= _leaves(child, f"{prefix}{key}.")
        return out
    if isinstance(value, list):
        out = set()
        for item in value:
            out |= _leaves(item, prefix)
        return out
    return {prefix.rstrip(".")}


@pytest.mark.parametrize(("rol", "doel"), [k for k, v in EXPECTED.items() if v])
def test_a_complete_person_shows_exactly_the_paths_of_the_role_and_doel(
    beleid: MaskeringsBeleid, rol: str, doel: str
) -> None:
    raw = volledig()
    rol_beleid = beleid.voor(rol, doel)
    assert rol_beleid is not None
    masked = mask_persoon(raw, rol_beleid).persoon
    table = EXPECTED[(rol, doel)]
    shown = _leaves(masked)
    for path in _leaves(raw):
        action = expected_action(table, path)
        if action == T:
            assert path in shown, path
        elif action == V:
            assert path not in shown, path
    # A partial form shows less than the whole, never more paths than the raw person has.
    assert shown <= _leaves(raw) | {"burgerservicenummer"}


def test_config_check_refuses_a_doel_table_for_a_role_doelbinding_never_allows(
    keys_env: None,
) -> None:
    override = {
        "rollen": {"kcc-medewerker": {"doelen": {"zaakbehandeling": {"velden": {"naam": T}}}}}
    }
    with pytest.raises(ConfigError) as err:
        load_gemeente_privacy(
            "9999", DOELEN, {"masking": override}, bron="9999.toml", policy_path=POLICY
        )
    [problem] = err.value.problems
    assert problem.key == "masking.rollen.kcc-medewerker.doelen.zaakbehandeling"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        (
            {"velden": {"geboorteplaats": T}},
            'rollen.backoffice.doelen.kcc-identificatie.velden."geboorteplaats"',
        ),
        ({"bij_geheimhouding": {"naam": T}}, "rollen.backoffice.doelen.nieuw-doel"),
        ({"velden": {"naam": T}, "extra": 1}, "rollen.backoffice.doelen.kcc-identificatie.extra"),
    ],
)
def test_config_check_validates_doel_tables(keys_env: None, table: Any, key: str) -> None:
    doel = "nieuw-doel" if key.endswith("nieuw-doel") else "kcc-identificatie"
    override = {"rollen": {"backoffice": {"doelen": {doel: table}}}}
    with pytest.raises(ConfigError) as err:
        load_gemeente_privacy(
            "9999", DOELEN, {"masking": override}, bron="9999.toml", policy_path=POLICY
        )
    assert key in [p.key for p in err.value.problems]


def test_a_gemeente_override_changes_one_field_of_a_doel_table(keys_env: None) -> None:
    override = {
        "rollen": {"backoffice": {"doelen": {"kcc-identificatie": {"velden": {"geslacht": T}}}}}
    }
    privacy = load_gemeente_privacy(
        "9999", DOELEN, {"masking": override}, bron="9999.toml", policy_path=POLICY
    )
    rol_beleid = privacy.beleid.voor("backoffice", "kcc-identificatie")
    assert rol_beleid is not None
    assert rol_beleid.regels.effective("geslacht") == T
    assert rol_beleid.regels.effective("naam") == T
    assert rol_beleid.regels.effective("partners") is None
