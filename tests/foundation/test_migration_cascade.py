"""The cascade's columns (migration *_cascade): a measure's parent and a municipal-only group, up
with existing rows keeping their meaning, down without a trace, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from roadmap.extensions import db
from tests.conftest import migration_revisions


@pytest.fixture
def before_cascade(database_at):
    ours, previous = migration_revisions("_cascade.py")
    database_at(previous)
    return ours, previous


def _columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def test_cascade_columns_up_and_down(before_cascade):
    ours, previous = before_cascade
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO roadmap (id, title, period_start, period_end, year_type, shift_rule, status, updated_at,"
                " feed_version) VALUES (1, 'Карта', '2025-01-01', '2025-12-31', 'calendar', 'next', 'published',"
                " '2026-01-01 00:00:00+00', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO measure (id, roadmap_id, number, title, deadline_text, schedule_kind, responsible_text,"
                " has_no_executor, position, is_removed, updated_at) VALUES (1, 1, '1.1', 'Мероприятие', 'сентябрь',"
                " 'unparsed', 'ОО', false, 0, false, '2026-01-01 00:00:00+00')"
            )
        )
        conn.execute(
            text("INSERT INTO org_group (id, name, kind, created_at) VALUES (1, 'ОО', 'school', '2026-01-01')")
        )
    upgrade(revision=ours)
    assert "parent_measure_id" in _columns("measure") and "is_municipal_only" in _columns("org_group")
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT parent_measure_id FROM measure")).scalar_one() is None
        assert not conn.execute(text("SELECT is_municipal_only FROM org_group")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO measure (id, roadmap_id, number, title, deadline_text, schedule_kind, responsible_text,"
                " has_no_executor, position, is_removed, updated_at, parent_measure_id) VALUES (2, 1, '1.2', 'Дочь',"
                " 'сентябрь', 'unparsed', 'ОО', false, 1, false, '2026-01-01 00:00:00+00', 1)"
            )
        )
    downgrade(revision=previous)
    assert "parent_measure_id" not in _columns("measure") and "is_municipal_only" not in _columns("org_group")
    with db.engine.begin() as conn:  # the rows stay
        assert conn.execute(text("SELECT count(*) FROM measure")).scalar_one() == 2
        assert conn.execute(text("SELECT name FROM org_group")).scalar_one() == "ОО"
    upgrade(revision=ours)
    assert "parent_measure_id" in _columns("measure")
