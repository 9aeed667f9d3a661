"""The occurrence-rows migration: every tally row learns how many rows its occurrence has,
exactly as the application counts them, and the column is gone again on the way down; SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from roadmap.demo import load_demo
from roadmap.extensions import db
from roadmap.models import OccurrenceTally, Task
from roadmap.models.task import tally_drift
from tests.conftest import database_revision, migration_revisions

MINE, BEFORE = migration_revisions("_occurrence_rows.py")


def test_the_rows_of_each_occurrence_are_counted_from_the_tallies_already_there(database_at):
    database_at(MINE)
    upgrade()
    load_demo()
    # One school's task of a shared occurrence moved by a few days: its occurrence has two rows.
    moved = db.session.scalars(
        select(Task)
        .where(
            Task.measure_id.in_(
                select(Task.measure_id)
                .group_by(Task.measure_id)
                .having(db.func.count(Task.organization_id.distinct()) > 1)
            )
        )
        .order_by(Task.id)
    ).first()
    moved.due_on += timedelta(days=3)
    moved.due_effective_on += timedelta(days=3)
    db.session.commit()
    pair = (OccurrenceTally.measure_id == moved.measure_id) & (OccurrenceTally.occurrence_key == moved.occurrence_key)
    assert db.session.scalars(select(OccurrenceTally.occurrence_rows).where(pair)).all() == [2, 2]
    kept = sorted(db.session.execute(select(OccurrenceTally.id, OccurrenceTally.occurrence_rows)).all())
    assert {rows for _id, rows in kept} == {1, 2}
    db.session.remove()
    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == BEFORE
        assert "occurrence_rows" not in {column["name"] for column in inspect(conn).get_columns("occurrence_tally")}
    upgrade(revision=MINE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == MINE
        table = OccurrenceTally.__table__
        assert sorted(conn.execute(select(table.c.id, table.c.occurrence_rows)).all()) == kept
        assert tally_drift(conn) == ([], [])
