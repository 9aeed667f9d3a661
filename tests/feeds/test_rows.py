"""A per-task feed's rows carry the text its events write: instants formatted by the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import literal, select

from roadmap.extensions import db
from roadmap.feeds.query import ical_utc
from roadmap.ical.builder import utc_stamp
from roadmap.models.base import UTCDateTime


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),  # truncated, never rounded into 2027
        datetime(2024, 2, 29, 0, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 2, 30, 5, 500_000, tzinfo=timezone(timedelta(hours=3))),  # stored in UTC
    ],
)
def test_the_database_formats_an_instant_as_the_writer_does(app, moment):
    stamp = db.session.execute(select(ical_utc(literal(moment, UTCDateTime())))).scalar_one()
    assert stamp == utc_stamp(moment)
