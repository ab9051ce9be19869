"""The zaken route tests run against two ZGW doubles (through the real zaak plugin), with the
fixtures of the plugin's own tests."""

from plugins.zaak.tests.conftest import _fresh, zaaksysteem_a, zaaksysteem_b

__all__ = ["_fresh", "zaaksysteem_a", "zaaksysteem_b"]
