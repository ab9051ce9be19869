"""Fixtures shared by the core's and the plugins' tests (see tests/support/fixtures.py)."""

pytest_plugins = ["tests.support.fixtures"]
