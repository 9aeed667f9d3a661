"""Property tests: any text survives the trip through the feed unchanged."""

from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from roadmap.ical import (
    FeedCalendar,
    assemble_calendar,
    assembled_size,
    build_calendar,
    calendar_head,
    order_events,
    render_event,
    render_events,
    size_at_least,
)

from .helpers import items, make_feed_event, normalised, physical_lines
from .reference import reference_bytes

# What a TEXT value may carry: no surrogates (not encodable) and no control characters
# other than TAB and LF (RFC 5545 forbids them; the builder drops them).
clean_text = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="".join(map(chr, [*range(9), *range(11, 32), 127]))),
    max_size=400,
)
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)


@settings(max_examples=300, deadline=None)
@given(summary=clean_text, description=clean_text, category=clean_text.filter(bool))
def test_text_round_trips_through_icalendar(summary, description, category):
    event = make_feed_event(summary=summary, description=description, categories=[category])
    body = build_calendar(FeedCalendar(name="Школа"), [event])
    [parsed] = items(body)
    assert parsed["SUMMARY"] == summary
    window = "Срок: 1–30 сентября 2023 г. (перенесён на 2 октября 2023 г. — выходной)"
    assert parsed["DESCRIPTION"] == (f"{description}\n\n{window}" if description else window)
    assert parsed.categories == [category]


@settings(max_examples=200, deadline=None)
@given(text=any_text)
def test_any_text_is_normalised_not_broken(text):
    body = build_calendar(FeedCalendar(name=text or "Школа"), [make_feed_event(summary=text)])
    expected = normalised(text)
    [parsed] = items(body)
    assert parsed["SUMMARY"] == expected
    for line in physical_lines(body):
        assert len(line) <= 75
        line.decode("utf-8")


@settings(max_examples=100, deadline=None)
@given(
    start=st.dates(min_value=date(2015, 1, 1), max_value=date(2039, 1, 1)),
    length=st.integers(0, 400),
    moved=st.integers(0, 14),
    view=st.sampled_from(["due", "spans"]),
    component=st.sampled_from(["VEVENT", "VTODO"]),
)
def test_dates_are_all_day_and_ordered(start, length, moved, view, component):
    due = start + timedelta(days=length)
    event = make_feed_event(start=start, due=due, due_effective=due + timedelta(days=moved))
    body = build_calendar(FeedCalendar(name="Школа"), [event], view=view, component=component)
    calendar = Calendar.from_ical(body)
    assert calendar.get_missing_tzids() == set()
    [parsed] = items(body)
    if component == "VEVENT":
        assert type(parsed.start) is date and type(parsed.end) is date
        assert parsed.end > parsed.start
        assert parsed.end == event.due_effective + timedelta(days=1)
    else:
        assert parsed.decoded("DUE") == event.due_effective
        assert "DTSTART" not in parsed or parsed.decoded("DTSTART") < parsed.decoded("DUE")


@settings(max_examples=300, deadline=None)
@given(summary=any_text, description=any_text, name=any_text)
def test_direct_writer_matches_icalendar_byte_for_byte(summary, description, name):
    events = [make_feed_event(summary=summary, description=description, categories=[summary or "-"])]
    calendar = FeedCalendar(name=name or "Школа", description=description or None)
    assert build_calendar(calendar, events) == reference_bytes(calendar, events)


@pytest.mark.parametrize("filler", ["a", "я", "€", "😀"])
@pytest.mark.parametrize("tail", ["\\", "\\\\", ",", ";", "\n", "^", "я\\"])
def test_direct_writer_matches_icalendar_at_every_boundary(filler, tail):
    # Slide an escape or a multi-byte character across the first few fold points.
    for offset in range(160):
        summary = filler * offset + tail + "конец"
        events = [make_feed_event(summary=summary)]
        assert build_calendar(FeedCalendar(name="Школа"), events) == reference_bytes(
            FeedCalendar(name="Школа"), events
        ), summary


@pytest.mark.parametrize("component", ["VEVENT", "VTODO"])
@pytest.mark.parametrize("view", ["due", "spans"])
@pytest.mark.parametrize("alarm_time", [None, time(9, 30)])
def test_direct_writer_and_chunks_match_icalendar_in_every_shape(component, view, alarm_time):
    events = [
        make_feed_event(uid=f"task-{n}@roadmap.example", sequence=n, alarm_days=(3, 1), completed=n == 2)
        for n in range(4)
    ] + [make_feed_event(uid="task-9@roadmap.example", status="TENTATIVE", created=None, url=None, categories=[])]
    calendar = FeedCalendar(name="Школа", description="Окно; сроки, всё")
    shape = {"view": view, "component": component, "alarm_time": alarm_time}
    assert build_calendar(calendar, events, **shape) == reference_bytes(calendar, events, **shape)
    # The chunks of each event, in feed order, assemble to the very same calendar...
    body = build_calendar(calendar, events, **shape)
    chunks = render_events(list(reversed(events)), **shape)
    assert assemble_calendar(calendar, chunks) == body
    assert assembled_size(calendar_head(calendar), chunks) == len(body)
    # ...and a subsequence of them is the calendar of those events alone.
    assert assemble_calendar(calendar, chunks[1:3]) == build_calendar(calendar, order_events(events)[1:3], **shape)
    with pytest.raises(ValueError, match="duplicate UID"):
        render_events([events[0], events[0]], **shape)


@settings(max_examples=200, deadline=None)
@given(summary=any_text, description=any_text)
def test_size_lower_bound_never_exceeds_the_rendered_event(summary, description):
    event = make_feed_event(summary=summary, description=description)
    for shape in ({}, {"view": "spans"}, {"component": "VTODO", "alarms": False}):
        assert size_at_least(event) <= len(render_event(event, **shape))


@pytest.mark.parametrize("text", ["\ufeff", "\ufeffШкола", "a\ufeff"])
def test_direct_writer_drops_a_leading_byte_order_mark_as_icalendar_does(text):
    calendar, events = FeedCalendar(name=text, description=text), [make_feed_event(summary=text, categories=[text])]
    assert build_calendar(calendar, events) == reference_bytes(calendar, events)
