"""The contingent and targets migration: two new tables, existing organizations and measures
untouched up and down, the constraints that keep a grade a school grade; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from roadmap.extensions import db
from tests.conftest import database_revision, migration_revisions

MINE, BEFORE = migration_revisions("_contingent_and_targets.py")


@pytest.fixture
def before_contingent(database_at):
    return database_at(BEFORE)


def test_grades_and_targets_come_and_go_without_touching_organizations(before_contingent):
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organization (id, full_name, short_name, kind, municipality, student_count, is_active)"
                " VALUES (1, 'Школа 1', 'СОШ № 1', 'school', 'г. Краснодар', 640, TRUE)"
            )
        )
    upgrade(revision=MINE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == MINE
        assert {"grade_count", "measure_target"} <= set(inspect(conn).get_table_names())
        conn.execute(text("INSERT INTO grade_count (organization_id, grade, students) VALUES (1, 9, 120)"))
        for bad in ("(1, 12, 10)", "(1, 8, -1)"):
            with pytest.raises(IntegrityError), conn.begin_nested():
                conn.execute(text(f"INSERT INTO grade_count (organization_id, grade, students) VALUES {bad}"))
        assert conn.execute(text("SELECT student_count FROM organization")).scalar_one() == 640
    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == BEFORE
        assert not {"grade_count", "measure_target"} & set(inspect(conn).get_table_names())
        assert conn.execute(text("SELECT short_name, student_count FROM organization")).one() == ("СОШ № 1", 640)
