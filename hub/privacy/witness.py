"""A witness for the logboek's chain head: anchors the hub's database credentials cannot rewrite.

The hash chain and the signed head (:mod:`hub.privacy.logboek.chain`) detect every
edit inside the database, but not a **rollback** (restore an older signed head
from a backup and delete the later records) or a **wipe** (delete a gemeente's
records, head and checkpoints): what is left is a valid chain. So the head is
regularly written to a witness outside the database, and verification checks
the chain against the highest head the witness saw.

An anchor is ``(gemeente, volgnummer, laatste_hash, vastgelegd_op)``, signed
with the gemeente's logboek key (kept outside the database). Witnesses
(``[witness]`` in ``config/hub.toml``, see :mod:`hub.privacy.witness_settings`):

* ``database`` — a second database; the hub connects with a role that may only
  ``INSERT`` and ``SELECT`` its one table (:data:`WITNESS_DDL`).
* ``syslog`` — one line per anchor to syslog / a SIEM; verification reads the
  lines back from a file the SIEM exports (``read_path``, or ``--witness-file``).
* ``rfc3161`` — each anchor timestamped by an RFC 3161 TSA and kept as a file in
  ``directory``; verification checks every token against the TSA's CA.

What verification reports (:func:`check_chain`): a witnessed head beyond the
chain's head (rollback or wipe), a record whose hash differs from the witnessed
head at its place (rewritten history), and an anchor whose signature is not the
hub's (forged). Records appended after the last anchor are not covered: the
window is ``interval_seconds``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import logging.handlers
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import httpx
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)
from sqlalchemy.orm import Session

from hub.privacy.keys import LogboekSleutels
from hub.privacy.logboek.tables import GENESIS, LogboekCheckpoint, LogboekKeten, LogboekRecord
from hub.privacy.witness_settings import WitnessSettings
from hub.store.base import utcnow
from hub.store.db import Store

log = logging.getLogger(__name__)

SYSLOG_MARKER = "kcc-hub-logboek-anker"


@dataclass(frozen=True)
class Anker:
    """One witnessed chain head."""

    gemeente: str
    volgnummer: int
    laatste_hash: str
    vastgelegd_op: str  # ISO 8601, UTC
    handtekening: str

    def message(self) -> bytes:
        return message(self.gemeente, self.volgnummer, self.laatste_hash, self.vastgelegd_op)


def message(gemeente: str, volgnummer: int, laatste_hash: str, vastgelegd_op: str) -> bytes:
    return f"anker|{gemeente}|{volgnummer}|{laatste_hash}|{vastgelegd_op}".encode()


class WitnessUnreadable(Exception):
    """The witness accepts anchors but cannot be read here (syslog without an export)."""


class Getuige(Protocol):
    """Where anchors go and how they are read back."""

    def leg_vast(self, anker: Anker) -> None: ...

    def lees(self, gemeente: str) -> list[Anker]: ...


# ---------------------------------------------------------------------------------- anchoring


def current_anchor(session: Session, sleutels: LogboekSleutels) -> Anker:
    """The gemeente's chain head as an anchor, signed now (an empty chain anchors 0/genesis)."""
    row = session.execute(
        select(LogboekKeten.volgnummer, LogboekKeten.laatste_hash).where(
            LogboekKeten.gemeente == sleutels.gemeente
        )
    ).first()
    volgnummer, laatste = (int(row[0]), str(row[1])) if row else (0, GENESIS)
    moment = utcnow().isoformat(timespec="microseconds")
    signature = sleutels.onderteken(message(sleutels.gemeente, volgnummer, laatste, moment))
    return Anker(sleutels.gemeente, volgnummer, laatste, moment, signature)


def anchor(session: Session, sleutels: LogboekSleutels, getuige: Getuige) -> Anker:
    """Write the current head to the witness (the scheduler does this every interval)."""
    found = current_anchor(session, sleutels)
    getuige.leg_vast(found)
    return found


# ------------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Bevinding:
    """What the witness says about a chain: the highest witnessed head and the first problem."""

    getuige_volgnummer: int | None
    volgnummer: int | None = None
    reden: str | None = None

    @property
    def intact(self) -> bool:
        return self.reden is None


def check_chain(
    session: Session, sleutels: LogboekSleutels, ankers: Iterable[Anker], chain_head: int
) -> Bevinding:
    """Check a chain (already verified intact up to ``chain_head``) against the witness."""
    mine = [a for a in ankers if a.gemeente == sleutels.gemeente]
    forged = [a for a in mine if not sleutels.controleer(a.message(), a.handtekening)]
    if forged:
        return Bevinding(
            None,
            forged[0].volgnummer,
            "de getuige bevat een anker dat niet door de hub is ondertekend",
        )
    if not mine:
        return Bevinding(None)
    highest = max(a.volgnummer for a in mine)
    if highest > chain_head:
        return Bevinding(
            highest,
            chain_head + 1,
            f"de getuige zag de keten al op volgnummer {highest}, de keten staat op "
            f"{chain_head}: records zijn teruggedraaid of gewist",
        )
    expected = _hash_at(session, sleutels.gemeente, highest)
    for a in mine:
        if a.volgnummer == highest and expected is not None and a.laatste_hash != expected:
            return Bevinding(
                highest,
                highest,
                "het record wijkt af van de kop die de getuige vastlegde: de keten is herschreven",
            )
    return Bevinding(highest)


def _hash_at(session: Session, gemeente: str, volgnummer: int) -> str | None:
    """The record hash at ``volgnummer``: genesis, a checkpoint's, a record's; None if purged."""
    if volgnummer == 0:
        return GENESIS
    found = session.scalar(
        select(LogboekRecord.record_hash).where(
            LogboekRecord.gemeente == gemeente, LogboekRecord.volgnummer == volgnummer
        )
    )
    if found is not None:
        return str(found)
    checkpoint = session.scalar(
        select(LogboekCheckpoint.record_hash).where(
            LogboekCheckpoint.gemeente == gemeente, LogboekCheckpoint.volgnummer == volgnummer
        )
    )
    return None if checkpoint is None else str(checkpoint)


# ---------------------------------------------------------------------------------- witnesses

witness_metadata = MetaData()
WITNESS_TABLE = Table(
    "logboek_getuige",
    witness_metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("gemeente", String(4), nullable=False, index=True),
    Column("volgnummer", BigInteger, nullable=False),
    Column("laatste_hash", String(64), nullable=False),
    Column("vastgelegd_op", String(40), nullable=False),
    Column("handtekening", String(64), nullable=False),
    Column("ontvangen_op", DateTime(timezone=True), nullable=False),
)

WITNESS_DDL = """\
-- In the witness database, as its owner (not the hub's database, not the hub's role):
CREATE TABLE logboek_getuige (
    id            bigserial PRIMARY KEY,
    gemeente      varchar(4)  NOT NULL,
    volgnummer    bigint      NOT NULL,
    laatste_hash  varchar(64) NOT NULL,
    vastgelegd_op varchar(40) NOT NULL,
    handtekening  varchar(64) NOT NULL,
    ontvangen_op  timestamptz NOT NULL
);
CREATE INDEX ix_logboek_getuige_gemeente ON logboek_getuige (gemeente);
CREATE ROLE kcc_hub_getuige LOGIN PASSWORD '...';
GRANT SELECT, INSERT ON logboek_getuige TO kcc_hub_getuige;
GRANT USAGE ON SEQUENCE logboek_getuige_id_seq TO kcc_hub_getuige;
"""


class DatabaseGetuige:
    """Anchors as rows in a second database, reached with an insert-only role."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, hide_parameters=True, pool_pre_ping=True)

    def leg_vast(self, anker: Anker) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(WITNESS_TABLE).values(**asdict(anker), ontvangen_op=utcnow()))

    def lees(self, gemeente: str) -> list[Anker]:
        t = WITNESS_TABLE
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.c.gemeente,
                    t.c.volgnummer,
                    t.c.laatste_hash,
                    t.c.vastgelegd_op,
                    t.c.handtekening,
                )
                .where(t.c.gemeente == gemeente)
                .order_by(t.c.volgnummer.desc())
                .limit(1000)
            ).all()
        return [Anker(str(g), int(v), str(h), str(o), str(s)) for g, v, h, o, s in rows]


def _anker_from_json(text: str) -> Anker | None:
    try:
        raw = json.loads(text)
        return Anker(
            str(raw["gemeente"]),
            int(raw["volgnummer"]),
            str(raw["laatste_hash"]),
            str(raw["vastgelegd_op"]),
            str(raw["handtekening"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def read_syslog_lines(lines: Iterable[str]) -> list[Anker]:
    """Anchors from syslog / SIEM lines: the JSON after the marker, other lines ignored."""
    found = []
    for line in lines:
        _, marker, rest = line.partition(SYSLOG_MARKER)
        if marker and (parsed := _anker_from_json(rest.strip().strip("\x00"))) is not None:
            found.append(parsed)
    return found


class SyslogGetuige:
    """One line per anchor to syslog (RFC 5424 over UDP/TCP, or a local socket)."""

    def __init__(self, address: str, read_path: Path | None = None) -> None:
        self.read_path = read_path
        if address.startswith("/"):
            target: str | tuple[str, int] = address
        else:
            host, _, port = address.rpartition(":")
            target = (host or "127.0.0.1", int(port or 514))
        self.handler = logging.handlers.SysLogHandler(
            address=target, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV
        )
        self.handler.ident = "kcc-hub: "
        self.handler.append_nul = False

    def leg_vast(self, anker: Anker) -> None:
        line = f"{SYSLOG_MARKER} " + json.dumps(asdict(anker), separators=(",", ":"))
        self.handler.emit(
            logging.LogRecord("kcc-hub.getuige", logging.INFO, __file__, 0, line, None, None)
        )

    def lees(self, gemeente: str) -> list[Anker]:
        if self.read_path is None:
            raise WitnessUnreadable(
                "de syslog-getuige is hier niet leesbaar: geef de export van de SIEM "
                "(read_path, of --witness-file)"
            )
        with self.read_path.open(encoding="utf-8", errors="replace") as fh:
            return [a for a in read_syslog_lines(fh) if a.gemeente == gemeente]


_SAFE = re.compile(r"^[0-9]{4}$")


class TsaGetuige:
    """Each anchor timestamped by an RFC 3161 TSA; anchor and token kept as a file."""

    def __init__(self, url: str, directory: Path, ca_file: Path, timeout: float = 10.0) -> None:
        self.url = url
        self.directory = directory
        self.ca_file = ca_file
        self.timeout = timeout

    def leg_vast(self, anker: Anker) -> None:
        from rfc3161_client import TimestampRequestBuilder, decode_timestamp_response

        request = TimestampRequestBuilder().data(anker.message()).nonce(nonce=True).build()
        response = httpx.post(
            self.url,
            content=request.as_bytes(),
            headers={"Content-Type": "application/timestamp-query"},
            timeout=self.timeout,
        )
        response.raise_for_status()
        decoded = decode_timestamp_response(response.content)
        self._verifier(nonce=request.nonce).verify_message(decoded, anker.message())
        folder = self.directory / anker.gemeente
        folder.mkdir(parents=True, exist_ok=True)
        document = {**asdict(anker), "tsa_antwoord": base64.b64encode(decoded.as_bytes()).decode()}
        name = f"{anker.volgnummer:012d}-{hashlib.sha256(anker.message()).hexdigest()[:16]}.json"
        # Exclusive create: an anchor file is written once and never overwritten.
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh)

    def lees(self, gemeente: str) -> list[Anker]:
        from rfc3161_client import VerificationError, decode_timestamp_response

        if not _SAFE.match(gemeente):
            return []
        found = []
        verifier = self._verifier()
        for path in sorted((self.directory / gemeente).glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            parsed = _anker_from_json(json.dumps(document))
            if parsed is None:
                continue
            try:
                token = decode_timestamp_response(base64.b64decode(document["tsa_antwoord"]))
                verifier.verify_message(token, parsed.message())
            except (VerificationError, ValueError, KeyError):
                # A file the TSA did not stamp over exactly this anchor counts as forged.
                parsed = Anker(parsed.gemeente, parsed.volgnummer, parsed.laatste_hash, "", "")
            found.append(parsed)
        return found

    def _verifier(self, nonce: int | None = None):  # type: ignore[no-untyped-def]
        from cryptography import x509
        from rfc3161_client import VerifierBuilder

        roots = x509.load_pem_x509_certificates(self.ca_file.read_bytes())
        builder = VerifierBuilder(roots=roots)
        if nonce is not None:
            builder = builder.nonce(nonce)
        return builder.build()


_WITNESSES: dict[int, tuple[WitnessSettings, Getuige]] = {}


def witness_from_settings(settings: WitnessSettings) -> Getuige:
    """The configured witness, its secrets resolved (one per settings object: a database
    witness keeps its connection pool)."""
    cached = _WITNESSES.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    getuige = _build(settings)
    _WITNESSES[id(settings)] = (settings, getuige)
    return getuige


def _build(settings: WitnessSettings) -> Getuige:
    if settings.type == "database":
        assert settings.database_url is not None
        return DatabaseGetuige(settings.database_url.resolve())
    if settings.type == "syslog":
        assert settings.syslog_address is not None
        return SyslogGetuige(settings.syslog_address, settings.read_path)
    assert settings.tsa_url is not None and settings.directory and settings.tsa_ca_file
    return TsaGetuige(settings.tsa_url, settings.directory, settings.tsa_ca_file)


def anchor_all(store: Store, sleutels: Iterable[LogboekSleutels], getuige: Getuige) -> int:
    """Anchor every gemeente's head; a gemeente that fails is logged and the others go on."""
    done = 0
    for keys in sleutels:
        try:
            with store.session() as session:
                anchor(session, keys, getuige)
            done += 1
        except Exception as exc:
            log.warning(
                "logboek head of gemeente %s not anchored: %s", keys.gemeente, type(exc).__name__
            )
    return done


def witness_settings_in(config_dir: Path) -> WitnessSettings | None:
    """``[witness]`` of ``<config_dir>/hub.toml`` (for commands that load no runtime)."""
    path = config_dir / "hub.toml"
    if not path.exists():
        return None
    with path.open("rb") as fh:
        raw = tomllib.load(fh).get("witness")
    return None if raw is None else WitnessSettings.model_validate(raw)
