"""Migrations reach head on an empty database, agree with the models, and downgrade."""

import os

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from roadmap import create_app
from roadmap.extensions import db
from tests.conftest import make_config, reset_database


def _fresh_url(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from roadmap.config import normalize_database_url

        return normalize_database_url(url)
    return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


def test_upgrade_check_and_downgrade_newest(tmp_path, migrated):
    # On PostgreSQL the session database is shared, so this test re-creates it at the end.
    url = _fresh_url(tmp_path)
    reset_database(url)
    app = create_app(make_config(tmp_path, url))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"organization", "user_account", "org_group", "alias", "audit_event"} <= tables
        # Models and migrations agree (what `flask db check` does).
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        downgrade(revision="-1")
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
