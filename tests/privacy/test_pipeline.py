"""The privacy pipeline: doelbinding, minimised upstream call, masking, logboek before data."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from hub.errors import (
    Forbidden,
    InvalidRequest,
    ServiceUnavailable,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.logboek import query as logboek_query
from hub.privacy.logboek import tables as logboek_tables
from hub.privacy.pipeline import lookup_personen
from hub.privacy.settings import GemeentePrivacy
from hub.store.db import Store, make_engine
from tests.privacy.conftest import GEMEENTE, Db, FakeBrp, caller
from tests.privacy.persons import BSN, BSN_GEHEIM, BSN_ONBEKEND, geheim, volledig

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


class _Gemeente:
    code = GEMEENTE
    doelen: ClassVar[list[dict[str, Any]]] = []
    privacy: ClassVar[dict[str, Any]] = {}
    source = None


@pytest.fixture
def brp() -> FakeBrp:
    return FakeBrp(personen={BSN: volledig(BSN), BSN_GEHEIM: geheim(BSN_GEHEIM)})


def _raadpleeg(*bsns: str, doel: str | None = "kcc-identificatie", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": list(bsns),
    }
    if doel is not None:
        body["doel"] = doel
    body.update(extra)
    return body


def _lookup(
    db: Db, brp: FakeBrp, privacy: GemeentePrivacy, rol: str, body: Any, **kw: Any
) -> dict[str, Any]:
    return lookup_personen(
        db.store, brp, _Gemeente(), caller(rol), TRACE, body, privacy=privacy, **kw
    )


def _records(db: Db) -> list[logboek_tables.LogboekRecord]:
    with db.store.session() as s:
        return list(
            s.scalars(
                select(logboek_tables.LogboekRecord).order_by(
                    logboek_tables.LogboekRecord.volgnummer
                )
            )
        )


def _betrokkenen(db: Db) -> list[str]:
    with db.store.session() as s:
        return list(s.scalars(select(logboek_tables.LogboekBetrokkene.betrokkene_hash)))


def test_a_kcc_medewerker_gets_the_masked_person_and_a_logboek_record(
    db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    answer = _lookup(db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN))
    persoon = answer["personen"][0]
    assert persoon["burgerservicenummer"] == "*****3653"
    assert "partners" not in persoon and "nationaliteiten" not in persoon
    assert answer["traceId"] == TRACE
    [record] = _records(db)
    assert (record.status, record.http_status, record.status_code) == ("ok", 200, 1)
    assert record.trace_id == TRACE and len(record.span_id) == 16
    assert record.doel == "kcc-identificatie"
    assert record.processing_activity_id == "https://register.voorbeeldstad.nl/verwerkingen/kcc-1"
    assert record.medewerker == "medewerker-1" and record.rol == "kcc-medewerker"
    assert record.client_id == "kiss-test" and record.aantal_personen == 1
    assert "burgerservicenummer:gedeeltelijk" in record.velden and "naam" in record.velden
    assert _betrokkenen(db) == [privacy.sleutels.betrokkene_hash(BSN)]


def test_the_brp_is_asked_only_for_the_fields_of_the_role_with_the_doel(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN))
    [call] = brp.calls
    assert call["fields"] == [
        "adressering",
        "burgerservicenummer",
        "geboorte.datum",
        "naam",
        "verblijfplaats",
    ]
    assert call["doel"] == "kcc-identificatie"
    assert call["verwerkingsactiviteit"] == "https://register.voorbeeldstad.nl/verwerkingen/kcc-1"
    assert call["query"] == {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": [BSN],
    }
    assert call["trace_id"] == TRACE


def test_fields_the_caller_asks_narrow_the_request_further(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN, fields=["naam", "partners"]))
    assert brp.calls[0]["fields"] == ["naam"]


def test_geheimhouding_shows_the_kcc_medewerker_only_the_name_and_a_warning(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    answer = _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN_GEHEIM))
    assert answer["personen"] == [{"naam": geheim()["naam"], "geheimhoudingPersoonsgegevens": True}]
    assert [w["code"] for w in answer["waarschuwingen"]] == [
        "geheimhoudingPersoonsgegevens",
        "inOnderzoek",
    ]


def test_backoffice_sees_the_full_person(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    answer = _lookup(sqlite_db, brp, privacy, "backoffice", _raadpleeg(BSN, doel="zaakbehandeling"))
    assert answer["personen"] == [volledig(BSN)]


def test_an_empty_result_is_logged(db: Db, brp: FakeBrp, privacy: GemeentePrivacy) -> None:
    answer = _lookup(db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN_ONBEKEND))
    assert answer["personen"] == []
    [record] = _records(db)
    assert record.status == "geen_resultaat" and record.status_code == 1
    assert _betrokkenen(db) == [privacy.sleutels.betrokkene_hash(BSN_ONBEKEND)]


def test_a_bsn_failing_the_11_proof_is_a_400_before_any_upstream_call_and_is_logged(
    db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    with pytest.raises(InvalidRequest) as err:
        _lookup(db, brp, privacy, "kcc-medewerker", _raadpleeg("123456789"))
    assert err.value.field == "burgerservicenummer" and "123456789" not in err.value.detail
    assert brp.calls == []
    [record] = _records(db)
    assert (record.status, record.http_status, record.status_code) == ("ongeldig_verzoek", 400, 2)
    assert _betrokkenen(db) == []


@pytest.mark.parametrize("doel", [None, "nieuwsgierigheid"])
def test_a_missing_or_unknown_doel_is_a_400_and_is_logged(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy, doel: str | None
) -> None:
    with pytest.raises(InvalidRequest) as err:
        _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN, doel=doel))
    assert err.value.field == "doel"
    assert brp.calls == []
    [record] = _records(sqlite_db)
    assert record.http_status == 400 and record.doel is None


def test_a_doel_not_allowed_for_the_role_is_a_403_and_the_attempt_is_findable_by_bsn(
    db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    with pytest.raises(Forbidden):
        _lookup(db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN, doel="zaakbehandeling"))
    assert brp.calls == []
    with db.store.session() as s:
        [regel] = logboek_query.search(s, privacy.sleutels, bsn=BSN).items
    assert regel.status == "geen_toegang" and regel.http_status == 403


@pytest.mark.parametrize("rol", ["privacy-officer", "beheerder", "teamleider"])
def test_roles_without_person_access_get_403_and_no_person_data(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy, rol: str
) -> None:
    with pytest.raises(Forbidden):
        _lookup(sqlite_db, brp, privacy, rol, _raadpleeg(BSN, doel="audit"))
    assert brp.calls == []
    assert _records(sqlite_db)[0].status == "geen_toegang"


@pytest.mark.parametrize("error", [UpstreamUnavailable("brp down"), UpstreamTimeout("brp traag")])
def test_an_upstream_error_is_logged_and_passed_on(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy, error: Exception
) -> None:
    brp.fail_with = error
    with pytest.raises(type(error)):
        _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN))
    [record] = _records(sqlite_db)
    assert record.status == "bronfout" and record.status_code == 2
    assert record.http_status == error.status


@pytest.mark.parametrize(
    "body",
    [
        "geen object",
        {"type": "ZoekMetIets", "doel": "kcc-identificatie"},
        {"type": "RaadpleegMetBurgerservicenummer", "doel": "kcc-identificatie"},
        {
            "type": "ZoekMetPostcodeEnHuisnummer",
            "postcode": "0000XX",
            "huisnummer": 1,
            "doel": "kcc-identificatie",
        },
        {
            "type": "ZoekMetPostcodeEnHuisnummer",
            "postcode": "1234AB",
            "huisnummer": 0,
            "doel": "kcc-identificatie",
        },
        {
            "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
            "geslachtsnaam": "Dijk",
            "geboortedatum": "1975-13-01",
            "doel": "kcc-identificatie",
        },
        _raadpleeg(BSN, extra="x"),
        _raadpleeg(*([BSN] * 21)),
    ],
)
def test_an_invalid_body_is_a_400_and_is_logged(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy, body: Any
) -> None:
    with pytest.raises(InvalidRequest):
        _lookup(sqlite_db, brp, privacy, "kcc-medewerker", body)
    assert brp.calls == []
    assert _records(sqlite_db)[0].http_status == 400


def test_a_search_is_masked_like_a_lookup(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    body = {
        "type": "ZoekMetPostcodeEnHuisnummer",
        "postcode": "1234AB",
        "huisnummer": 12,
        "doel": "kcc-identificatie",
    }
    answer = _lookup(sqlite_db, brp, privacy, "kcc-medewerker", body)
    assert len(answer["personen"]) == 2
    assert brp.calls[0]["fields"] == [
        "adressering",
        "burgerservicenummer",
        "geboorte.datum",
        "naam",
    ]
    assert sorted(_betrokkenen(sqlite_db)) == sorted(
        privacy.sleutels.betrokkene_hash(b) for b in (BSN, BSN_GEHEIM)
    )


def test_the_callers_traceparent_is_the_foreign_operation(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN), traceparent=parent)
    [record] = _records(sqlite_db)
    assert record.foreign_operation == parent and record.parent_span_id == "b7ad6b7169203331"


def test_every_response_extends_one_intact_chain(
    db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    _lookup(db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN))
    with pytest.raises(InvalidRequest):
        _lookup(db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN, doel=None))
    _lookup(db, brp, privacy, "backoffice", _raadpleeg(BSN_GEHEIM))
    with db.store.session() as s:
        result = logboek_chain.verify(s, privacy.sleutels)
    assert result.intact and result.laatste_volgnummer == 3


def test_no_bsn_reaches_the_logs(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN, BSN_GEHEIM))
    with pytest.raises(InvalidRequest):
        _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg("123456789"))
    brp.fail_with = UpstreamUnavailable("down")
    with pytest.raises(UpstreamUnavailable):
        _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN))
    for bsn in (BSN, BSN_GEHEIM, "123456789"):
        assert bsn not in caplog.text


# ---------------------------------------------------------------------------
# An unwritable logboek: 503 and no data


def _readonly_sqlite(sqlite_db: Db) -> Store:
    path = sqlite_db.url.removeprefix("sqlite:///")
    # Create the chain head first so the read-only store fails on the INSERT itself.
    return Store(make_engine(f"sqlite:///file:{path}?mode=ro&uri=true"))


@pytest.fixture
def readonly_store(db: Db) -> Iterator[Store]:
    """The same logboek, through a connection that may not write it (no mock of our code)."""
    if db.dialect == "sqlite":
        store = _readonly_sqlite(db)
        yield store
        store.engine.dispose()
        return
    role = f"kcc_ro_{secrets.token_hex(4)}"
    schema = db.extra["schema"]
    with db.admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}'))
        conn.execute(text(f'GRANT SELECT, UPDATE ON ALL TABLES IN SCHEMA "{schema}" TO {role}'))
        conn.execute(text(f'GRANT INSERT ON "{schema}".logboek_keten TO {role}'))
        # The application's role lost INSERT on the logboek itself.
        conn.execute(text(f'REVOKE INSERT ON "{schema}".logboek FROM {role}'))
        conn.commit()
    url = make_url(db.url).set(username=role)
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield Store(engine)
    finally:
        engine.dispose()
        with db.admin.connect() as conn:
            conn.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}'))
            conn.execute(text(f'REVOKE ALL ON SCHEMA "{schema}" FROM {role}'))
            conn.execute(text(f"DROP ROLE {role}"))
            conn.commit()


def test_an_unwritable_logboek_gives_503_and_no_data(
    db: Db, brp: FakeBrp, privacy: GemeentePrivacy, readonly_store: Store
) -> None:
    with pytest.raises(ServiceUnavailable) as err:
        lookup_personen(
            readonly_store,
            brp,
            _Gemeente(),
            caller("kcc-medewerker"),
            TRACE,
            _raadpleeg(BSN),
            privacy=privacy,
        )
    assert "Dijk" not in err.value.detail and BSN not in err.value.detail
    assert _records(db) == []


def test_an_unwritable_logboek_turns_an_error_into_503_too(
    db: Db, brp: FakeBrp, privacy: GemeentePrivacy, readonly_store: Store
) -> None:
    with pytest.raises(ServiceUnavailable):
        lookup_personen(
            readonly_store,
            brp,
            _Gemeente(),
            caller("kcc-medewerker"),
            TRACE,
            _raadpleeg(BSN, doel=None),
            privacy=privacy,
        )


def test_missing_logboek_keys_give_503_and_no_data(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KCC_LOGBOEK_ENCRYPTIE_SLEUTEL")
    with pytest.raises(ServiceUnavailable):
        _lookup(sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN))
    assert _records(sqlite_db) == []


def test_an_unknown_parameter_named_like_a_bsn_is_not_echoed(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    body = _raadpleeg(BSN)
    body[BSN_GEHEIM] = True
    with pytest.raises(InvalidRequest) as err:
        _lookup(sqlite_db, brp, privacy, "kcc-medewerker", body)
    assert BSN_GEHEIM not in err.value.detail and err.value.field == "(onbekend)"


def test_with_the_callers_session_the_record_is_part_of_its_transaction(
    sqlite_db: Db, brp: FakeBrp, privacy: GemeentePrivacy
) -> None:
    session = sqlite_db.store._factory()
    try:
        answer = _lookup(
            sqlite_db, brp, privacy, "kcc-medewerker", _raadpleeg(BSN), session=session
        )
        assert answer["personen"]
        session.rollback()  # the caller's transaction fails: the record goes with it
    finally:
        session.close()
    assert _records(sqlite_db) == []
