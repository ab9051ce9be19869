"""Prometheus metrics, exposed at ``/metrics``. Labels never carry person data."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "kcc_hub_http_requests_total",
    "HTTP requests by route template, method, status and gemeente.",
    ["route", "method", "status", "gemeente"],
)
REQUEST_LATENCY = Histogram(
    "kcc_hub_http_request_duration_seconds",
    "HTTP request latency by route template and gemeente.",
    ["route", "method", "gemeente"],
)
UPSTREAM_CALLS = Counter(
    "kcc_hub_upstream_calls_total",
    "Calls into plugins (each attempt), by plugin, hook and gemeente.",
    ["plugin", "hook", "gemeente"],
)
UPSTREAM_ERRORS = Counter(
    "kcc_hub_upstream_errors_total",
    "Failed plugin calls by plugin, hook, gemeente and error kind.",
    ["plugin", "hook", "gemeente", "kind"],
)
UPSTREAM_LATENCY = Histogram(
    "kcc_hub_upstream_call_duration_seconds",
    "Plugin call latency by plugin and hook.",
    ["plugin", "hook"],
)
CIRCUIT_STATE = Gauge(
    "kcc_hub_plugin_circuit_state",
    "Circuit breaker per gemeente and plugin: 0 closed, 1 half-open, 2 open.",
    ["gemeente", "plugin"],
)
SYNC_RUNS = Counter(
    "kcc_hub_sync_runs_total",
    "Sync runs by plugin, gemeente and outcome.",
    ["plugin", "gemeente", "outcome"],
)
KLANTCONTACTEN = Counter(
    "kcc_hub_klantcontacten_total",
    "Klantcontacten registered, by gemeente, afhandeling and kanaal.",
    ["gemeente", "afhandeling", "kanaal"],
)
CONTACTVERZOEKEN_OPEN = Gauge(
    "kcc_hub_contactverzoeken_open",
    "Contactverzoeken open now, per gemeente (counted in the store at each scrape).",
    ["gemeente"],
)
CONTACTVERZOEKEN_OVER_TERMIJN = Gauge(
    "kcc_hub_contactverzoeken_over_termijn",
    "Open contactverzoeken past their deadline, per gemeente (counted at each scrape).",
    ["gemeente"],
)
