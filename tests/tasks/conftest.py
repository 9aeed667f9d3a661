"""Fixtures for tests that need committed data seen by several real sessions at once."""

import os

import pytest
from flask_migrate import upgrade

from roadmap import create_app
from roadmap.extensions import db
from tests.conftest import make_config, reset_database


@pytest.fixture
def committed_app(tmp_path, migrated):
    """An app on a database of its own, migrated and empty, whose sessions really commit."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from roadmap.config import normalize_database_url

        url = normalize_database_url(url)
    else:
        url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    reset_database(url)
    app = create_app(make_config(tmp_path, url, RATELIMIT_ENABLED=False))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()
    if os.environ.get("TEST_DATABASE_URL"):
        # Leave the shared PostgreSQL database migrated for the rest of the session.
        reset_database(url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
