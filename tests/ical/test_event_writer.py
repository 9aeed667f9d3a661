"""EventWriter: a component written from plain values (and from lines escaped one by one) is the
record's chunk, byte for byte, which tests/ical/test_roundtrip.py pins to icalendar's."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.ical import render_event
from roadmap.ical.builder import EventWriter, escaped_line, utc_stamp

from .helpers import make_feed_event

# Line breaks of every kind, control characters, the escaped four and byte-order marks.
tricky = st.text(st.sampled_from("аб c\r\n\t\x01\x7f\\;,\ufeff^"), max_size=30)
SHAPES = [
    {"view": "due", "component": "VEVENT", "alarms": True, "alarm_time": None},
    {"view": "spans", "component": "VEVENT", "alarms": True, "alarm_time": time(9, 30)},
    {"view": "due", "component": "VTODO", "alarms": True, "alarm_time": time(9, 0)},
    {"view": "spans", "component": "VTODO", "alarms": False, "alarm_time": None},
]


def _write(writer: EventWriter, event, **extra) -> bytes:
    return writer.write(
        event.uid,
        event.summary,
        event.description,
        event.start,
        event.due,
        event.due_effective,
        event.url,
        event.categories,
        event.status,
        event.completed,
        event.sequence,
        utc_stamp(event.last_modified),
        None if event.created is None else utc_stamp(event.created),
        event.alarm_days,
        event.todo_status,
        **extra,
    )


@settings(max_examples=150, deadline=None)
@given(first=tricky, rest=st.lists(tricky, max_size=4), summary=tricky)
def test_lines_escaped_one_by_one_read_as_the_whole_description_escaped(first, rest, summary):
    lines = ["Мероприятие " + first, *rest]
    event = make_feed_event(summary=summary or "○", description="\n".join(lines))
    for shape in SHAPES:
        writer = EventWriter(**shape)
        expected = render_event(event, **shape)
        assert _write(writer, event) == expected
        assert (
            _write(writer, event, escaped_lines=[*map(escaped_line, lines[:-1]), escaped_line(lines[-1], last=True)])
            == expected
        )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("completed", [False, True])
@pytest.mark.parametrize("status", ["CONFIRMED", "TENTATIVE", "CANCELLED"])
def test_every_status_and_shape_as_the_record_renders(shape, completed, status):
    writer = EventWriter(**shape)
    for event in (
        make_feed_event(status=status, completed=completed),
        make_feed_event(status=status, completed=completed, todo_status="IN-PROCESS", created=None, url=None),
        make_feed_event(status=status, completed=completed, categories=[], alarm_days=()),
    ):
        assert _write(writer, event) == render_event(event, **shape)


def test_a_stamp_is_whole_seconds_in_utc_truncated():
    moment = datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    assert utc_stamp(moment) == "20261231T235959Z"
