"""The reference: the same feed built with ``icalendar`` objects and serialised by its ``to_ical()``.

roadmap.ical.builder writes the text directly; the property tests prove it writes exactly these
bytes. This is the builder the project used before (components, properties and parameters of
``icalendar``), kept here as the definition of the expected output.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Component, Event, Timezone, Todo
from icalendar.prop import vCategory, vDate, vDatetime, vDuration, vInt, vText, vUri

from roadmap.ical import FeedCalendar, FeedEvent, order_events
from roadmap.ical.builder import (
    _VTIMEZONE_FIRST_DATE,
    _VTIMEZONE_LAST_DATE,
    _event_todo_status,
    _trigger_offset,
    clean_text,
)
from roadmap.ical.text import days_before_phrase, format_window


class _Text(vText):
    """TEXT value with RFC 5545 escaping only (no icalendar "\\N" quirk)."""

    __slots__ = ()

    def to_ical(self) -> bytes:
        return self.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n").encode("utf-8")


@lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> Timezone:
    zone = Timezone.from_tzid(tzid, first_date=_VTIMEZONE_FIRST_DATE, last_date=_VTIMEZONE_LAST_DATE)
    # RFC 5545 has no COMMENT at VTIMEZONE level (only inside STANDARD/DAYLIGHT).
    zone.pop("COMMENT", None)
    return zone


def _date(value) -> vDate:
    return vDate(value, params={"VALUE": "DATE"})


def _utc(value: datetime) -> vDatetime:
    return vDatetime(value.astimezone(UTC))


def _alarms(event, summary, *, related_end, end_shift, alarm_time) -> list[Alarm]:
    alarms = []
    for days in sorted(set(event.alarm_days), reverse=True):
        alarm = Alarm()
        alarm["ACTION"] = vText("DISPLAY")
        alarm["DESCRIPTION"] = _Text(f"Срок {days_before_phrase(days)}: {summary}")
        trigger = vDuration(_trigger_offset(days, alarm_time) - end_shift)
        if related_end:
            trigger.params["RELATED"] = "END"
        alarm["TRIGGER"] = trigger
        alarms.append(alarm)
    return alarms


def component_of(event: FeedEvent, *, view: str, component: str, alarms: bool, alarm_time: time | None) -> Component:
    summary = clean_text(event.summary)
    window = "Срок: " + format_window(event.start, event.due, event.due_effective)
    description = clean_text(event.description)
    description = f"{description}\n\n{window}" if description else window

    comp: Component = Event() if component == "VEVENT" else Todo()
    comp["UID"] = _Text(event.uid)
    comp["DTSTAMP"] = _utc(event.last_modified)
    comp["LAST-MODIFIED"] = _utc(event.last_modified)
    if event.created is not None:
        comp["CREATED"] = _utc(event.created)
    comp["SEQUENCE"] = vInt(event.sequence)
    comp["SUMMARY"] = _Text(summary)
    comp["DESCRIPTION"] = _Text(description)
    if event.url is not None:
        comp["URL"] = vUri(event.url)
    if event.categories:
        categories = vCategory([])
        categories.cats = [_Text(clean_text(c)) for c in event.categories]
        comp["CATEGORIES"] = categories

    day = timedelta(days=1)
    if component == "VEVENT":
        start = event.due_effective if view == "due" else event.start
        comp["DTSTART"] = _date(start)
        comp["DTEND"] = _date(event.due_effective + day)
        comp["STATUS"] = vText(event.status)
        comp["TRANSP"] = vText("TRANSPARENT")
        related_end = view == "spans"
        end_shift = day if related_end else timedelta(0)
        status = event.status
    else:
        if event.start < event.due_effective:
            comp["DTSTART"] = _date(event.start)
        comp["DUE"] = _date(event.due_effective)
        status = _event_todo_status(event)
        comp["STATUS"] = vText(status)
        comp["PERCENT-COMPLETE"] = vInt(100 if status == "COMPLETED" else 0)
        if status == "COMPLETED":
            comp["COMPLETED"] = _utc(event.last_modified)
        related_end = True
        end_shift = timedelta(0)

    if alarms and not event.completed and status != "CANCELLED":
        for alarm in _alarms(event, summary, related_end=related_end, end_shift=end_shift, alarm_time=alarm_time):
            comp.add_component(alarm)
    return comp


def reference_calendar(
    calendar: FeedCalendar,
    events: Sequence[FeedEvent],
    *,
    view: str = "due",
    component: str = "VEVENT",
    alarms: bool = True,
    alarm_time: time | None = None,
) -> Calendar:
    cal = Calendar()
    cal["VERSION"] = vText("2.0")
    cal["PRODID"] = _Text(clean_text(calendar.prodid))
    cal["CALSCALE"] = vText("GREGORIAN")
    cal["METHOD"] = vText("PUBLISH")
    name = _Text(clean_text(calendar.name).replace("\n", " "))
    cal["NAME"] = name
    cal["X-WR-CALNAME"] = name
    if calendar.description:
        description = _Text(clean_text(calendar.description))
        cal["DESCRIPTION"] = description
        cal["X-WR-CALDESC"] = description
    cal["X-WR-TIMEZONE"] = vText(calendar.timezone)
    refresh = timedelta(minutes=calendar.refresh_minutes)
    cal["REFRESH-INTERVAL"] = vDuration(refresh, params={"VALUE": "DURATION"})
    cal["X-PUBLISHED-TTL"] = vDuration(refresh)
    cal.add_component(_vtimezone(calendar.timezone))
    for event in order_events(events):
        cal.add_component(component_of(event, view=view, component=component, alarms=alarms, alarm_time=alarm_time))
    return cal


def reference_bytes(calendar: FeedCalendar, events: Sequence[FeedEvent], **shape) -> bytes:
    """What ``icalendar`` writes for the feed: the bytes the direct writer must equal."""
    return reference_calendar(calendar, events, **shape).to_ical()
