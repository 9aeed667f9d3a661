"""The conclusions table (migration *_analysis_conclusions): up with its constraints, down
without a trace, on SQLite and PostgreSQL. Revisions are read from the script directory, so the
lead may renumber the file."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from roadmap.extensions import db
from tests.conftest import migration_revisions


@pytest.fixture
def before_conclusions(database_at):
    ours, previous = migration_revisions("_analysis_conclusions.py")
    database_at(previous)
    return ours, previous


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
