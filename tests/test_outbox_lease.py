"""The meldingen outbox claim is a short lease: renewed while a worker submits, free again
soon after a worker crashes. On SQLite and PostgreSQL, with the real Fixi plugin and double."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hub.caller import Caller
from hub.domain.meldingen import Locatie, NieuweMelding
from hub.meldingen import accept, pending_outbox, submit_outbox
from hub.meldingen.outbox import LEASE_ENV, claim_lease
from hub.meldingen.tables import OutboxRij
from hub.scheduler import OUTBOX_SWEEP_SECONDS
from hub.store.base import utcnow
from hub.store.db import Store, make_engine
from plugins.fixi.double import FixiDouble, run_fixi_double
from tests.support.fixtures import REPO
from tests.support.outbox_worker import FIXI_CLIENT, FIXI_SECRET_ENV, fixi_host

SECRET = "fixi-geheim-voor-de-lease-tests-0123"
AGENT = Caller("p.bakker", "Pieter Bakker", frozenset({"kcc-medewerker"}), frozenset({"9999"}))


@pytest.fixture
def fixi(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixiDouble]:
    monkeypatch.setenv("KCC_HUB_LOAD_PLUGINS", "fixi")
    monkeypatch.setenv(FIXI_SECRET_ENV, SECRET)
    with run_fixi_double(clients={FIXI_CLIENT: SECRET}) as double:
        yield double


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store(make_engine(database_url))
    yield s
    s.engine.dispose()


def _melding(store: Store, key: str) -> str:
    melding, _ = accept(
        store,
        "9999",
        AGENT,
        key,
        NieuweMelding(
            categorie="Straatverlichting",
            omschrijving="Lantaarnpaal brandt niet",
            locatie=Locatie(adres="Dorpsstraat 12", woonplaats="Demodam", lat=52.09, lon=5.12),
        ),
    )
    return melding.id


def _claimed_until(store: Store, melding_id: str) -> datetime | None:
    with store.session() as session:
        row = session.scalars(select(OutboxRij).where(OutboxRij.melding_id == melding_id)).one()
        return row.geclaimd_tot


def _wait_until(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_a_crashed_workers_melding_is_free_once_its_lease_runs_out_and_filed_once(
    store: Store, database_url: str, fixi: FixiDouble
) -> None:
    melding_id = _melding(store, "lease-crash")
    # The worker's creation reaches Fixi, whose answer then takes long: killed mid-submission.
    fixi.faults.hang_after_create = 1
    fixi.faults.hang_after_create_seconds = 60
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.outbox_worker",
            database_url,
            fixi.base_url,
            melding_id,
        ],
        cwd=REPO,
        env={**os.environ, LEASE_ENV: "2"},
        stdout=subprocess.PIPE,
    )
    try:
        assert _wait_until(lambda: fixi.issues_with_reference(melding_id) != [], 60)
        assert pending_outbox(store) == []  # claimed by the worker
    finally:
        worker.kill()  # SIGKILL: no finally, no clean-up in the worker
        worker.wait()

    # Nobody renews the claim any more: the sweeper sees the melding once the lease has run out.
    assert _wait_until(lambda: pending_outbox(store) == [("9999", melding_id)], 30)
    assert submit_outbox(store, fixi_host(fixi.base_url), "9999", melding_id) == "ingediend"
    assert len(fixi.issues_with_reference(melding_id)) == 1  # the crashed worker's copy, found
    assert pending_outbox(store, now=utcnow() + timedelta(days=1)) == []


def test_a_submission_that_outlasts_the_lease_keeps_its_claim_by_renewing_it(
    store: Store, fixi: FixiDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LEASE_ENV, "1")
    melding_id = _melding(store, "lease-heartbeat")
    fixi.faults.hang_after_create = 1
    fixi.faults.hang_after_create_seconds = 4  # four leases long
    results: list[str] = []
    first = threading.Thread(
        target=lambda: results.append(
            submit_outbox(store, fixi_host(fixi.base_url), "9999", melding_id)
        )
    )
    first.start()
    assert _wait_until(lambda: fixi.issues_with_reference(melding_id) != [], 30)
    claimed = _claimed_until(store, melding_id)
    assert claimed is not None

    # The first lease runs out while the submission still waits for Fixi …
    assert _wait_until(lambda: utcnow() > claimed + timedelta(milliseconds=200), 10)
    renewed = _claimed_until(store, melding_id)
    # … but the worker renewed its claim, so a second worker leaves the melding alone.
    assert renewed is not None and renewed > claimed
    assert submit_outbox(store, fixi_host(fixi.base_url), "9999", melding_id) == "bezet"
    assert pending_outbox(store) == []

    first.join(30)
    assert results == ["ingediend"]
    assert len(fixi.issues_with_reference(melding_id)) == 1
    assert _claimed_until(store, melding_id) is None


def test_the_lease_is_shorter_than_a_minute_and_configurable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(LEASE_ENV, raising=False)
    assert claim_lease() == timedelta(seconds=30)
    # With the scheduler's sweep, a crashed worker's meldingen move on within a minute.
    assert claim_lease().total_seconds() + OUTBOX_SWEEP_SECONDS < 60
    monkeypatch.setenv(LEASE_ENV, "45")
    assert claim_lease() == timedelta(seconds=45)
    for wrong in ("60", "0", "dertig", "-5"):
        monkeypatch.setenv(LEASE_ENV, wrong)
        with pytest.raises(ValueError, match=LEASE_ENV):
            claim_lease()
