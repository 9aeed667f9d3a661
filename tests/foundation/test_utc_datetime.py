"""UTCDateTime reads every instant back aware and in UTC, on SQLite by its own fast parse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite

from roadmap.extensions import db
from roadmap.models import AuditEvent
from roadmap.models.base import UTCDateTime

PROCESS = UTCDateTime().result_processor(sqlite.dialect(), None)


@pytest.mark.parametrize(
    ("stored", "moment"),
    [
        ("2026-12-07 23:01:52.123456", datetime(2026, 12, 7, 23, 1, 52, 123456, tzinfo=UTC)),
        ("2026-12-07 23:01:52", datetime(2026, 12, 7, 23, 1, 52, tzinfo=UTC)),
        ("2026-12-07 23:01:52+03:00", datetime(2026, 12, 7, 20, 1, 52, tzinfo=UTC)),
        ("2026-12-07T23:01:52Z", datetime(2026, 12, 7, 23, 1, 52, tzinfo=UTC)),
        ("2026-12-07", datetime(2026, 12, 7, tzinfo=UTC)),
    ],
)
def test_sqlite_text_is_read_as_an_aware_utc_instant(stored, moment):
    found = PROCESS(stored)
    assert found == moment and found.utcoffset() == timedelta(0)


def test_none_stays_none():
    assert PROCESS(None) is None


def test_an_instant_written_is_the_instant_read(app):
    moment = datetime(2026, 3, 29, 1, 30, 15, 250000, tzinfo=timezone(timedelta(hours=3)))
    db.session.add(AuditEvent(action="test.instant", at=moment))
    db.session.commit()
    db.session.expire_all()
    found = db.session.scalars(select(AuditEvent.at).where(AuditEvent.action == "test.instant")).one()
    assert found == moment and found.tzinfo is not None and found.utcoffset() == timedelta(0)
    if db.engine.dialect.name == "sqlite":  # stored as SQLAlchemy's text, in UTC
        raw = db.session.execute(text("SELECT at FROM audit_event WHERE action = 'test.instant'")).scalar_one()
        assert raw == "2026-03-28 22:30:15.250000"
