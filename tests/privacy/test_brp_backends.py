"""Role × field through the real BRP plugin on both backends (Haal Centraal and StUF-BG doubles).

The pipeline derives ``fields`` from the policy, the plugin asks its double (which
validates every request against the official spec), and the answer is masked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.bsn import mask_bsn
from hub.caller import Caller
from hub.domain.personen import AUTOMATIC_FIELDS
from hub.errors import InvalidRequest
from hub.pluginmanager import PluginHost, load_plugins
from hub.privacy.logboek import tables as logboek_tables
from hub.privacy.pipeline import lookup_personen
from hub.tenants import Gemeente, load_tenants
from tests.privacy.conftest import DOELEN, POLICY, Db, caller
from tests.privacy.test_masking_matrix import EXPECTED

haalcentraal = pytest.importorskip("plugins.brp.double.haalcentraal")
persons = pytest.importorskip("plugins.brp.double.persons")

DEMO = "999993653"
GEZIN = "999994529"  # a person with a partner and children in the double
GEHEIM = "999995169"
TRACE = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture(params=["haalcentraal", "stufbg"])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(backend, its [plugins.brp] TOML) with the double running."""
    if request.param == "haalcentraal":
        with haalcentraal.run_haalcentraal_double() as double:
            yield (
                "haalcentraal",
                f'backend = "haalcentraal"\n[plugins.brp.haalcentraal]\nbase_url = "{double.base_url}"\n',
            )
            assert double.spec_violations == []
        return
    stufbg = pytest.importorskip("plugins.brp.double.stufbg")
    with stufbg.run_stufbg_double() as double:
        yield (
            "stufbg",
            f'backend = "stufbg"\n[plugins.brp.stufbg]\nendpoint = "{double.endpoint}"\n',
        )
        assert double.spec_violations == []


@pytest.fixture
def gemeente(
    tmp_path: Path, backend: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Gemeente, PluginHost]:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "brp")
    directory = tmp_path / "config"
    (directory / "gemeenten").mkdir(parents=True)
    (directory / "privacy").mkdir()
    (directory / "privacy" / "masking.toml").write_bytes(POLICY.read_bytes())
    doelen = "".join(
        f'[[doelen]]\ncode = "{d["code"]}"\nomschrijving = "{d["omschrijving"]}"\n'
        f'verwerkingsactiviteit = "{d["verwerkingsactiviteit"]}"\n'
        f"rollen = [{', '.join(repr(r).replace(chr(39), chr(34)) for r in d['rollen'])}]\n"
        for d in DOELEN
    )
    (directory / "gemeenten" / "9999.toml").write_text(
        f'naam = "Voorbeeldstad"\n{doelen}\n[plugins.brp]\n{backend[1]}', encoding="utf-8"
    )
    loaded = load_plugins()
    tenants = load_tenants(directory, loaded.settings_models())
    host = PluginHost(loaded, tenants.gemeenten, retry_attempts=1)
    return tenants.gemeenten["9999"], host


def _ask(db: Db, tenant: tuple[Gemeente, PluginHost], who: Caller, bsn: str) -> dict[str, Any]:
    gemeente, host = tenant
    body = {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": [bsn],
        # Purpose limitation: the backoffice sees the full person when handling a zaak.
        "doel": "zaakbehandeling" if who.primary_role == "backoffice" else "kcc-identificatie",
    }
    return lookup_personen(db.store, host, gemeente, who, TRACE, body)


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return KeyError
        obj = obj[part]
    return obj


@pytest.mark.parametrize("bsn", [DEMO, GEZIN])
def test_kcc_medewerker_sees_per_field_what_the_policy_says(
    sqlite_db: Db, gemeente: tuple[Gemeente, PluginHost], keys_env: None, bsn: str
) -> None:
    masked = _ask(sqlite_db, gemeente, caller("kcc-medewerker"), bsn)["personen"][0]
    full = _ask(sqlite_db, gemeente, caller("backoffice"), bsn)["personen"][0]
    for path, actie in EXPECTED["kcc-medewerker"].items():
        if actie == "verbergen":
            assert _get(masked, path) is KeyError, path
        elif actie == "gedeeltelijk":
            assert _get(masked, path) == mask_bsn(bsn), path
        else:
            assert _get(masked, path) == _get(full, path), path
    assert masked["naam"]["geslachtsnaam"] and masked["geboorte"]["datum"]


def test_backoffice_sees_the_family_the_kcc_medewerker_does_not(
    sqlite_db: Db, gemeente: tuple[Gemeente, PluginHost], keys_env: None
) -> None:
    full = _ask(sqlite_db, gemeente, caller("backoffice"), GEZIN)["personen"][0]
    assert full["burgerservicenummer"] == GEZIN
    assert full.get("partners") and full.get("kinderen")
    with sqlite_db.store.session() as s:
        record = s.query(logboek_tables.LogboekRecord).one()
        betrokkenen = s.query(logboek_tables.LogboekBetrokkene).count()
    assert record.rol == "backoffice" and betrokkenen >= 3  # the person, a partner, children


def test_geheimhouding_from_the_brp_reaches_the_kcc_medewerker_as_name_and_warning(
    sqlite_db: Db, gemeente: tuple[Gemeente, PluginHost], keys_env: None
) -> None:
    answer = _ask(sqlite_db, gemeente, caller("kcc-medewerker"), GEHEIM)
    assert set(answer["personen"][0]) == {"naam", "geheimhoudingPersoonsgegevens"}
    assert answer["waarschuwingen"][0]["code"] == "geheimhoudingPersoonsgegevens"


def test_no_bsn_in_any_log_line_of_a_lookup(
    sqlite_db: Db,
    gemeente: tuple[Gemeente, PluginHost],
    keys_env: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _ask(sqlite_db, gemeente, caller("backoffice"), GEZIN)
    _ask(sqlite_db, gemeente, caller("kcc-medewerker"), DEMO)
    for bsn in (DEMO, GEZIN):
        assert bsn not in caplog.text


@pytest.mark.parametrize("rol", ["kcc-medewerker", "backoffice"])
def test_a_search_asks_only_fields_a_search_answer_has_and_is_masked(
    sqlite_db: Db, gemeente: tuple[Gemeente, PluginHost], keys_env: None, rol: str
) -> None:
    tenant, host = gemeente
    body = {
        "type": "ZoekMetPostcodeEnHuisnummer",
        "postcode": "9999AA",
        "huisnummer": 12,
        "doel": "zaakbehandeling" if rol == "backoffice" else "kcc-identificatie",
    }
    answer = lookup_personen(sqlite_db.store, host, tenant, caller(rol), TRACE, body)
    [persoon] = [p for p in answer["personen"] if p["naam"]["geslachtsnaam"] == "Jansen"]
    expected_bsn = mask_bsn(DEMO) if rol == "kcc-medewerker" else DEMO
    assert persoon["burgerservicenummer"] == expected_bsn


@pytest.mark.parametrize("bsn", [DEMO, GEZIN, GEHEIM])
def test_backoffice_sees_every_field_the_backend_delivers(
    sqlite_db: Db, gemeente: tuple[Gemeente, PluginHost], keys_env: None, bsn: str
) -> None:
    tenant, host = gemeente
    masked = _ask(sqlite_db, gemeente, caller("backoffice"), bsn)["personen"][0]
    fields = [f for f in EXPECTED["backoffice"] if f not in AUTOMATIC_FIELDS]
    raw = host.first(
        tenant.code,
        "kcc_get_personen",
        doel="kcc-identificatie",
        query={"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": [bsn]},
        fields=fields,
    )["personen"][0]
    raw.pop("leeftijd", None)
    masked.pop("leeftijd", None)  # computed per request by the BRP
    assert masked == raw


def test_a_search_by_adresseerbaar_object_is_answered_by_haal_centraal_and_refused_by_stufbg(
    sqlite_db: Db, gemeente: tuple[Gemeente, PluginHost], keys_env: None, backend: tuple[str, str]
) -> None:
    tenant, host = gemeente
    demo = persons.by_bsn(DEMO)
    assert demo is not None
    body = {
        "type": "ZoekMetAdresseerbaarObjectIdentificatie",
        "adresseerbaarObjectIdentificatie": demo["verblijfplaats"][
            "adresseerbaarObjectIdentificatie"
        ],
        "doel": "kcc-identificatie",
    }
    if backend[0] == "stufbg":
        with pytest.raises(InvalidRequest) as refused:
            lookup_personen(sqlite_db.store, host, tenant, caller("kcc-medewerker"), TRACE, body)
        assert refused.value.field == "type"
        return
    answer = lookup_personen(sqlite_db.store, host, tenant, caller("kcc-medewerker"), TRACE, body)
    assert answer["type"] == "ZoekMetAdresseerbaarObjectIdentificatie"
    assert mask_bsn(DEMO) in [p["burgerservicenummer"] for p in answer["personen"]]
