"""Build iCalendar feeds from plain values.

The feed views query tasks, compose Russian SUMMARY/DESCRIPTION texts and hand them
over as :class:`FeedEvent` records; :func:`build_calendar` turns them into the bytes
served as ``text/calendar``. Nothing here reads the clock: the same input always gives
byte-identical output, which is what makes ETags and 304 answers honest.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

from icalendar import Alarm, Calendar, Component, Event, Timezone, Todo
from icalendar.prop import (
    vCategory,
    vDate,
    vDatetime,
    vDuration,
    vInt,
    vText,
    vUri,
)

from roadmap.clock import DEFAULT_TIMEZONE
from roadmap.ical.text import days_before_phrase, format_window

__all__ = [
    "EVENT_STATUSES",
    "FeedCalendar",
    "FeedEvent",
    "assemble_calendar",
    "assembled_size",
    "build_calendar",
    "calendar_component",
    "calendar_head",
    "feed_etag",
    "order_events",
    "render_event",
    "render_events",
    "serialize",
    "size_at_least",
    "todo_status",
]

View = Literal["due", "spans"]
ComponentName = Literal["VEVENT", "VTODO"]

EVENT_STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})

# RFC 5545 CONTROL characters are not allowed in TEXT values; HTAB and LF are kept
# (LF becomes the "\n" escape). CR is normalised to LF before this table applies.
_CONTROLS = {c: None for c in (*range(0x09), *range(0x0B, 0x20), 0x7F)}

# Moscow has kept UTC+3 without DST since October 2014; a VTIMEZONE describing the
# years a feed can cover stays a few lines long instead of 1970's full history.
_VTIMEZONE_FIRST_DATE = date(2015, 1, 1)
_VTIMEZONE_LAST_DATE = date(2040, 1, 1)

# Octets per folded chunk: 75 with the leading space of a continuation line.
_FOLD = 74


class _Text(vText):
    """TEXT value with RFC 5545 escaping only.

    icalendar 7's ``vText`` first turns a literal backslash followed by "N" into a line
    break (``C:\\New`` would come out as "C:" + newline + "ew"); this subclass escapes
    exactly backslash, semicolon, comma and newline, so any text round-trips.
    """

    __slots__ = ()

    def to_ical(self) -> bytes:
        return self.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n").encode("utf-8")


# The same characters as _CONTROLS, and CR: a text without any needs no cleaning at all.
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str:
    """Normalise line breaks to LF and drop control characters TEXT may not carry."""
    if _NEEDS_CLEANING.search(text) is None:  # the usual case; str.translate is slow
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)


_ANY_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _has_controls(value: str) -> bool:
    return _ANY_CONTROL.search(value) is not None


def _is_plain_date(value: object) -> bool:
    # datetime is a subclass of date; a datetime here would turn an all-day deadline
    # into a floating timed event.
    return isinstance(value, date) and not isinstance(value, datetime)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One task (or aggregated measure occurrence) as it appears in a feed.

    ``start``..``due`` is the task window; ``due_effective`` is the deadline after the
    production calendar moved it off a non-working day. ``status`` is the VEVENT
    status; :func:`todo_status` maps it, together with ``completed``, for VTODO feeds.
    ``last_modified`` is the task's last change (aware); it doubles as DTSTAMP.
    """

    uid: str
    summary: str
    description: str
    start: date
    due: date
    due_effective: date
    url: str | None
    categories: Sequence[str]
    status: str
    completed: bool
    sequence: int
    last_modified: datetime
    created: datetime | None
    alarm_days: tuple[int, ...] = (3, 1)

    def __post_init__(self) -> None:
        if not self.uid or _has_controls(self.uid):
            raise ValueError(f"bad UID: {self.uid!r}")
        for name in ("start", "due", "due_effective"):
            if not _is_plain_date(getattr(self, name)):
                raise TypeError(f"{name} must be a date, not {getattr(self, name)!r}")
        if self.start > self.due:
            raise ValueError(f"{self.uid}: start {self.start} is after due {self.due}")
        if self.start > self.due_effective:
            raise ValueError(f"{self.uid}: start {self.start} is after due_effective {self.due_effective}")
        if self.url is not None and (not self.url or _has_controls(self.url) or " " in self.url):
            raise ValueError(f"{self.uid}: bad URL {self.url!r}")
        if isinstance(self.categories, str):
            raise TypeError(f"{self.uid}: categories must be a list of strings")
        if self.status not in EVENT_STATUSES:
            raise ValueError(f"{self.uid}: status must be one of {sorted(EVENT_STATUSES)}")
        if self.sequence < 0:
            raise ValueError(f"{self.uid}: negative SEQUENCE")
        for name in ("last_modified", "created"):
            value = getattr(self, name)
            if value is None and name == "created":
                continue
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise ValueError(f"{self.uid}: {name} must be an aware datetime")
        if any(not isinstance(d, int) or d < 0 for d in self.alarm_days):
            raise ValueError(f"{self.uid}: alarm days must be non-negative integers")


@dataclass(frozen=True, slots=True)
class FeedCalendar:
    """Calendar-level properties of a feed."""

    name: str
    description: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    prodid: str = "-//roadmap//Дорожная карта//RU"
    refresh_minutes: int = 60

    def __post_init__(self) -> None:
        if self.refresh_minutes < 1:
            raise ValueError("refresh_minutes must be positive")


def todo_status(status: str, completed: bool) -> str:
    """VTODO STATUS for a VEVENT status and the task's completion.

    CANCELLED stays CANCELLED even if completed; otherwise a completed task is COMPLETED,
    a TENTATIVE one (report submitted, awaiting review) IN-PROCESS, the rest NEEDS-ACTION.
    """
    if status == "CANCELLED":
        return "CANCELLED"
    if completed:
        return "COMPLETED"
    if status == "TENTATIVE":
        return "IN-PROCESS"
    return "NEEDS-ACTION"


@lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> Timezone:
    # Generating a VTIMEZONE walks the tz database: once per process, not per feed.
    # The cached component is shared between calendars and never mutated.
    return Timezone.from_tzid(tzid, first_date=_VTIMEZONE_FIRST_DATE, last_date=_VTIMEZONE_LAST_DATE)


def _date(value: date) -> vDate:
    # A bare vDate serialises without VALUE=DATE (only Component.add infers it), and
    # without the parameter a DATE is not a valid DTSTART/DTEND/DUE.
    return vDate(value, params={"VALUE": "DATE"})


def _utc(value: datetime) -> vDatetime:
    return vDatetime(value.astimezone(UTC))


def _trigger_offset(days: int, alarm_time: time | None) -> timedelta:
    """Offset from the start of the due day to the moment of the reminder."""
    offset = timedelta(days=-days)
    if alarm_time is not None:
        offset += timedelta(hours=alarm_time.hour, minutes=alarm_time.minute, seconds=alarm_time.second)
    return offset


def _alarms(
    event: FeedEvent,
    summary: str,
    *,
    related_end: bool,
    end_shift: timedelta,
    alarm_time: time | None,
) -> list[Alarm]:
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


def _component(
    event: FeedEvent,
    *,
    view: View,
    component: ComponentName,
    alarms: bool,
    alarm_time: time | None,
) -> Component:
    summary = _clean(event.summary)
    window = "Срок: " + format_window(event.start, event.due, event.due_effective)
    description = _clean(event.description)
    description = f"{description}\n\n{window}" if description else window

    comp: Component = Event() if component == "VEVENT" else Todo()
    comp["UID"] = vText(event.uid)
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
        categories.cats = [_Text(_clean(c)) for c in event.categories]
        comp["CATEGORIES"] = categories

    day = timedelta(days=1)
    if component == "VEVENT":
        start = event.due_effective if view == "due" else event.start
        comp["DTSTART"] = _date(start)
        # DTEND of an all-day event is exclusive: an event ending where it starts is
        # zero days long and some clients drop it.
        comp["DTEND"] = _date(event.due_effective + day)
        comp["STATUS"] = vText(event.status)
        # A deadline is not a meeting: do not mark the whole window busy.
        comp["TRANSP"] = vText("TRANSPARENT")
        related_end = view == "spans"
        end_shift = day if related_end else timedelta(0)
        status = event.status
    else:
        if event.start < event.due_effective:
            # RFC 5545 wants DUE later than DTSTART; a one-day task has no DTSTART.
            comp["DTSTART"] = _date(event.start)
        comp["DUE"] = _date(event.due_effective)
        status = todo_status(event.status, event.completed)
        comp["STATUS"] = vText(status)
        comp["PERCENT-COMPLETE"] = vInt(100 if status == "COMPLETED" else 0)
        if status == "COMPLETED":
            comp["COMPLETED"] = _utc(event.last_modified)
        # For a VTODO, RELATED=END anchors the reminder at DUE itself.
        related_end = True
        end_shift = timedelta(0)

    # Done or cancelled work should not ring.
    if alarms and not event.completed and status != "CANCELLED":
        for alarm in _alarms(
            event,
            summary,
            related_end=related_end,
            end_shift=end_shift,
            alarm_time=alarm_time,
        ):
            comp.add_component(alarm)
    return comp


def build_calendar(
    calendar: FeedCalendar,
    events: Sequence[FeedEvent],
    *,
    view: View = "due",
    component: ComponentName = "VEVENT",
    alarms: bool = True,
    alarm_time: time | None = None,
) -> bytes:
    """Render a feed as iCalendar bytes (CRLF, folded at 75 octets).

    ``view="due"`` puts one all-day event on the effective due date; ``view="spans"``
    spans the whole window. ``component="VTODO"`` emits tasks instead of events for the
    clients that show them (VEVENT stays the default: Google, Outlook and iOS ignore
    VTODO feeds). The task window is appended to every DESCRIPTION, so callers should
    not repeat it. Reminders fire ``alarm_days`` before the effective due date, at
    midnight or at ``alarm_time`` (a naive local time) of that day; done and cancelled
    tasks get none.

    Events are sorted by effective due date and UID, so the output does not depend on
    the order of ``events``. Duplicate UIDs raise ``ValueError``.
    """
    cal = calendar_component(calendar, events, view=view, component=component, alarms=alarms, alarm_time=alarm_time)
    return serialize(cal)


_END = b"END:VCALENDAR\r\n"


def render_events(
    events: Sequence[FeedEvent],
    *,
    view: View = "due",
    component: ComponentName = "VEVENT",
    alarms: bool = True,
    alarm_time: time | None = None,
) -> list[bytes]:
    """Each event's component as bytes, in feed order, for :func:`assemble_calendar`.

    Lets a caller choose which events fit a size bound without rendering the calendar twice:
    ``assemble_calendar(calendar, render_events(events))`` equals ``build_calendar(calendar,
    events)`` byte for byte, and any subsequence of the chunks is the feed of those events.
    """
    return [
        render_event(event, view=view, component=component, alarms=alarms, alarm_time=alarm_time)
        for event in order_events(events)
    ]


def render_event(
    event: FeedEvent,
    *,
    view: View = "due",
    component: ComponentName = "VEVENT",
    alarms: bool = True,
    alarm_time: time | None = None,
) -> bytes:
    """One event's component as bytes (a chunk of :func:`assemble_calendar`)."""
    _check_options(view, component, alarm_time)
    return serialize(_component(event, view=view, component=component, alarms=alarms, alarm_time=alarm_time))


def size_at_least(event: FeedEvent) -> int:
    """A lower bound of ``len(render_event(event, ...))`` in any shape, without rendering it.

    The chunk holds the UID, the summary and the description in UTF-8 (escaping and folding
    only add to them; each line break becomes two bytes), the description's "Срок" line, and
    the lines every component has (BEGIN, END, DTSTAMP, LAST-MODIFIED, SEQUENCE, the names).
    """
    summary, description = _clean(event.summary), _clean(event.description)
    # A leading byte-order mark is dropped when the value is written (see _to_unicode).
    texts = len(summary.lstrip("\ufeff").encode("utf-8")) + len(description.lstrip("\ufeff").encode("utf-8"))
    return _SIZE_FLOOR + len(event.uid) + texts + summary.count("\n") + description.count("\n")


# BEGIN:VTODO, END:VTODO, "UID:", DTSTAMP and LAST-MODIFIED with a UTC time, "SEQUENCE:0",
# "SUMMARY:", "DESCRIPTION:", each with CRLF, and the escaped "\n\nСрок: " (12 bytes).
_SIZE_FLOOR = 13 + 11 + 6 + 26 + 32 + 12 + 10 + 14 + 12


def order_events(events: Sequence[FeedEvent]) -> list[FeedEvent]:
    """Events in feed order (effective due date, then UID); duplicate UIDs raise ValueError."""
    return _ordered(events)


def calendar_head(calendar: FeedCalendar) -> bytes:
    """The calendar's properties and VTIMEZONE: what precedes the events."""
    return serialize(calendar_component(calendar, ()))[: -len(_END)]


def assemble_calendar(calendar: FeedCalendar, chunks: Sequence[bytes]) -> bytes:
    """A calendar of already rendered events (see :func:`render_events`)."""
    return b"".join([calendar_head(calendar), *chunks, _END])


def assembled_size(head: bytes, chunks: Sequence[bytes]) -> int:
    return len(head) + sum(map(len, chunks)) + len(_END)


def _check_options(view: str, component: str, alarm_time: time | None) -> None:
    if view not in ("due", "spans"):
        raise ValueError(f"unknown view {view!r}")
    if component not in ("VEVENT", "VTODO"):
        raise ValueError(f"unknown component {component!r}")
    if alarm_time is not None and alarm_time.tzinfo is not None:
        raise ValueError("alarm_time is a local wall-clock time and must be naive")


def _ordered(events: Sequence[FeedEvent]) -> list[FeedEvent]:
    ordered = sorted(events, key=lambda e: (e.due_effective, e.uid))
    # Two events under one UID would make clients keep only one of them, at random.
    if len({e.uid for e in ordered}) != len(ordered):
        raise ValueError("duplicate UID in feed")
    return ordered


def calendar_component(
    calendar: FeedCalendar,
    events: Sequence[FeedEvent],
    *,
    view: View = "due",
    component: ComponentName = "VEVENT",
    alarms: bool = True,
    alarm_time: time | None = None,
) -> Calendar:
    """The ``icalendar.Calendar`` behind :func:`build_calendar`, for inspection."""
    _check_options(view, component, alarm_time)
    ordered = _ordered(events)

    cal = Calendar()
    cal["VERSION"] = vText("2.0")
    cal["PRODID"] = _Text(_clean(calendar.prodid))
    cal["CALSCALE"] = vText("GREGORIAN")
    cal["METHOD"] = vText("PUBLISH")
    # A calendar name is one line in every client's sidebar.
    name = _Text(_clean(calendar.name).replace("\n", " "))
    cal["NAME"] = name
    cal["X-WR-CALNAME"] = name
    if calendar.description:
        description = _Text(_clean(calendar.description))
        cal["DESCRIPTION"] = description
        cal["X-WR-CALDESC"] = description
    cal["X-WR-TIMEZONE"] = vText(calendar.timezone)
    refresh = timedelta(minutes=calendar.refresh_minutes)
    # RFC 7986 requires the VALUE=DURATION parameter; icalendar does not add it.
    cal["REFRESH-INTERVAL"] = vDuration(refresh, params={"VALUE": "DURATION"})
    cal["X-PUBLISHED-TTL"] = vDuration(refresh)

    # No value in the feed carries a TZID (dates are DATE, instants are UTC), but
    # X-WR-TIMEZONE names a zone and Outlook wants its definition at hand.
    cal.add_component(_vtimezone(calendar.timezone))
    for event in ordered:
        cal.add_component(_component(event, view=view, component=component, alarms=alarms, alarm_time=alarm_time))
    return cal


def _fold(line: str) -> bytes:
    """Fold one content line exactly as icalendar 7's ``_foldline`` does, only faster.

    Chunks of at most 74 octets (75 with the leading space of a continuation line),
    cut at character boundaries, never leaving a backslash or caret at the end of a
    chunk (some clients mishandle an escape split across lines).
    """
    data = line.encode("utf-8")
    size = len(data)
    if size <= _FOLD:
        return data
    chunks = []
    start = 0
    while size - start > _FOLD:
        cut = start + _FOLD
        while data[cut] & 0xC0 == 0x80:  # UTF-8 continuation byte: back to the lead byte
            cut -= 1
        if data[cut - 1] in b"\\^":
            cut -= 1
        chunks.append(data[start:cut])
        start = cut
    chunks.append(data[start:])
    return b"\r\n ".join(chunks)


def _to_unicode(value: bytes) -> str:
    # As icalendar's to_unicode: a leading byte-order mark is dropped.
    try:
        return value.decode("utf-8-sig")
    except UnicodeDecodeError:
        return value.decode("utf-8-sig", "replace")


def serialize(cal: Component) -> bytes:
    """``cal.to_ical()``, byte for byte, in a fraction of the time.

    icalendar folds every line character by character in Python and wraps each line in
    objects (a Contentline, an empty Parameters for every property without any); this does
    what ``Contentline.from_parts`` does with plain strings, and folds with :func:`_fold`.
    Property rendering and escaping stay icalendar's.
    """
    out = []
    for name, value in cal.property_items(sorted=True):
        if hasattr(value, "to_ical"):
            text = value.to_ical()
        else:
            text = vText(value).to_ical()
        if isinstance(text, bytes):
            text = _to_unicode(text)
        params = getattr(value, "params", None)
        rendered = params.to_ical(sorted=True) if params else None
        if rendered:
            if isinstance(rendered, bytes):
                rendered = _to_unicode(rendered)
            line = f"{name};{rendered}:{text}"
        else:
            line = f"{name}:{text}"
        out.append(_fold(line))
    out.append(b"")
    return b"\r\n".join(out)


def feed_etag(body: bytes) -> str:
    """Strong ETag (quoted) of a feed body: it changes exactly when the bytes do."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
