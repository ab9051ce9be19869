"""The availability tests run the hub's read-through store and route against the Exchange
doubles (through the real exchange plugin), with the fixtures of the plugin's own tests."""

from plugins.exchange.tests.conftest import _environment, ews, graph, kalenders, nu

__all__ = ["_environment", "ews", "graph", "kalenders", "nu"]
