"""The contingent-by-level migration: a new table for level totals, existing organizations and
their grades untouched up and down, the constraints that keep a level a level; SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from roadmap.extensions import db
from tests.conftest import database_revision, migration_revisions

MINE, BEFORE = migration_revisions("_contingent_by_level.py")


def test_level_totals_come_and_go_without_touching_organizations_or_grades(database_at):
    database_at(BEFORE)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organization (id, full_name, short_name, kind, student_count, is_active)"
                " VALUES (1, 'Школа 1', 'СОШ № 1', 'school', 640, TRUE)"
            )
        )
        conn.execute(text("INSERT INTO grade_count (organization_id, grade, students) VALUES (1, 9, 120)"))
    upgrade(revision=MINE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == MINE
        assert "level_count" in inspect(conn).get_table_names()
        conn.execute(text("INSERT INTO level_count (organization_id, level, students) VALUES (1, 'НОО', 300)"))
        for bad in ("(1, 'ДО', 10)", "(1, 'СОО', -1)", "(2, 'ООО', 10)", "(1, 'НОО', 5)"):
            with pytest.raises(IntegrityError), conn.begin_nested():
                conn.execute(text(f"INSERT INTO level_count (organization_id, level, students) VALUES {bad}"))
        assert conn.execute(text("SELECT level, students FROM level_count")).all() == [("НОО", 300)]
    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == BEFORE
        assert "level_count" not in inspect(conn).get_table_names()
        assert conn.execute(text("SELECT short_name, student_count FROM organization")).one() == ("СОШ № 1", 640)
        assert conn.execute(text("SELECT grade, students FROM grade_count")).one() == (9, 120)
