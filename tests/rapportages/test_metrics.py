"""``/metrics``: klantcontacten per afhandeling and kanaal, open and overdue contactverzoeken;
and the Grafana dashboard in docs/ queries only metrics the hub exports."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from hub.klantcontacten.tables import ContactverzoekRij
from tests.klantcontacten.conftest import Hub, terugbelverzoek

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-kcc-hub.json"
NAAM = re.compile(r"\b(kcc_hub_[a-z0-9_]+)")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")


def _metrics(hub: Hub) -> str:
    # /metrics answers loopback clients only (no metrics token configured).
    loopback = TestClient(hub.client.app, client=("127.0.0.1", 50_000))
    response = loopback.get("/metrics")
    assert response.status_code == 200
    return response.text


def _waarde(tekst: str, naam: str, **labels: str) -> float | None:
    for regel in tekst.splitlines():
        m = SAMPLE.match(regel)
        if m and m.group(1) == naam:
            gegeven = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
            if all(gegeven.get(k) == v for k, v in labels.items()):
                return float(m.group(3))
    return None


def test_a_registered_klantcontact_counts_per_afhandeling_and_kanaal(hub: Hub) -> None:
    labels = {"gemeente": "9999", "afhandeling": "contactverzoek", "kanaal": "telefoon"}
    voor = _waarde(_metrics(hub), "kcc_hub_klantcontacten_total", **labels) or 0.0
    key = hub.headers("kcc-medewerker")
    body = terugbelverzoek({"afdeling": "Burgerzaken"})
    assert hub.client.post(hub.url("klantcontacten"), json=body, headers=key).status_code == 201
    # The same Idempotency-Key again is a replay, not a second contact.
    assert hub.client.post(hub.url("klantcontacten"), json=body, headers=key).status_code == 201
    na = _waarde(_metrics(hub), "kcc_hub_klantcontacten_total", **labels)
    assert na == voor + 1


def test_open_and_overdue_contactverzoeken_are_gauges_per_gemeente(hub: Hub) -> None:
    for _ in range(3):
        response = hub.client.post(
            hub.url("klantcontacten"),
            json=terugbelverzoek({"afdeling": "Burgerzaken"}),
            headers=hub.headers("kcc-medewerker"),
        )
        assert response.status_code == 201
    with hub.runtime.store.session() as session:
        een = session.query(ContactverzoekRij).filter_by(gemeente="9999").first()
        assert een is not None
        een.deadline = datetime.now(UTC) - timedelta(hours=1)
    tekst = _metrics(hub)
    assert _waarde(tekst, "kcc_hub_contactverzoeken_open", gemeente="9999") == 3
    assert _waarde(tekst, "kcc_hub_contactverzoeken_over_termijn", gemeente="9999") == 1
    assert _waarde(tekst, "kcc_hub_contactverzoeken_open", gemeente="0363") == 0


def test_the_grafana_dashboard_queries_only_metrics_in_the_output(hub: Hub) -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    tekst = _metrics(hub)
    bekend = {m.group(1) for r in tekst.splitlines() if (m := SAMPLE.match(r))}
    bekend |= set(re.findall(r"^# TYPE (\S+)", tekst, flags=re.MULTILINE))
    gevraagd = {
        naam
        for paneel in dashboard["panels"]
        for doel in paneel["targets"]
        for naam in NAAM.findall(doel["expr"])
    }
    gevraagd |= set(NAAM.findall(json.dumps(dashboard["templating"])))
    assert {"kcc_hub_klantcontacten_total", "kcc_hub_contactverzoeken_over_termijn"} <= gevraagd
    histogram = re.compile(r"_(bucket|sum|count)$")
    ontbreekt = {n for n in gevraagd if n not in bekend and histogram.sub("", n) not in bekend}
    assert not ontbreekt
