"""Loopback Open Klant (Klantinteracties API 0.9.0) for tests and the demo."""

from plugins.openklant.double.server import (
    DEFAULT_TOKEN,
    Faults,
    OpenKlantDouble,
    run_openklant_double,
)

__all__ = ["DEFAULT_TOKEN", "Faults", "OpenKlantDouble", "run_openklant_double"]
