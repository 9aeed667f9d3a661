"""The direct writer against icalendar, over property-generated feeds of every text shape.

roadmap.ical.builder writes iCalendar text without icalendar objects; these tests prove it
writes exactly the bytes icalendar's ``to_ical()`` gives for the same components (see
reference.py): Cyrillic, emoji, every escape, control characters, byte-order marks, long lines
folded across multi-byte characters and escapes, and every shape of feed.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.ical import FeedCalendar, FeedEvent, build_calendar, render_event
from roadmap.ical.builder import chunk_cache

from .helpers import items
from .reference import reference_bytes

# Characters a feed meets: Cyrillic, the escapes, line breaks, controls, emoji, marks.
SPECIAL = [
    "\\",
    ";",
    ",",
    ":",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\ufeff",
    "^",
    '"',
    "\\N",
    "\\n",
    "😀",
    "👩‍👩‍👧",
    "€",
    "№",
    "«",
    "»",
    "—",
    "ё",
    "й",
    "\u0301",
    " ",
]
fragment = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(st.characters(min_codepoint=0x400, max_codepoint=0x4FF), max_size=30),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=10),
)
# Long lines: a fragment repeated across several fold points.
text = st.one_of(
    st.lists(fragment, max_size=12).map("".join),
    st.tuples(fragment, st.integers(1, 60)).map(lambda pair: pair[0] * pair[1]),
)
moments = st.datetimes(
    min_value=datetime(2015, 1, 1),
    max_value=datetime(2039, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5, minutes=-30))]),
)


@st.composite
def feed_events(draw, uid: str) -> FeedEvent:
    start = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2038, 1, 1)))
    due = start + timedelta(days=draw(st.integers(0, 400)))
    return FeedEvent(
        uid=uid + draw(st.sampled_from(["", ",x;y", "\\N"])),
        summary=draw(text),
        description=draw(text),
        start=start,
        due=due,
        due_effective=due + timedelta(days=draw(st.integers(0, 5))),
        url=draw(
            st.one_of(st.none(), st.just("https://roadmap.example/tasks/1?a=1,2;b"), st.just("https://x/" + "я" * 40))
        ),
        categories=draw(st.lists(text.filter(bool), max_size=3)),
        status=draw(st.sampled_from(["CONFIRMED", "TENTATIVE", "CANCELLED"])),
        completed=draw(st.booleans()),
        sequence=draw(st.integers(0, 10_000)),
        last_modified=draw(moments),
        created=draw(st.one_of(st.none(), moments)),
        alarm_days=tuple(draw(st.lists(st.integers(0, 60), max_size=4))),
        todo_status=draw(st.one_of(st.none(), st.sampled_from(["IN-PROCESS", "NEEDS-ACTION"]))),
    )


calendars = st.builds(
    FeedCalendar,
    name=text.filter(bool),
    description=st.one_of(st.none(), text),
    timezone=st.sampled_from(["Europe/Moscow", "Asia/Yekaterinburg", "Europe/Kaliningrad", "Europe/Berlin"]),
    refresh_minutes=st.integers(1, 3000),
)
shapes = st.fixed_dictionaries(
    {
        "view": st.sampled_from(["due", "spans"]),
        "component": st.sampled_from(["VEVENT", "VTODO"]),
        "alarms": st.booleans(),
        "alarm_time": st.one_of(st.none(), st.times()),
    }
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendar=calendars,
    events=st.lists(st.integers(0, 10**6), min_size=0, max_size=4, unique=True).flatmap(
        lambda ids: st.tuples(*(feed_events(f"task-{i}@roadmap.example") for i in ids))
    ),
    shape=shapes,
)
def test_direct_writer_is_byte_identical_to_icalendar(calendar, events, shape):
    chunk_cache.clear()
    body = build_calendar(calendar, list(events), **shape)
    assert body == reference_bytes(calendar, list(events), **shape)
    # A second render comes from the chunk cache and must not differ.
    assert build_calendar(calendar, list(events), **shape) == body
    # icalendar reads it back: one component per event.
    assert len(items(body)) == len(events)


@settings(max_examples=200, deadline=None)
@given(summary=text, description=text, shape=shapes)
def test_every_text_shape_folds_and_escapes_like_icalendar(summary, description, shape):
    event = FeedEvent(
        uid="task-1@roadmap.example",
        summary=summary,
        description=description,
        start=date(2026, 9, 1),
        due=date(2026, 9, 30),
        due_effective=date(2026, 9, 30),
        url=None,
        categories=[summary or "-", description or "-"],
        status="CONFIRMED",
        completed=False,
        sequence=0,
        last_modified=datetime(2026, 8, 1, 9, 30, 15, 123456, tzinfo=UTC),
        created=None,
    )
    calendar = FeedCalendar(name=summary or "Школа", description=description)
    assert build_calendar(calendar, [event], **shape) == reference_bytes(calendar, [event], **shape)


def test_equal_records_share_one_rendered_chunk():
    def event(summary: str) -> FeedEvent:
        return FeedEvent(
            uid="task-1@roadmap.example",
            summary=summary,
            description="",
            start=date(2026, 9, 1),
            due=date(2026, 9, 1),
            due_effective=date(2026, 9, 1),
            url=None,
            categories=["Раздел 3"],
            status="CONFIRMED",
            completed=False,
            sequence=0,
            last_modified=datetime(2026, 8, 1, tzinfo=UTC),
            created=None,
        )

    chunk_cache.clear()
    first = render_event(event("○ 3.4 Экскурсии"))
    assert render_event(event("○ 3.4 Экскурсии")) is first
    # A changed record renders anew, and a different reminder hour is a different chunk.
    assert b"3.5" in render_event(event("○ 3.5 Экскурсии"))
    assert render_event(event("○ 3.4 Экскурсии"), alarm_time=time(9)) != first
