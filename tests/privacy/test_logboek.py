"""The logboek: append-only, hash-chained per gemeente, verifiable after tampering and purging."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from hub.privacy import inzage
from hub.privacy.keys import LogboekSleutels
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.logboek import query as logboek_query
from hub.privacy.logboek import retention as logboek_retention
from hub.privacy.logboek import tables as logboek_tables
from hub.store.base import utcnow
from tests.privacy.conftest import GEMEENTE, Db
from tests.privacy.persons import BSN, BSN_GEHEIM, BSN_PARTNER


def _invoer(
    n: int = 0, *, bsns: list[str] | None = None, dagen_geleden: int = 0, **kw: object
) -> logboek_chain.LogboekInvoer:
    moment = utcnow() - timedelta(days=dagen_geleden)
    values: dict[str, object] = {
        "gemeente": GEMEENTE,
        "trace_id": f"{n:032x}",
        "span_id": f"{n:016x}",
        "name": "personen-bevragen",
        "start_time": moment,
        "end_time": moment + timedelta(milliseconds=5),
        "status_code": logboek_tables.STATUS_OK,
        "status": "ok",
        "http_status": 200,
        "medewerker": f"medewerker-{n % 3}",
        "rol": "kcc-medewerker",
        "client_id": "kiss",
        "processing_activity_id": "https://register.voorbeeldstad.nl/verwerkingen/kcc-1",
        "doel": "kcc-identificatie",
        "velden": ["naam", "burgerservicenummer:gedeeltelijk"],
        "aantal_personen": 1,
        "betrokkenen": [BSN] if bsns is None else bsns,
    }
    values.update(kw)
    return logboek_chain.LogboekInvoer(**values)  # type: ignore[arg-type]


def _fill(db: Db, sleutels: LogboekSleutels, count: int, **kw: object) -> None:
    for n in range(count):
        with db.store.session() as s:
            logboek_chain.append(s, sleutels, _invoer(n, **kw))


def _verify(db: Db, sleutels: LogboekSleutels) -> logboek_chain.Verificatie:
    with db.store.session() as s:
        return logboek_chain.verify(s, sleutels)


def _attack(db: Db, *statements: str) -> None:
    db.disable_guard()
    with db.admin.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_appended_records_form_an_intact_chain(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 5)
    result = _verify(db, sleutels)
    assert result.intact and result.aantal_gecontroleerd == 5 and result.laatste_volgnummer == 5


def test_an_empty_logboek_verifies(db: Db, sleutels: LogboekSleutels) -> None:
    assert _verify(db, sleutels).intact


def test_the_bsn_is_stored_only_hashed_and_encrypted(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 1)
    with db.admin.connect() as conn:
        dump = " ".join(
            str(row)
            for table in ("logboek", "logboek_betrokkene", "logboek_keten")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    assert BSN not in dump


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE logboek SET medewerker = 'iemand-anders' WHERE volgnummer = 2",
        "DELETE FROM logboek WHERE volgnummer = 2",
        "DELETE FROM logboek_keten",
        "UPDATE logboek_betrokkene SET positie = 5",
    ],
)
def test_the_database_refuses_changes_to_the_logboek(
    db: Db, sleutels: LogboekSleutels, statement: str
) -> None:
    _fill(db, sleutels, 2)
    with pytest.raises(DatabaseError, match="append-only"), db.admin.begin() as conn:
        conn.execute(text(statement))
    assert _verify(db, sleutels).intact


def test_truncate_is_refused_on_postgresql(db: Db, sleutels: LogboekSleutels) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _fill(db, sleutels, 1)
    with pytest.raises(DatabaseError, match="append-only"), db.admin.begin() as conn:
        conn.execute(text("TRUNCATE logboek CASCADE"))


def test_an_edited_record_is_the_first_broken_one(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 5)
    _attack(db, "UPDATE logboek SET doel = 'iets-anders' WHERE volgnummer = 3")
    result = _verify(db, sleutels)
    assert not result.intact
    assert result.eerste_breuk == logboek_chain.Breuk(3, "inhoud gewijzigd: de hash klopt niet")


def test_an_edited_betrokkene_breaks_its_record(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 4)
    other = sleutels.betrokkene_hash(BSN_GEHEIM)
    _attack(db, f"UPDATE logboek_betrokkene SET betrokkene_hash = '{other}' WHERE volgnummer = 2")
    assert _verify(db, sleutels).eerste_breuk == logboek_chain.Breuk(
        2, "inhoud gewijzigd: de hash klopt niet"
    )


def test_a_deleted_record_is_reported_by_its_sequence_number(
    db: Db, sleutels: LogboekSleutels
) -> None:
    _fill(db, sleutels, 5)
    _attack(
        db,
        "DELETE FROM logboek_betrokkene WHERE volgnummer = 2",
        "DELETE FROM logboek WHERE volgnummer = 2",
    )
    result = _verify(db, sleutels)
    assert result.eerste_breuk is not None and result.eerste_breuk.volgnummer == 2
    assert "ontbreekt" in result.eerste_breuk.reden


def test_a_recomputed_hash_after_a_deletion_still_breaks_the_chain(
    db: Db, sleutels: LogboekSleutels
) -> None:
    # The attacker deletes record 2 and renumbers 3..5 down: sequence numbers are covered by
    # the hash, and prev_hash of the new 2 does not follow record 1.
    _fill(db, sleutels, 5)
    _attack(
        db,
        "DELETE FROM logboek_betrokkene WHERE volgnummer = 2",
        "DELETE FROM logboek WHERE volgnummer = 2",
        "UPDATE logboek SET volgnummer = volgnummer - 1 WHERE volgnummer > 2",
        "UPDATE logboek_betrokkene SET volgnummer = volgnummer - 1 WHERE volgnummer > 2",
    )
    breuk = _verify(db, sleutels).eerste_breuk
    assert breuk is not None and breuk.volgnummer == 2


def test_reordered_records_are_detected(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 5)
    _attack(
        db,
        "UPDATE logboek SET volgnummer = 1000 WHERE volgnummer = 3",
        "UPDATE logboek SET volgnummer = 3 WHERE volgnummer = 4",
        "UPDATE logboek SET volgnummer = 4 WHERE volgnummer = 1000",
    )
    breuk = _verify(db, sleutels).eerste_breuk
    assert breuk is not None and breuk.volgnummer == 3


def test_records_cut_off_the_end_are_detected(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 5)
    _attack(
        db,
        "DELETE FROM logboek_betrokkene WHERE volgnummer >= 4",
        "DELETE FROM logboek WHERE volgnummer >= 4",
    )
    breuk = _verify(db, sleutels).eerste_breuk
    assert breuk is not None and breuk.volgnummer == 4 and "eind" in breuk.reden


def test_a_forged_chain_head_is_detected(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 5)
    with db.admin.connect() as conn:
        h3 = conn.execute(text("SELECT record_hash FROM logboek WHERE volgnummer = 3")).scalar_one()
    _attack(
        db,
        "DELETE FROM logboek_betrokkene WHERE volgnummer >= 4",
        "DELETE FROM logboek WHERE volgnummer >= 4",
        f"UPDATE logboek_keten SET volgnummer = 3, laatste_hash = '{h3}'",
    )
    breuk = _verify(db, sleutels).eerste_breuk
    assert breuk is not None and "ondertekend" in breuk.reden


def test_chains_of_gemeenten_are_separate(
    db: Db, sleutels: LogboekSleutels, keys_env: None
) -> None:
    other = LogboekSleutels("0363", sleutels.hmac_sleutel, sleutels.encryptie_sleutel)
    _fill(db, sleutels, 2)
    with db.store.session() as s:
        record = logboek_chain.append(s, other, _invoer(9, gemeente="0363"))
    assert record.volgnummer == 1
    assert _verify(db, sleutels).intact and _verify(db, other).intact


def test_concurrent_appends_do_not_fork_the_chain(db: Db, sleutels: LogboekSleutels) -> None:
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for n in range(8):
                with db.store.session() as s:
                    logboek_chain.append(s, sleutels, _invoer(offset + n))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i * 100,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = _verify(db, sleutels)
    assert result.intact and result.laatste_volgnummer == 32


def test_retention_purge_keeps_the_chain_verifiable(db: Db, sleutels: LogboekSleutels) -> None:
    for n in range(4):
        with db.store.session() as s:
            logboek_chain.append(s, sleutels, _invoer(n, dagen_geleden=60))
    for n in range(4, 7):
        with db.store.session() as s:
            logboek_chain.append(s, sleutels, _invoer(n, dagen_geleden=1))
    with db.store.session() as s:
        result = logboek_retention.purge(s, sleutels, 30)
    assert result.verwijderd == 4 and result.tot_en_met_volgnummer == 4
    check = _verify(db, sleutels)
    assert check.intact and check.checkpoint_volgnummer == 4 and check.aantal_gecontroleerd == 3
    with db.store.session() as s:
        logboek_chain.append(s, sleutels, _invoer(9))
    assert _verify(db, sleutels).intact
    with db.admin.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM logboek")).scalar_one() == 4


def test_a_second_purge_continues_from_the_first_checkpoint(
    db: Db, sleutels: LogboekSleutels
) -> None:
    for n in range(3):
        with db.store.session() as s:
            logboek_chain.append(s, sleutels, _invoer(n, dagen_geleden=100))
    for n in range(3, 5):
        with db.store.session() as s:
            logboek_chain.append(s, sleutels, _invoer(n, dagen_geleden=40))
    with db.store.session() as s:
        assert logboek_retention.purge(s, sleutels, 60).verwijderd == 3
    with db.store.session() as s:
        assert logboek_retention.purge(s, sleutels, 30).verwijderd == 2
    check = _verify(db, sleutels)
    assert check.intact and check.checkpoint_volgnummer == 5


def test_deleting_old_records_without_a_checkpoint_is_detected(
    db: Db, sleutels: LogboekSleutels
) -> None:
    _fill(db, sleutels, 4)
    _attack(
        db,
        "DELETE FROM logboek_betrokkene WHERE volgnummer <= 2",
        "DELETE FROM logboek WHERE volgnummer <= 2",
    )
    breuk = _verify(db, sleutels).eerste_breuk
    assert breuk is not None and breuk.volgnummer == 1


def test_a_forged_checkpoint_is_detected(db: Db, sleutels: LogboekSleutels) -> None:
    for n in range(4):
        with db.store.session() as s:
            logboek_chain.append(s, sleutels, _invoer(n, dagen_geleden=60))
    with db.store.session() as s:
        logboek_retention.purge(s, sleutels, 30)
    _attack(db, "UPDATE logboek_checkpoint SET aantal_verwijderd = 1")
    breuk = _verify(db, sleutels).eerste_breuk
    assert breuk is not None and "checkpoint" in breuk.reden


def test_a_broken_chain_is_not_purged(db: Db, sleutels: LogboekSleutels) -> None:
    for n in range(3):
        with db.store.session() as s:
            logboek_chain.append(s, sleutels, _invoer(n, dagen_geleden=60))
    _attack(db, "UPDATE logboek SET medewerker = 'x' WHERE volgnummer = 2")
    # The attacker left the guards off; re-verify and try to purge the evidence.
    with pytest.raises(logboek_retention.PurgeGeweigerd), db.store.session() as s:
        logboek_retention.purge(s, sleutels, 30)
    with db.admin.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM logboek")).scalar_one() == 3


def test_search_finds_records_by_bsn_medewerker_doel_and_period(
    db: Db, sleutels: LogboekSleutels
) -> None:
    _fill(db, sleutels, 6)
    with db.store.session() as s:
        logboek_chain.append(s, sleutels, _invoer(7, bsns=[BSN_PARTNER], doel="zaakbehandeling"))
        logboek_chain.append(s, sleutels, _invoer(8, bsns=[BSN_GEHEIM], dagen_geleden=10))
    with db.store.session() as s:
        assert logboek_query.search(s, sleutels, bsn=BSN).totaal == 6
        assert [r.volgnummer for r in logboek_query.search(s, sleutels, bsn=BSN_PARTNER).items] == [
            7
        ]
        assert logboek_query.search(s, sleutels, medewerker="medewerker-0").totaal == 2
        assert logboek_query.search(s, sleutels, doel="zaakbehandeling").totaal == 1
        recent = logboek_query.search(s, sleutels, van=utcnow() - timedelta(days=1))
        assert recent.totaal == 7
        page = logboek_query.search(s, sleutels, page=2, size=3)
        assert [r.volgnummer for r in page.items] == [5, 4, 3] and page.totaal == 8
        assert page.items[0].aantal_betrokkenen == 1


def test_inzage_lists_who_saw_the_data_when_and_why(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 2)
    with db.store.session() as s:
        logboek_chain.append(s, sleutels, _invoer(5, bsns=[BSN_PARTNER]))
    with db.store.session() as s:
        regels = inzage.inzage(
            s,
            sleutels,
            BSN,
            doel_omschrijvingen={"kcc-identificatie": "Vaststellen wie de beller is"},
        )
    assert len(regels) == 2
    assert regels[0].doel_omschrijving == "Vaststellen wie de beller is"
    assert regels[0].medewerker is None and regels[0].rol == "kcc-medewerker"
    csv_text = inzage.inzage_csv(regels)
    assert csv_text.splitlines()[0].startswith("tijdstip;organisatie;rol")
    document = inzage.inzage_json(GEMEENTE, BSN, regels)
    assert document["betrokkene"] == "*****3653" and document["aantal"] == 2
    assert BSN not in csv_text and BSN not in str(document)


def test_export_has_every_record_with_its_hashes(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 3)
    with db.store.session() as s:
        items = list(logboek_query.export(s, GEMEENTE))
    assert items[0]["soort"] == "keten" and items[0]["kop"]["volgnummer"] == 3
    assert [i["volgnummer"] for i in items[1:]] == [1, 2, 3]
    assert items[2]["prev_hash"] == items[1]["record_hash"]


def test_a_record_slipped_in_after_the_head_is_detected(db: Db, sleutels: LogboekSleutels) -> None:
    _fill(db, sleutels, 3)
    columns = (
        "gemeente, trace_id, span_id, parent_span_id, name, start_time, end_time, status_code, "
        "status, http_status, processing_activity_id, doel, medewerker, rol, client_id, velden, "
        "aantal_personen, foreign_operation, prev_hash, record_hash"
    )
    _attack(
        db,
        f"INSERT INTO logboek (volgnummer, {columns}) "
        f"SELECT 4, {columns} FROM logboek WHERE volgnummer = 3",
    )
    breuk = _verify(db, sleutels).eerste_breuk
    assert breuk is not None and breuk.volgnummer == 4 and "keten-kop" in breuk.reden


def test_verifying_while_others_append_reports_no_false_break(
    db: Db, sleutels: LogboekSleutels
) -> None:
    _fill(db, sleutels, 5)
    stop = threading.Event()

    def appender() -> None:
        n = 100
        while not stop.is_set():
            with db.store.session() as s:
                logboek_chain.append(s, sleutels, _invoer(n))
            n += 1

    thread = threading.Thread(target=appender)
    thread.start()
    try:
        results = [_verify(db, sleutels) for _ in range(15)]
    finally:
        stop.set()
        thread.join()
    assert all(r.intact for r in results), [r.eerste_breuk for r in results if not r.intact]
