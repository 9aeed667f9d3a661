"""Fixtures for the task tests: `committed_app` (committed data seen by several real sessions at
once) lives in tests/conftest.py, shared with the retry tests of tests/web."""
