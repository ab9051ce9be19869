"""Test infrastructure shared by several suites (real upstream servers started for tests)."""
