"""The conclusions table (migration *_analysis_conclusions): up with its constraints, down
without a trace, on SQLite and PostgreSQL. Revisions are read from the script directory, so the
lead may renumber the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from roadmap import create_app
from roadmap.extensions import db
from tests.conftest import make_config, reset_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _fresh_url(tmp_path) -> str:
    # Self-contained on purpose: main's tests/conftest.py now has a `database_at` fixture for
    # this; switch to it at merge.
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from roadmap.config import normalize_database_url

        return normalize_database_url(url)
    return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


def _revisions() -> tuple[str, str]:
    script = ScriptDirectory(str(MIGRATIONS))
    ours = next(r for r in script.walk_revisions() if r.module.__file__.endswith("_analysis_conclusions.py"))
    return ours.revision, ours.down_revision


@pytest.fixture
def before_conclusions(tmp_path, migrated):
    url = _fresh_url(tmp_path)
    reset_database(url)
    app = create_app(make_config(tmp_path, url))
    ours, previous = _revisions()
    with app.app_context():
        upgrade(revision=previous)
        try:
            yield ours, previous
        finally:
            db.session.remove()
            db.engine.dispose()
            if url.startswith("postgresql"):
                reset_database(url)
                upgrade()
                db.engine.dispose()


def test_conclusions_table_up_and_down(before_conclusions):
    ours, previous = before_conclusions
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO roadmap (id, title, period_start, period_end, year_type, shift_rule, status, updated_at,"
                " feed_version) VALUES (1, 'Карта', '2025-01-01', '2025-12-31', 'calendar', 'next', 'published',"
                " '2026-01-01 00:00:00+00', 0)"
            )
        )
    upgrade(revision=ours)
    insert = (
        "INSERT INTO report_conclusion (roadmap_id, plan_year, part, section_id, text, updated_at)"
        " VALUES (1, 2025, 'report', NULL, 'Выводы', '2026-01-01 00:00:00+00')"
    )
    with db.engine.begin() as conn:
        conn.execute(text(insert))
        with pytest.raises(IntegrityError), conn.begin_nested():  # one text per part of a year's report
            conn.execute(text(insert))
        assert conn.execute(text("SELECT text FROM report_conclusion")).scalar_one() == "Выводы"
    downgrade(revision=previous)
    assert "report_conclusion" not in inspect(db.engine).get_table_names()
    with db.engine.begin() as conn:  # the roadmap is untouched
        assert conn.execute(text("SELECT title FROM roadmap")).scalar_one() == "Карта"
    upgrade(revision=ours)
    assert "report_conclusion" in inspect(db.engine).get_table_names()
