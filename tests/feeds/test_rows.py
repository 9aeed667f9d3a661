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


def test_the_cyclic_collector_is_paused_while_a_feed_is_built_and_back_after():
    import gc
    import threading

    from roadmap.feeds.render import cyclic_gc_paused

    assert gc.isenabled()
    inside, entered, release = [], threading.Event(), threading.Event()

    def other_build():
        with cyclic_gc_paused():
            entered.set()
            release.wait(5)
            inside.append(gc.isenabled())

    thread = threading.Thread(target=other_build)
    with cyclic_gc_paused():
        thread.start()
        assert entered.wait(5)
        assert not gc.isenabled()
    # The other build still runs: the collector stays off until the last build ends.
    assert not gc.isenabled()
    release.set()
    thread.join(5)
    assert inside == [False] and gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # a collector switched off by someone else stays off
    finally:
        gc.enable()
