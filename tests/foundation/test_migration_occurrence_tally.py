"""The occurrence-tally migration: the tallies filled from the tasks already there, exactly as
the application keeps them, and gone again on the way down; SQLite and PostgreSQL."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from roadmap.demo import load_demo
from roadmap.extensions import db
from roadmap.models import OccurrenceTally, Task, TaskStatus
from roadmap.models.task import tally_drift
from tests.conftest import database_revision, migration_revisions

MINE, BEFORE = migration_revisions("_occurrence_tally.py")


def test_the_tallies_are_counted_from_the_tasks_already_there(database_at):
    database_at(MINE)
    upgrade()
    load_demo()  # tasks of every status with reports
    cancelled, claimed = db.session.scalars(select(Task).order_by(Task.id).limit(2)).all()
    cancelled.is_cancelled = True
    claimed.is_not_applicable, claimed.status = True, TaskStatus.SUBMITTED
    db.session.commit()
    kept = db.session.scalar(select(func.count()).select_from(OccurrenceTally))
    assert kept and db.session.scalar(select(func.count()).select_from(Task)) > kept
    assert db.session.scalar(select(func.count()).where(OccurrenceTally.cancelled_updated_at.is_not(None))) == 1
    assert db.session.scalar(select(func.sum(OccurrenceTally.submitted_na))) == 1
    db.session.remove()
    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == BEFORE
        assert "occurrence_tally" not in inspect(conn).get_table_names()
        assert "tallied_version" not in {column["name"] for column in inspect(conn).get_columns("roadmap")}
    upgrade(revision=MINE)
    with db.engine.begin() as conn:
        assert database_revision(conn) == MINE
        assert conn.execute(select(func.count()).select_from(OccurrenceTally.__table__)).scalar_one() == kept
        # In step at the counter's value: nothing to count again on the first feed.
        behind = "SELECT COUNT(*) FROM roadmap WHERE tallied_version <> feed_version"
        assert conn.execute(text(behind)).scalar_one() == 0
        assert conn.execute(text("SELECT MAX(feed_version) FROM roadmap")).scalar_one() > 0
    upgrade()  # the later migrations (occurrence rows) read these tallies as they were filled here
    with db.engine.begin() as conn:
        assert tally_drift(conn) == ([], [])
