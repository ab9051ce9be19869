"""Loading and validating the masking policy; partial forms; the upstream ``fields`` per role."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.privacy.masking import (
    build_policy,
    load_policy,
    mask_persoon,
    partial_form,
    upstream_fields,
)
from hub.settings_errors import ConfigError
from tests.privacy.conftest import POLICY
from tests.privacy.persons import BSN_PARTNER, volledig


def _policy(velden: dict[str, str], **extra: object) -> dict[str, object]:
    return {"versie": 1, "rollen": {"kcc-medewerker": {"toegang": True, "velden": velden, **extra}}}


def _problems(raw: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        build_policy(raw, "masking.toml")
    return [str(p) for p in err.value.problems]


def test_an_unknown_role_is_reported_with_file_and_key() -> None:
    raw = {"rollen": {"baliemedewerker": {"velden": {"naam": "tonen"}}}}
    assert _problems(raw) == [
        "masking.toml: rollen.baliemedewerker: unknown role 'baliemedewerker' "
        "(known roles: kcc-medewerker, backoffice, privacy-officer, beheerder, teamleider)"
    ]


def test_an_unknown_field_is_reported_with_file_and_key() -> None:
    problems = _problems(_policy({"naam": "tonen", "geboortedatum": "tonen"}))
    assert problems == [
        'masking.toml: rollen.kcc-medewerker.velden."geboortedatum": '
        "unknown field (not in the Haal Centraal Persoon field catalogue)"
    ]


def test_an_unknown_action_is_reported_with_file_and_key() -> None:
    problems = _problems(_policy({"naam": "laten_zien"}))
    assert problems == [
        "masking.toml: rollen.kcc-medewerker.velden.\"naam\": unknown action 'laten_zien' "
        "(expected tonen, gedeeltelijk or verbergen)"
    ]


def test_gedeeltelijk_without_a_defined_partial_form_is_refused() -> None:
    problems = _problems(_policy({"nationaliteiten": "gedeeltelijk"}))
    assert len(problems) == 1
    assert 'rollen.kcc-medewerker.velden."nationaliteiten"' in problems[0]
    assert "gedeeltelijk is not defined" in problems[0]


def test_every_problem_is_reported_at_once() -> None:
    raw = {
        "rollen": {
            "kcc-medewerker": {"velden": {"x": "tonen", "naam": "soms"}, "kleur": "rood"},
            "admin": {},
        }
    }
    assert len(_problems(raw)) == 4


def test_a_role_without_access_may_not_list_fields() -> None:
    problems = _problems({"rollen": {"beheerder": {"toegang": False, "velden": {"naam": "tonen"}}}})
    assert "toegang = false but fields are listed" in problems[0]


def test_the_default_policy_file_is_valid() -> None:
    beleid = load_policy(POLICY)
    assert beleid.voor_rol("kcc-medewerker") is not None


def test_a_gemeente_override_changes_only_the_fields_it_names() -> None:
    override = {"rollen": {"kcc-medewerker": {"velden": {"geboorte.plaats": "tonen"}}}}
    beleid = load_policy(POLICY, override, override_bron="0363.toml")
    regels = beleid.rollen["kcc-medewerker"].regels
    assert regels.effective("geboorte.plaats").value == "tonen"
    assert regels.effective("partners").value == "verbergen"
    assert "0363.toml" in beleid.bron


def test_an_invalid_gemeente_override_names_the_gemeente_file(tmp_path: Path) -> None:
    override = {"rollen": {"kcc-medewerker": {"velden": {"geboorteplaats": "tonen"}}}}
    with pytest.raises(ConfigError) as err:
        load_policy(POLICY, override, override_bron="config/gemeenten/0363.toml")
    assert "config/gemeenten/0363.toml" in str(err.value)


def test_a_broken_policy_file_is_a_readable_error(tmp_path: Path) -> None:
    path = tmp_path / "masking.toml"
    path.write_text("[rollen\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_policy(path)
    assert str(path) in str(err.value) and "not valid TOML" in str(err.value)


def test_a_field_the_policy_does_not_name_is_hidden() -> None:
    beleid = build_policy(_policy({"naam.geslachtsnaam": "tonen"}), "p.toml")
    masked = mask_persoon(volledig(), beleid.rollen["kcc-medewerker"]).persoon
    assert masked == {
        "naam": {"geslachtsnaam": "Dijk", "inOnderzoek": volledig()["naam"]["inOnderzoek"]}
    }


def test_the_most_specific_path_wins() -> None:
    beleid = build_policy(
        _policy({"verblijfplaats": "tonen", "verblijfplaats.verblijfadres": "gedeeltelijk"}), "p"
    )
    masked = mask_persoon(volledig(), beleid.rollen["kcc-medewerker"]).persoon
    assert masked["verblijfplaats"]["verblijfadres"] == {
        "woonplaats": "Voorbeeldstad",
        "land": {"code": "5002", "omschrijving": "Frankrijk"},
    }
    assert masked["verblijfplaats"]["functieAdres"]["code"] == "W"


@pytest.mark.parametrize(
    ("path", "value", "partial"),
    [
        ("burgerservicenummer", "999993653", "*****3653"),
        ("partners.burgerservicenummer", "999990019", "*****0019"),
        (
            "geboorte.datum",
            {"type": "Datum", "datum": "1975-06-12", "langFormaat": "12 juni 1975"},
            {"type": "JaarDatum", "jaar": 1975, "langFormaat": "1975"},
        ),
        (
            "overlijden.datum",
            {"type": "JaarMaandDatum", "jaar": 2001, "maand": 3, "langFormaat": "maart 2001"},
            {"type": "JaarDatum", "jaar": 2001, "langFormaat": "2001"},
        ),
        (
            "geboorte",
            {
                "datum": {"type": "JaarDatum", "jaar": 1950, "langFormaat": "1950"},
                "plaats": {"code": "1"},
            },
            {"datum": {"type": "JaarDatum", "jaar": 1950, "langFormaat": "1950"}},
        ),
        (
            "naam",
            {"voornamen": "Anna Maria", "voorvoegsel": "van", "geslachtsnaam": "Dijk"},
            {"voorletters": "A.M.", "voorvoegsel": "van", "geslachtsnaam": "Dijk"},
        ),
        (
            "verblijfplaats",
            {
                "type": "Adres",
                "verblijfadres": {
                    "officieleStraatnaam": "Lindelaan",
                    "huisnummer": 1,
                    "postcode": "1234AB",
                    "woonplaats": "Voorbeeldstad",
                },
            },
            {"type": "Adres", "verblijfadres": {"woonplaats": "Voorbeeldstad"}},
        ),
        (
            "adressering",
            {"adresregel1": "Lindelaan 1", "adresregel2": "1234 AB  VOORBEELDSTAD"},
            {"adresregel2": "VOORBEELDSTAD"},
        ),
    ],
)
def test_partial_forms(path: str, value: object, partial: object) -> None:
    form = partial_form(path)
    assert form is not None
    assert form.apply(value) == partial


def test_kcc_medewerker_asks_the_brp_only_for_what_it_sees() -> None:
    beleid = load_policy(POLICY).rollen["kcc-medewerker"]
    assert upstream_fields(beleid, "RaadpleegMetBurgerservicenummer") == [
        "adressering",
        "burgerservicenummer",
        "geboorte.datum",
        "naam",
        "verblijfplaats",
    ]


def test_search_queries_ask_only_fields_a_persoon_beperkt_has() -> None:
    beleid = load_policy(POLICY).rollen["kcc-medewerker"]
    assert upstream_fields(beleid, "ZoekMetPostcodeEnHuisnummer") == [
        "adressering",
        "burgerservicenummer",
        "geboorte.datum",
        "naam",
    ]


def test_backoffice_asks_for_the_full_person_without_automatic_fields() -> None:
    fields = upstream_fields(
        load_policy(POLICY).rollen["backoffice"], "RaadpleegMetBurgerservicenummer"
    )
    assert "partners" in fields and "nationaliteiten" in fields
    for automatic in (
        "inOnderzoek",
        "geheimhoudingPersoonsgegevens",
        "rni",
        "verificatie",
        "opschortingBijhouding",
    ):
        assert automatic not in fields
    assert len(fields) <= 130


def test_partial_fields_ask_for_what_the_partial_form_is_made_of() -> None:
    beleid = build_policy(
        _policy({"naam": "gedeeltelijk", "partners.burgerservicenummer": "gedeeltelijk"}), "p"
    )
    assert upstream_fields(beleid.rollen["kcc-medewerker"], "RaadpleegMetBurgerservicenummer") == [
        "naam.geslachtsnaam",
        "naam.voorletters",
        "naam.voorvoegsel",
        "partners.burgerservicenummer",
    ]


def test_relatives_whose_data_is_shown_are_betrokkenen() -> None:
    beleid = build_policy(_policy({"naam": "tonen", "partners.naam": "gedeeltelijk"}), "p")
    result = mask_persoon(volledig(), beleid.rollen["kcc-medewerker"])
    assert result.betrokkenen == ["999993653", BSN_PARTNER]
    assert result.persoon["partners"] == [
        {"naam": {"voorletters": "P.", "geslachtsnaam": "Jansen"}}
    ]
