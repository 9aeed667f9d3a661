"""Build iCalendar feeds from plain values.

The feed views query tasks, compose Russian SUMMARY/DESCRIPTION texts and hand them
over as :class:`FeedEvent` records; :func:`build_calendar` turns them into the bytes
served as ``text/calendar``. Nothing here reads the clock: the same input always gives
byte-identical output, which is what makes ETags and 304 answers honest.

The text is written directly from the records, one escaping and one folding pass per
value: exactly the bytes ``icalendar``'s ``to_ical()`` gives for the same components
(tests/ical/reference.py builds them with ``icalendar`` objects, and the property tests
compare the two byte for byte), at a small fraction of its cost. ``icalendar`` itself
only generates the VTIMEZONE, once per process and zone.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

from roadmap.clock import DEFAULT_TIMEZONE
from roadmap.ical.text import days_before_phrase, format_window

__all__ = [
    "EVENT_STATUSES",
    "FeedCalendar",
    "FeedEvent",
    "assemble_calendar",
    "assembled_size",
    "build_calendar",
    "calendar_head",
    "clean_text",
    "escaped_line",
    "feed_etag",
    "order_events",
    "render_event",
    "render_events",
    "size_at_least",
    "todo_status",
    "vtimezone",
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

# The same characters as _CONTROLS, and CR: a text without any needs no cleaning at all.
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# What TEXT escaping touches (RFC 5545 3.3.11), and a leading byte-order mark, which
# icalendar drops when it decodes a value.
_NEEDS_ESCAPING = re.compile("[\\\\;,\n]|^\ufeff")


def clean_text(text: str) -> str:
    """Normalise line breaks to LF and drop control characters TEXT may not carry."""
    if _NEEDS_CLEANING.search(text) is None:  # the usual case; str.translate is slow
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)


_clean = clean_text


def _escape(text: str) -> str:
    """A TEXT value as written: backslash, semicolon, comma and newline escaped.

    Exactly these four, so any text round-trips (icalendar 7's ``vText`` would first turn
    a literal backslash followed by "N" into a line break; the reference uses the same
    escaping). A leading byte-order mark is dropped, as icalendar drops it from a value.
    """
    if _NEEDS_ESCAPING.search(text) is None:
        return text
    if text.startswith("\ufeff"):
        text = text[1:]
    return _escape_chars(text)


def _escape_chars(text: str) -> str:
    # Each replace only when needed: a search is much cheaper than a copy of a Cyrillic text.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if ";" in text:
        text = text.replace(";", "\\;")
    if "," in text:
        text = text.replace(",", "\\,")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    return text


def escaped_line(line: str, last: bool = False) -> str:
    """A line of a multi-line TEXT value as the whole value's cleaning and escaping writes it,
    done alone: the same characters, except that a CR ending a line that another follows makes
    one LF with the break (the ``last`` line's stays a break of its own). Not for the value's
    first line when it may start with a byte-order mark, which the whole value's escaping drops."""
    if not last and line.endswith("\r"):
        line = line[:-1]
    return _escape_chars(_clean(line))


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
    ``todo_status`` overrides the VTODO status (an aggregated occurrence is IN-PROCESS
    while reports are on review, however its VEVENT reads).

    Records are immutable and hashable: equal records render to equal bytes, which is
    what lets :func:`render_event` keep each rendered chunk by its record.
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
    todo_status: str | None = None

    def __post_init__(self) -> None:
        if not self.uid or _has_controls(self.uid):
            raise ValueError(f"bad UID: {self.uid!r}")
        start, due, due_effective = self.start, self.due, self.due_effective
        for name, value in (("start", start), ("due", due), ("due_effective", due_effective)):
            if type(value) is not date and not _is_plain_date(value):
                raise TypeError(f"{name} must be a date, not {value!r}")
        if start > due:
            raise ValueError(f"{self.uid}: start {start} is after due {due}")
        if start > due_effective:
            raise ValueError(f"{self.uid}: start {start} is after due_effective {due_effective}")
        url = self.url
        if url is not None and (not url or " " in url or _has_controls(url)):
            raise ValueError(f"{self.uid}: bad URL {url!r}")
        categories = self.categories
        if type(categories) is not tuple:
            if isinstance(categories, str):
                raise TypeError(f"{self.uid}: categories must be a list of strings")
            object.__setattr__(self, "categories", tuple(categories))
        if self.status not in EVENT_STATUSES:
            raise ValueError(f"{self.uid}: status must be one of {sorted(EVENT_STATUSES)}")
        if self.todo_status is not None and self.todo_status not in _TODO_STATUSES:
            raise ValueError(f"{self.uid}: VTODO status must be one of {sorted(_TODO_STATUSES)}")
        if self.sequence < 0:
            raise ValueError(f"{self.uid}: negative SEQUENCE")
        _check_moment(self.uid, "last_modified", self.last_modified)
        if self.created is not None:
            _check_moment(self.uid, "created", self.created)
        alarm_days = self.alarm_days
        if type(alarm_days) is not tuple:
            alarm_days = tuple(alarm_days)
            object.__setattr__(self, "alarm_days", alarm_days)
        if alarm_days not in _CHECKED_ALARM_DAYS:
            if any(not isinstance(d, int) or d < 0 for d in alarm_days):
                raise ValueError(f"{self.uid}: alarm days must be non-negative integers")
            if len(_CHECKED_ALARM_DAYS) < 1024:
                _CHECKED_ALARM_DAYS.add(alarm_days)


# Alarm day tuples already validated: a feed's events all carry the same one.
_CHECKED_ALARM_DAYS: set[tuple] = set()


def _check_moment(uid: str, name: str, value: object) -> None:
    if type(value) is datetime and value.tzinfo is UTC:
        return
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{uid}: {name} must be an aware datetime")


_TODO_STATUSES = frozenset({"NEEDS-ACTION", "IN-PROCESS", "COMPLETED", "CANCELLED"})


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


def _event_todo_status(event: FeedEvent) -> str:
    return _todo_status_of(event.status, event.completed, event.todo_status)


def _todo_status_of(status: str, completed: bool, override: str | None) -> str:
    """The VTODO status: ``override`` (see FeedEvent.todo_status) unless cancelled or completed."""
    if override is not None and status != "CANCELLED" and not completed:
        return override
    return todo_status(status, completed)


@lru_cache(maxsize=8)
def vtimezone(tzid: str) -> bytes:
    """The zone's VTIMEZONE as bytes, generated by icalendar once per process and zone.

    icalendar adds a COMMENT saying which years the definition covers at VTIMEZONE level,
    where RFC 5545 does not allow it (ruby-icalendar's strict parser rejects the feed): it
    is left out.
    """
    from icalendar import Timezone

    zone = Timezone.from_tzid(tzid, first_date=_VTIMEZONE_FIRST_DATE, last_date=_VTIMEZONE_LAST_DATE)
    zone.pop("COMMENT", None)
    return zone.to_ical()


# --- values ---------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _date(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


@lru_cache(maxsize=8192)
def _utc(value: datetime) -> str:
    moment = value.astimezone(UTC)
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"
    )


def _duration(td: timedelta) -> str:
    """A DURATION value exactly as icalendar's ``vDuration.to_ical`` writes it."""
    sign = ""
    if td.days < 0:
        sign = "-"
        td = -td
    timepart = ""
    if td.seconds:
        timepart = "T"
        hours = td.seconds // 3600
        minutes = td.seconds % 3600 // 60
        seconds = td.seconds % 60
        if hours:
            timepart += f"{hours}H"
        if minutes or (hours and seconds):
            timepart += f"{minutes}M"
        if seconds:
            timepart += f"{seconds}S"
    if td.days == 0 and timepart:
        return f"{sign}P{timepart}"
    return f"{sign}P{abs(td.days)}D{timepart}"


def _fold(line: str) -> bytes:
    """Fold one content line exactly as icalendar 7's ``_foldline`` does.

    Chunks of at most 74 octets (75 with the leading space of a continuation line),
    cut at character boundaries, never leaving a backslash or caret at the end of a
    chunk (some clients mishandle an escape split across lines).
    """
    if len(line) <= _FOLD // 4:  # four bytes at most per character: short enough whatever it holds
        return line.encode("utf-8")
    if len(line) <= _FOLD and line.isascii():  # UID, URL, a short ASCII value: one byte a character
        return line.encode("ascii")
    return _fold_encoded(line.encode("utf-8"))


def _fold_encoded(data: bytes) -> bytes:
    """_fold of a line already encoded (UTF-8)."""
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


def _text_line(name: str, text: str) -> bytes:
    return _fold(f"{name}:{_escape(text)}")


# --- components -----------------------------------------------------------------------------

_DAY = timedelta(days=1)
_ZERO = timedelta(0)


def _trigger_offset(days: int, alarm_time: time | None) -> timedelta:
    """Offset from the start of the due day to the moment of the reminder."""
    offset = timedelta(days=-days)
    if alarm_time is not None:
        offset += timedelta(hours=alarm_time.hour, minutes=alarm_time.minute, seconds=alarm_time.second)
    return offset


@lru_cache(maxsize=256)
def _trigger_lines(
    alarm_days: tuple[int, ...], related_end: bool, end_shift: timedelta, alarm_time: time | None
) -> tuple[tuple[str, bytes], ...]:
    """(the reminder's wording before the summary, its TRIGGER line) per alarm, latest first."""
    result = []
    for days in sorted(set(alarm_days), reverse=True):
        value = _duration(_trigger_offset(days, alarm_time) - end_shift)
        trigger = f"TRIGGER;RELATED=END:{value}" if related_end else f"TRIGGER:{value}"
        result.append((f"Срок {days_before_phrase(days)}: ", trigger.encode("ascii")))
    return tuple(result)


def _categories_line(categories: Sequence[str]) -> bytes:
    value = ",".join(_escape_chars(_clean(c)) for c in categories)
    # One value: only its very first byte-order mark is dropped (see _escape).
    return _fold("CATEGORIES:" + (value[1:] if value.startswith("\ufeff") else value))


def _write(event: FeedEvent, view: str, component: str, alarms: bool, alarm_time: time | None) -> bytes:
    return _writer(view, component, alarms, alarm_time).write(
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
        _utc(event.last_modified),
        None if event.created is None else _utc(event.created),
        event.alarm_days,
        event.todo_status,
    )


@lru_cache(maxsize=64)
def _writer(view: str, component: str, alarms: bool, alarm_time: time | None) -> "EventWriter":
    return EventWriter(view=view, component=component, alarms=alarms, alarm_time=alarm_time)  # type: ignore[arg-type]


def utc_stamp(value: datetime) -> str:
    """An instant as the writer takes it: ``YYYYMMDDTHHMMSSZ`` in UTC, whole seconds (truncated)."""
    return _utc(value)


_ALARM_START = b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n"


class EventWriter:
    """Writes the components of one shape (view, component, reminders, their time of day)
    from plain values in one pass: what :func:`render_event` writes for a :class:`FeedEvent`
    of the same values, byte for byte, without the record.

    A feed's rows go straight to :meth:`write`; the record's checks are the caller's (its
    values come from the database's constraints). Instants come as :func:`utc_stamp` text, so a
    query can format them itself. What many events of a feed share is kept per writer: the date
    lines and "Срок" text of each window, the CATEGORIES line of each list.
    """

    def __init__(
        self,
        *,
        view: View = "due",
        component: ComponentName = "VEVENT",
        alarms: bool = True,
        alarm_time: time | None = None,
    ) -> None:
        _check_options(view, component, alarm_time)
        self.view = view
        self.component = component
        self.alarms = alarms
        self.alarm_time = alarm_time
        self._vevent = component == "VEVENT"
        # For a VTODO, RELATED=END anchors the reminder at DUE itself; a spanning VEVENT ends
        # the day after its due day.
        self._related_end = view == "spans" or not self._vevent
        self._end_shift = _DAY if self._vevent and view == "spans" else _ZERO
        self._dates: dict[tuple[date, date, date], tuple[str, str, str]] = {}
        self._categories: dict[tuple[str, ...], bytes] = {}
        self._alarms: dict[tuple[int, ...], tuple[tuple[bytes, bytes], ...]] = {}

    def _date_lines(self, start: date, due: date, due_effective: date) -> tuple[str, str, str]:
        """(the component's date lines, the description's "Срок" line, that line escaped)."""
        key = (start, due, due_effective)
        value = self._dates.get(key)
        if value is None:
            if len(self._dates) >= 4096:
                self._dates.clear()
            window = "Срок: " + format_window(start, due, due_effective)
            if self._vevent:
                first = due_effective if self.view == "due" else start
                # DTEND of an all-day event is exclusive: an event ending where it starts is
                # zero days long and some clients drop it.
                lines = f"DTSTART;VALUE=DATE:{_date(first)}\r\nDTEND;VALUE=DATE:{_date(due_effective + _DAY)}"
            elif start < due_effective:
                # RFC 5545 wants DUE later than DTSTART; a one-day task has no DTSTART.
                lines = f"DTSTART;VALUE=DATE:{_date(start)}\r\nDUE;VALUE=DATE:{_date(due_effective)}"
            else:
                lines = f"DUE;VALUE=DATE:{_date(due_effective)}"
            value = self._dates[key] = (lines, window, _escape_chars(window))
        return value

    def _alarms_of(self, alarm_days: tuple[int, ...]) -> tuple[tuple[bytes, bytes], ...]:
        """Per reminder: its DESCRIPTION up to the summary, and its lines after that one."""
        alarms = self._alarms.get(alarm_days)
        if alarms is None:
            triggers = _trigger_lines(alarm_days, self._related_end, self._end_shift, self.alarm_time)
            alarms = tuple(
                (f"DESCRIPTION:{wording}".encode(), b"\r\n" + trigger + b"\r\nEND:VALARM\r\n")
                for wording, trigger in triggers
            )
            if len(self._alarms) >= 256:
                self._alarms.clear()
            self._alarms[alarm_days] = alarms
        return alarms

    def _categories_line(self, categories: Sequence[str]) -> bytes:
        key = tuple(categories)
        line = self._categories.get(key)
        if line is None:
            if len(self._categories) >= 4096:
                self._categories.clear()
            line = self._categories[key] = _categories_line(key) + b"\r\n"
        return line

    def write(
        self,
        uid: str,
        summary: str,
        description: str,
        start: date,
        due: date,
        due_effective: date,
        url: str | None,
        categories: Sequence[str],
        status: str,
        completed: bool,
        sequence: int,
        stamp: str,
        created: str | None,
        alarm_days: tuple[int, ...],
        todo_status: str | None = None,
        *,
        escaped_lines: Sequence[str] | None = None,
    ) -> bytes:
        """One component as bytes; ``stamp`` (DTSTAMP, LAST-MODIFIED) and ``created`` as
        :func:`utc_stamp` gives them; ``status`` the VEVENT status (see :class:`FeedEvent`).

        ``escaped_lines``, when given, stand for ``description``: its lines (it is
        ``"\\n".join`` of them, at least one), each as :func:`escaped_line` gives it (the last
        with ``last=True``), so a feed escapes each line its events share once, not per event.
        """
        summary = _clean(summary)
        escaped_summary = _escape_chars(summary) if _NEEDS_ESCAPING.search(summary) else summary
        summary_line = _fold(
            "SUMMARY:" + (escaped_summary[1:] if escaped_summary.startswith("\ufeff") else escaped_summary)
        )
        date_lines, window, escaped_window = self._date_lines(start, due, due_effective)
        if escaped_lines is not None:
            description_line = _fold("DESCRIPTION:" + "\\n".join(escaped_lines) + "\\n\\n" + escaped_window)
        else:
            description = _clean(description)
            description_line = _text_line("DESCRIPTION", f"{description}\n\n{window}" if description else window)
        # A UID or URL is most often short plain ASCII: one line as it is, no escaping, no folding.
        if len(uid) <= _FOLD - 4 and uid.isascii() and _NEEDS_ESCAPING.search(uid) is None:
            uid_line = ("UID:" + uid).encode("ascii")
        else:
            uid_line = _text_line("UID", uid)
        category_line = self._categories_line(categories) if categories else b""
        created_line = f"CREATED:{created}\r\n" if created is not None else ""
        if url is None:
            url_line = b""
        elif len(url) <= _FOLD - 4 and url.isascii():
            url_line = ("URL:" + url + "\r\n").encode("ascii")
        else:
            url_line = _fold(f"URL:{url}") + b"\r\n"
        if self._vevent:
            parts = [
                b"BEGIN:VEVENT\r\n",
                summary_line,
                f"\r\n{date_lines}\r\nDTSTAMP:{stamp}\r\n".encode("ascii"),
                uid_line,
                f"\r\nSEQUENCE:{sequence}\r\n".encode("ascii"),
                category_line,
                created_line.encode("ascii"),
                description_line,
                # A deadline is not a meeting: do not mark the whole window busy.
                f"\r\nLAST-MODIFIED:{stamp}\r\nSTATUS:{status}\r\nTRANSP:TRANSPARENT\r\n".encode("ascii"),
                url_line,
            ]
            end = b"END:VEVENT\r\n"
        else:
            status = _todo_status_of(status, completed, todo_status)
            done = status == "COMPLETED"
            parts = [
                b"BEGIN:VTODO\r\n",
                category_line,
                f"COMPLETED:{stamp}\r\n{created_line}".encode("ascii") if done else created_line.encode("ascii"),
                description_line,
                f"\r\nDTSTAMP:{stamp}\r\n{date_lines}\r\nLAST-MODIFIED:{stamp}\r\n"
                f"PERCENT-COMPLETE:{100 if done else 0}\r\nSEQUENCE:{sequence}\r\nSTATUS:{status}\r\n".encode("ascii"),
                summary_line,
                b"\r\n",
                uid_line,
                b"\r\n",
                url_line,
            ]
            end = b"END:VTODO\r\n"
        # Done or cancelled work should not ring.
        if self.alarms and alarm_days and not completed and status != "CANCELLED":
            # The summary encoded once for all the reminders' descriptions.
            summary_bytes = escaped_summary.encode("utf-8")
            for wording, rest in self._alarms_of(alarm_days):
                parts += [_ALARM_START, _fold_encoded(wording + summary_bytes), rest]
        parts.append(end)
        return b"".join(parts)


class _ChunkCache:
    """Rendered components by (record, shape): equal records give equal bytes.

    An aggregated feed changes one occurrence when a school submits; the next render reuses
    the chunks of all the others. A plain dict emptied when full (a lookup is one hash of the
    record, whose strings keep their hashes); dict operations are atomic, so threads share it.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: dict[tuple, bytes] = {}
        self.enabled = True

    def get(self, key: tuple) -> bytes | None:
        return self._items.get(key) if self.enabled else None

    def put(self, key: tuple, chunk: bytes) -> None:
        if not self.enabled:
            return
        if len(self._items) >= self.max_entries:
            self._items.clear()
        self._items[key] = chunk

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


# About 1 KB a chunk: some 20 MB at most per process.
chunk_cache = _ChunkCache(max_entries=20_000)


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
    key = (event, view, component, alarms, alarm_time)
    chunk = chunk_cache.get(key)
    if chunk is None:
        chunk = _write(event, view, component, alarms, alarm_time)
        chunk_cache.put(key, chunk)
    return chunk


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
    _check_options(view, component, alarm_time)
    chunks = render_events(events, view=view, component=component, alarms=alarms, alarm_time=alarm_time)
    return assemble_calendar(calendar, chunks)


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


def size_at_least(event: FeedEvent) -> int:
    """A lower bound of ``len(render_event(event, ...))`` in any shape, without rendering it.

    The chunk holds the UID, the summary and the description (escaping and folding only add to
    them, and a character is at least one byte in UTF-8), the description's "Срок" line, and the
    lines every component has (BEGIN, END, DTSTAMP, LAST-MODIFIED, SEQUENCE, the names). Counted
    in characters, not encoded: a cheap bound, called for every event of a feed.
    """
    summary, description = _clean(event.summary), _clean(event.description)
    # A leading byte-order mark is dropped when the value is written (see _escape).
    texts = len(summary) + len(description) - summary.startswith("\ufeff") - description.startswith("\ufeff")
    return _SIZE_FLOOR + len(event.uid) + texts


def size_floor(uid: str) -> int:
    """A lower bound of the size of any event of this UID (:func:`size_at_least` of one with
    an empty summary and description), known before the event is even built."""
    return _SIZE_FLOOR + len(uid)


# BEGIN:VTODO, END:VTODO, "UID:", DTSTAMP and LAST-MODIFIED with a UTC time, "SEQUENCE:0",
# "SUMMARY:", "DESCRIPTION:", each with CRLF, and the escaped "\n\nСрок: " (12 bytes).
_SIZE_FLOOR = 13 + 11 + 6 + 26 + 32 + 12 + 10 + 14 + 12


def order_events(events: Sequence[FeedEvent]) -> list[FeedEvent]:
    """Events in feed order (effective due date, then UID); duplicate UIDs raise ValueError."""
    ordered = sorted(events, key=lambda e: (e.due_effective, e.uid))
    # Two events under one UID would make clients keep only one of them, at random.
    if len({e.uid for e in ordered}) != len(ordered):
        raise ValueError("duplicate UID in feed")
    return ordered


def calendar_head(calendar: FeedCalendar) -> bytes:
    """The calendar's properties and VTIMEZONE: what precedes the events."""
    refresh = _duration(timedelta(minutes=calendar.refresh_minutes))
    lines = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        _text_line("PRODID", _clean(calendar.prodid)),
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
    ]
    if calendar.description:
        description = _escape(_clean(calendar.description))
        lines += [_fold(f"DESCRIPTION:{description}"), _fold(f"X-WR-CALDESC:{description}")]
    # A calendar name is one line in every client's sidebar.
    name = _escape(_clean(calendar.name).replace("\n", " "))
    lines += [
        _fold(f"NAME:{name}"),
        _fold(f"X-WR-CALNAME:{name}"),
        # RFC 7986 requires the VALUE=DURATION parameter.
        f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}".encode("ascii"),
        f"X-PUBLISHED-TTL:{refresh}".encode("ascii"),
        _text_line("X-WR-TIMEZONE", calendar.timezone),
        # No value in the feed carries a TZID (dates are DATE, instants are UTC), but
        # X-WR-TIMEZONE names a zone and Outlook wants its definition at hand.
        vtimezone(calendar.timezone),
    ]
    return b"\r\n".join(lines)


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


def feed_etag(body: bytes) -> str:
    """Strong ETag (quoted) of a feed body: it changes exactly when the bytes do."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
