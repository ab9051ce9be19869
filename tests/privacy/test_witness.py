"""The witness: a logboek rolled back to an older signed head, wiped, or tampered with in any of
the earlier ways is reported by ``kcc-hub logboek verify``, on SQLite and on PostgreSQL.

The witness here is a second database reached with an insert-only role (PostgreSQL), a
timestamp authority (RFC 3161, a loopback TSA) and a syslog line read back from the SIEM's
export. The attacks are an owner's: guards disabled, rows edited, a backup's head restored.
"""

from __future__ import annotations

import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from hub.cli import main
from hub.privacy import witness
from hub.privacy.logboek import chain as logboek_chain
from hub.privacy.settings import privacy_for
from hub.store.base import utcnow
from hub.store.db import Store, make_engine
from hub.tenants import load_tenants
from tests.privacy.persons import BSN
from tests.privacy.test_api import _config
from tests.support.tsa_double import TsaDouble


@pytest.fixture(scope="session")
def witness_server(pg_admin_url: str) -> Iterator[tuple[str, str]]:
    """A witness database and an insert-only role on the test cluster (dropped afterwards)."""
    base = make_url(pg_admin_url)
    database = f"kcc_t_witness_{secrets.token_hex(4)}"
    role = f"kcc_getuige_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        yield base.set(database=database).render_as_string(hide_password=False), role
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def _pg_witness(server: tuple[str, str]) -> str:
    """A fresh witness table in its own schema; the URL connects as the insert-only role."""
    owner_url, role = server
    schema = f"w_{secrets.token_hex(5)}"
    owner = create_engine(owner_url, connect_args={"options": f"-csearch_path={schema}"})
    with owner.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    witness.witness_metadata.create_all(owner)
    with owner.begin() as conn:
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'GRANT SELECT, INSERT ON "{schema}".logboek_getuige TO "{role}"'))
        conn.execute(text(f'GRANT USAGE ON SEQUENCE "{schema}".logboek_getuige_id_seq TO "{role}"'))
    owner.dispose()
    url = make_url(owner_url).set(username=role, query={"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def witness_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The witness database for the store under test: PostgreSQL with an insert-only role,
    or for the SQLite store a SQLite file (which has no roles: the PostgreSQL case shows the
    role cannot rewrite anchors)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'getuige.sqlite3'}"
        engine = create_engine(url)
        witness.witness_metadata.create_all(engine)
        engine.dispose()
        return url
    return _pg_witness(request.getfixturevalue("witness_server"))


@pytest.fixture
def hub(
    tmp_path: Path,
    database_url: str,
    witness_url: str,
    keys_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Path, Store, Any]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "geen")
    monkeypatch.setenv("KCC_WITNESS_DATABASE_URL", witness_url)
    config = _config(tmp_path, plugin=False)
    with (config / "hub.toml").open("a") as fh:
        fh.write('\n[witness]\ntype = "database"\ndatabase_url = "${KCC_WITNESS_DATABASE_URL}"\n')
    sleutels = privacy_for(load_tenants(config, {}).gemeenten["9999"]).sleutels
    return config, Store(make_engine(database_url)), sleutels


def _append(store: Store, sleutels: Any, count: int, medewerker: str = "m-1") -> None:
    for _ in range(count):
        moment = utcnow()
        with store.session() as s:
            logboek_chain.append(
                s,
                sleutels,
                logboek_chain.LogboekInvoer(
                    gemeente="9999",
                    trace_id=secrets.token_hex(16),
                    span_id=secrets.token_hex(8),
                    name="personen-bevragen",
                    start_time=moment,
                    end_time=moment,
                    status_code=1,
                    status="ok",
                    http_status=200,
                    medewerker=medewerker,
                    rol="kcc-medewerker",
                    client_id="kiss",
                    doel="kcc-identificatie",
                    velden=["naam"],
                    aantal_personen=1,
                    betrokkenen=[BSN],
                ),
            )


def _cli(config: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["logboek", *args, "-g", "9999", "--config", str(config)])


def _attack(url: str, *statements: str) -> None:
    """As the owner: switch the append-only guards off, then run the statements."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("logboek", "logboek_betrokkene", "logboek_keten", "logboek_checkpoint"):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _head(url: str) -> tuple[int, str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT volgnummer, laatste_hash, handtekening FROM logboek_keten")
        ).one()
    engine.dispose()
    return int(row[0]), str(row[1]), str(row[2])


CUT_FROM_4 = (
    "DELETE FROM logboek_betrokkene WHERE volgnummer >= 4",
    "DELETE FROM logboek WHERE volgnummer >= 4",
)


def _rollback(backup: tuple[int, str, str]) -> list[str]:
    n, h, sig = backup
    return [
        *CUT_FROM_4,
        f"UPDATE logboek_keten SET volgnummer = {n}, laatste_hash = '{h}', handtekening = '{sig}'",
    ]


ATTACKS: dict[str, Callable[[tuple[int, str, str]], list[str]]] = {
    "rollback-to-an-older-signed-head": _rollback,
    "wipe": lambda _b: [
        "DELETE FROM logboek_betrokkene WHERE gemeente = '9999'",
        "DELETE FROM logboek WHERE gemeente = '9999'",
        "DELETE FROM logboek_keten WHERE gemeente = '9999'",
        "DELETE FROM logboek_checkpoint WHERE gemeente = '9999'",
    ],
    "edited-record": lambda _b: ["UPDATE logboek SET doel = 'iets-anders' WHERE volgnummer = 2"],
    "deleted-record": lambda _b: [
        "DELETE FROM logboek_betrokkene WHERE volgnummer = 2",
        "DELETE FROM logboek WHERE volgnummer = 2",
    ],
    "records-cut-off-the-end": lambda _b: list(CUT_FROM_4),
    "unsigned-head": lambda _b: [*CUT_FROM_4, "UPDATE logboek_keten SET volgnummer = 3"],
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_verify_reports_every_attack_with_a_witness(
    hub: tuple[Path, Store, Any], database_url: str, attack: str
) -> None:
    config, store, sleutels = hub
    _append(store, sleutels, 3)
    assert _cli(config, "anchor").exit_code == 0
    backup = _head(database_url)  # what last night's backup holds
    _append(store, sleutels, 2)
    assert _cli(config, "anchor").exit_code == 0
    result = _cli(config, "verify")
    assert result.exit_code == 0 and "witnessed up to 5" in result.output, result.output
    _attack(database_url, *ATTACKS[attack](backup))
    result = _cli(config, "verify")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("BROKEN")


def test_a_rollback_is_reported_with_what_the_witness_saw(
    hub: tuple[Path, Store, Any], database_url: str
) -> None:
    config, store, sleutels = hub
    _append(store, sleutels, 3)
    backup = _head(database_url)
    _append(store, sleutels, 2)
    assert _cli(config, "anchor").exit_code == 0
    _attack(database_url, *_rollback(backup))
    # Without the witness the chain looks fine: three records under a validly signed head.
    with store.session() as s:
        assert logboek_chain.verify(s, sleutels).intact
    result = _cli(config, "verify")
    assert "de getuige zag de keten al op volgnummer 5, de keten staat op 3" in result.output


def test_history_rewritten_after_a_rollback_is_reported(
    hub: tuple[Path, Store, Any], database_url: str
) -> None:
    config, store, sleutels = hub
    _append(store, sleutels, 3)
    backup = _head(database_url)
    _append(store, sleutels, 2)
    assert _cli(config, "anchor").exit_code == 0
    _attack(database_url, *_rollback(backup))
    # The attacker (with the keys) appends two different records: the chain is valid again.
    _append(store, sleutels, 2, medewerker="iemand-anders")
    result = _cli(config, "verify")
    assert result.exit_code == 1 and "herschreven" in result.output, result.output


def test_the_witness_role_cannot_rewrite_anchors(
    pg_admin_url: str, witness_server: tuple[str, str]
) -> None:
    url = _pg_witness(witness_server)
    getuige = witness.DatabaseGetuige(url)
    getuige.leg_vast(witness.Anker("9999", 5, "a" * 64, "2026-01-01T00:00:00+00:00", "b" * 64))
    for statement in (
        "DELETE FROM logboek_getuige",
        "UPDATE logboek_getuige SET volgnummer = 3",
        "TRUNCATE logboek_getuige",
    ):
        with getuige.engine.begin() as conn, pytest.raises(ProgrammingError):
            conn.execute(text(statement))
    assert [a.volgnummer for a in getuige.lees("9999")] == [5]
    getuige.engine.dispose()


# ------------------------------------------------------------------------------------- other witnesses


@pytest.fixture
def sqlite_store(sqlite_url: str, tmp_path: Path, keys_env: None) -> tuple[Store, Any]:
    config = _config(tmp_path, plugin=False)
    sleutels = privacy_for(load_tenants(config, {}).gemeenten["9999"]).sleutels
    return Store(make_engine(sqlite_url)), sleutels


def _rolled_back(store: Store, sleutels: Any, getuige: witness.Getuige, url: str) -> Any:
    _append(store, sleutels, 3)
    backup = _head(url)
    _append(store, sleutels, 2)
    with store.session() as s:
        witness.anchor(s, sleutels, getuige)
    _attack(url, *_rollback(backup))
    with store.session() as s:
        result = logboek_chain.verify(s, sleutels)
        assert result.intact
        return witness.check_chain(s, sleutels, getuige.lees("9999"), result.laatste_volgnummer)


def test_a_timestamp_authority_witness_detects_a_rollback(
    sqlite_store: tuple[Store, Any], sqlite_url: str, tmp_path: Path
) -> None:
    store, sleutels = sqlite_store
    tsa = TsaDouble(tmp_path).start()
    try:
        getuige = witness.TsaGetuige(tsa.url, tmp_path / "anker", tsa.ca_file)
        bevinding = _rolled_back(store, sleutels, getuige, sqlite_url)
    finally:
        tsa.stop()
    assert tsa.requests == 1
    assert not bevinding.intact and bevinding.getuige_volgnummer == 5


def test_a_timestamp_file_edited_afterwards_counts_as_forged(
    sqlite_store: tuple[Store, Any], tmp_path: Path
) -> None:
    store, sleutels = sqlite_store
    tsa = TsaDouble(tmp_path).start()
    try:
        getuige = witness.TsaGetuige(tsa.url, tmp_path / "anker", tsa.ca_file)
        _append(store, sleutels, 2)
        with store.session() as s:
            witness.anchor(s, sleutels, getuige)
    finally:
        tsa.stop()
    [path] = (tmp_path / "anker" / "9999").glob("*.json")
    path.write_text(path.read_text().replace('"volgnummer": 2', '"volgnummer": 1'))
    with store.session() as s:
        bevinding = witness.check_chain(s, sleutels, getuige.lees("9999"), 2)
    assert not bevinding.intact and "niet door de hub" in (bevinding.reden or "")


def test_a_syslog_witness_read_back_from_the_siem_export_detects_a_rollback(
    sqlite_store: tuple[Store, Any], sqlite_url: str, tmp_path: Path
) -> None:
    store, sleutels = sqlite_store
    export = tmp_path / "siem.log"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as siem:
        siem.bind(("127.0.0.1", 0))
        siem.settimeout(5)
        port = siem.getsockname()[1]
        received: list[bytes] = []
        listener = threading.Thread(target=lambda: received.append(siem.recv(65536)))
        listener.start()
        getuige = witness.SyslogGetuige(f"127.0.0.1:{port}", read_path=export)
        _append(store, sleutels, 3)
        backup = _head(sqlite_url)
        _append(store, sleutels, 2)
        with store.session() as s:
            witness.anchor(s, sleutels, getuige)
        listener.join(5)
    export.write_bytes(b"\n".join(received) + b"\n")
    _attack(sqlite_url, *_rollback(backup))
    with store.session() as s:
        bevinding = witness.check_chain(s, sleutels, getuige.lees("9999"), 3)
    assert not bevinding.intact and bevinding.getuige_volgnummer == 5
