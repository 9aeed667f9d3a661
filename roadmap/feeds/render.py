"""Turning a feed's rows into a calendar: Russian texts, events, the size bound and the version.

:func:`prepare` costs one aggregate query and yields the ETag and Last-Modified; :func:`build`
runs the row query and the iCalendar builder, and is only needed when the version is new.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from operator import attrgetter
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from roadmap.clock import DEFAULT_TIMEZONE
from roadmap.feeds.cache import BuiltFeed
from roadmap.feeds.options import MONTHS_AHEAD, MONTHS_BACK, FeedOptions, default_window
from roadmap.feeds.query import (
    ROW_ORGANIZATION_ID,
    ROW_RESPONSIBLE,
    ROW_ROADMAP_ID,
    ROW_SECTION_ID,
    FeedScope,
    FeedTitles,
    FeedVersion,
    NearbyOccurrences,
    Occurrences,
    aggregate_occurrences,
    nearby_occurrences,
    task_rows,
    version,
)
from roadmap.ical import FeedCalendar, FeedEvent, calendar_head, size_floor
from roadmap.ical.builder import EventWriter, escaped_line, utc_stamp
from roadmap.ical.text import format_date, status_label, status_mark
from roadmap.russian import truncate
from roadmap.tasks.state import DONE_NOTE, Timeliness, is_handed_in, workflow_of

__all__ = [
    "DEFAULT_ALARM_TIME",
    "DEFAULT_MAX_BYTES",
    "FeedRequest",
    "PreparedFeed",
    "build",
    "prepare",
    "read_occurrences",
]

# Bump when the wording or shape of events changes: every ETag changes with it.
FORMAT_VERSION = "4"
FORMAT_CHANGED_AT = datetime(2026, 12, 2, tzinfo=UTC)
# Reminders ring at the start of the working day, not at midnight.
DEFAULT_ALARM_TIME = time(9, 0)
# Google refuses feeds of about 1 MB; stay well under it.
DEFAULT_MAX_BYTES = 512 * 1024
# About how many bytes an aggregated event takes (2.3 KB in the region bench's feed): a feed
# whose narrowest window holds more occurrences than fit at this size reads only those near
# today (query.nearby_occurrences).
OCCURRENCE_BYTES = 2048
# Windows tried, in order, when a feed is over the size bound: (months back, months ahead).
NARROW_STEPS = ((3, 12), (2, 6), (1, 3), (1, 1), (0, 1))
SUMMARY_TITLE_LIMIT = 120
COMMENT_LIMIT = 300
# A cell listing forty schools would make every event kilobytes long.
RESPONSIBLE_LIMIT = 200


@dataclass(frozen=True)
class FeedRequest:
    """Everything that shapes a feed body besides the database."""

    scope: FeedScope
    options: FeedOptions
    today: date
    base_url: str  # "https://roadmap.example" without a trailing slash
    uid_host: str
    timezone: str = DEFAULT_TIMEZONE
    max_bytes: int = DEFAULT_MAX_BYTES
    # When reminders ring on their day (local time): the subscription's hour or the global one.
    alarm_time: time = DEFAULT_ALARM_TIME

    @property
    def window(self) -> tuple[date, date]:
        return self.options.window(self.today)


@dataclass(frozen=True)
class PreparedFeed:
    request: FeedRequest
    version: FeedVersion
    key: str
    etag: str  # quoted, strong
    last_modified: datetime | None


def prepare(
    request: FeedRequest, connection: Connection | None = None, feed_version: FeedVersion | None = None
) -> PreparedFeed:
    """The feed's version key, ETag and Last-Modified, from one cheap query (on ``connection``,
    by default the session's), unless the caller read ``feed_version`` already."""
    window = request.window
    if feed_version is None:
        feed_version = version(request.scope, request.options, window, connection)
    material = "\n".join(
        [
            FORMAT_VERSION,
            request.scope.key(),
            request.options.key(),
            f"{window[0].isoformat()}..{window[1].isoformat()}",
            # Tasks become overdue as days pass: the events say so (roadmap.tasks.state).
            request.today.isoformat(),
            request.base_url,
            request.uid_host,
            request.timezone,
            str(request.max_bytes),
            request.alarm_time.isoformat(),
            feed_version.key(),
        ]
    )
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
    return PreparedFeed(request, feed_version, digest, f'"{digest}"', _last_modified(request, feed_version))


def _last_modified(request: FeedRequest, feed_version: FeedVersion) -> datetime:
    """The latest moment the body could have changed.

    Besides the tasks' last change: the start of today (tasks become overdue as days pass) and
    the last change of the feed format, so If-Modified-Since never freezes a feed.
    """
    moments = [FORMAT_CHANGED_AT]
    if feed_version.last_change is not None:
        moments.append(feed_version.last_change)
    zone = ZoneInfo(request.timezone)
    moments.append(datetime.combine(request.today, time(), tzinfo=zone).astimezone(UTC))
    return max(moments)


def build(prepared: PreparedFeed, connection: Connection | None = None) -> BuiltFeed:
    """Query the rows (on ``connection``, by default the session's) and build the body, narrowed
    to the size bound when needed."""
    with cyclic_gc_paused():
        return _build(prepared, connection)


_GC_LOCK = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a feed is built.

    A build makes tens of thousands of rows, tuples and strings, and no reference cycle: they
    are freed by reference counting as usual. The cyclic collector, run by their very number,
    would only walk the process's whole heap again and again; in the bench's process that cost
    several times the build itself. Threads building at once share one pause (a count).
    """
    global _gc_pausers, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _build(prepared: PreparedFeed, connection: Connection | None) -> BuiltFeed:
    request = prepared.request
    window = request.window
    texts = _Texts()
    # Events are built only when the size bound needs them (see _Chunks): a region's aggregated
    # feed of thousands of occurrences, narrowed to a few hundred, builds about those.
    writer = _writer_of(request)
    if request.scope.aggregated:
        shape = _chunk_shape("occurrence", request, writer)
        # The visible roadmaps as the version was read from them: not read again.
        roadmaps = prepared.version.roadmaps

        def chunk(item: _Item) -> bytes:
            return _aggregate_chunk(item, request, texts, writer, shape)

        def floor(item: _Item) -> int:
            return _aggregate_floor(item, texts)

        def every_occurrence() -> list[_Item]:
            items = []
            for entry in aggregate_occurrences(request.scope, request.options, window, connection, roadmaps):
                items += _occurrence_items(entry, request)
            return items

        nearby = _nearby(request.scope, request.options, window, request.today, request.max_bytes, connection, roadmaps)
        if nearby is not None:
            items = [
                _Item(_occurrence_uid(row, request), row.start_on, row.due_on, row.due_effective_on, row)
                for row in nearby.rows
            ]
            chunks = _Chunks(
                items,
                chunk,
                floor,
                nearby=(nearby.total, request.today, nearby.reach, lambda: _Chunks(every_occurrence(), chunk, floor)),
            )
        else:
            chunks = _Chunks(every_occurrence(), chunk, floor)
    else:
        found = task_rows(request.scope, request.options, window, connection)
        titles = found.titles
        # By position (query.TASK_ROW_COLUMNS): id, start_on, due_on, due_effective_on.
        items = [_Item(_task_uid(row[0], request), row[3], row[4], row[5], row) for row in found.rows]
        shape = _chunk_shape("task", request, writer)

        def chunk(item: _Item) -> bytes:
            return _task_chunk(item, request, texts, titles, writer, shape)

        chunks = _Chunks(items, chunk)
    body, count, note = _fit(request, chunks, window)
    return BuiltFeed.make(body, count, note)


def _writer_of(request: FeedRequest) -> EventWriter:
    """A writer for one render: what it keeps per window and category list is this feed's."""
    options = request.options
    return EventWriter(
        view=options.view,  # type: ignore[arg-type]
        component=options.component,  # type: ignore[arg-type]
        alarms=options.alarms,
        alarm_time=request.alarm_time,
    )


@dataclass(slots=True)
class _Item:
    """What the size bound chooses events by (their UID and dates, known from the row alone),
    and the row the event is built of when it is needed. Not frozen: a frozen dataclass's
    constructor costs several times a plain one's, and a feed makes one per task."""

    uid: str
    start: date
    due: date
    due_effective: date
    row: object


def _occurrence_items(entry: Occurrences, request: FeedRequest) -> list[_Item]:
    """A roadmap's occurrences as items in feed order, made once per Occurrences and UID host
    (query.aggregate_occurrences gives the same one while its rows do not change)."""
    items = entry.derived.get(("items", request.uid_host))
    if items is None:
        items = [
            _Item(_occurrence_uid(row, request), row.start_on, row.due_on, row.due_effective_on, row)
            for row in entry.rows
        ]
        # In feed order: the feed's own sort of many roadmaps' items then merges a few long runs.
        items.sort(key=_FEED_ORDER)
        entry.derived[("items", request.uid_host)] = items
    return items


def _task_uid(task_id: int, request: FeedRequest) -> str:
    return f"task-{task_id}@{request.uid_host}"


def _occurrence_uid(row, request: FeedRequest) -> str:
    return f"measure-{row.measure_id}-{row.occurrence_key}@{request.uid_host}"


# --- events -------------------------------------------------------------------------------

# Short enough for every client's category list (Outlook makes one category per value, several
# parsers split escaped commas): the section's number, its full title is in DESCRIPTION.
CATEGORY_TITLE_LIMIT = 40


def _section_line(number: str | None, title: str | None) -> str | None:
    if title is None:
        return None
    return f"{number}. {title}" if number else title


def _category(number: str | None, title: str | None) -> tuple[str, ...]:
    """«Раздел 3»; a section without a number by the start of its title."""
    if title is None:
        return ()
    if number:
        return (f"Раздел {number}",)
    return (truncate(" ".join(title.split()), CATEGORY_TITLE_LIMIT),)


def _latest(*values: datetime | None) -> datetime:
    return max(v for v in values if v is not None)


def _report_summary(held_on, coverage_total, comment, not_applicable) -> str | None:
    if not_applicable is None:  # no current report (outer join)
        return None
    if not_applicable:
        reason = truncate(comment or "", COMMENT_LIMIT)
        return "не применимо" + (f": {reason}" if reason else "")
    parts = []
    if held_on is not None:
        parts.append(f"проведено {format_date(held_on)}")
    if coverage_total is not None:
        parts.append(f"охват {coverage_total} чел.")
    if comment:
        parts.append(truncate(comment, COMMENT_LIMIT))
    return "; ".join(parts) or "представлен"


_OVERDUE_MARK = status_mark(Timeliness.OVERDUE.value)


@dataclass(frozen=True, slots=True)
class _SharedLines:
    lines: tuple[str, ...]
    escaped: str  # the lines as escaped_line gives them, joined by the escaped line break
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _MeasureLines:
    """What an aggregated event shares with its measure's other occurrences: the summary's
    number and title, the description's first lines (and escaped, joined as _SharedLines's),
    the categories, and the bytes those escaped lines take (for the size bound)."""

    heading: str
    lines: tuple[str, ...]
    escaped: str
    categories: tuple[str, ...]
    floor: int


class _Texts:
    """What many events of one feed share, composed once per feed: single-spaced titles, the
    section lines, the status words and marks, the description lines escaped."""

    def __init__(self) -> None:
        self._spaced: dict[str, str] = {}
        self._sections: dict[tuple, tuple[list[str], tuple[str, ...]]] = {}
        self._states: dict[tuple, tuple[str, str]] = {}
        self._truncated: dict[tuple[str, int], str] = {}
        self._escaped: dict[str, str] = {}
        self._escaped_last: dict[str, str] = {}
        self._shared: dict[tuple, _SharedLines] = {}
        self._measures: dict[tuple, _MeasureLines] = {}
        self._roadmap_floors: dict[str, int] = {}
        self._handed_in: dict[str, bool] = {}

    def handed_in(self, status: str) -> bool:
        value = self._handed_in.get(status)
        if value is None:
            value = self._handed_in[status] = is_handed_in(status)
        return value

    def shared(self, row, titles: FeedTitles) -> _SharedLines:
        """The description's lines after the first that a measure's tasks share (its roadmap,
        section, executor and the plan's responsible), composed and escaped once per feed."""
        key = (row[ROW_ROADMAP_ID], row[ROW_RESPONSIBLE], row[ROW_SECTION_ID], row[ROW_ORGANIZATION_ID])
        value = self._shared.get(key)
        if value is None:
            roadmap_id, responsible_text, section_id, organization_id = key
            section_number, section_title = titles.sections.get(section_id, (None, None))
            section_lines, categories = self.section(section_number, section_title)
            lines = [
                f"Дорожная карта: {self.spaced(titles.roadmaps[roadmap_id])}",
                *section_lines,
                f"Исполнитель: {titles.organizations[organization_id]}",
            ]
            if responsible_text:
                lines.append(f"Ответственные по плану: {self.truncated(responsible_text, RESPONSIBLE_LIMIT)}")
            escaped = "\\n".join(map(escaped_line, lines))
            value = self._shared[key] = _SharedLines(tuple(lines), escaped, categories)
        return value

    def roadmap_floor(self, title: str) -> int:
        """The bytes of the roadmap's line in an aggregated event's description (escaped)."""
        value = self._roadmap_floors.get(title)
        if value is None:
            value = self._roadmap_floors[title] = len(escaped_line(self._roadmap_line(title)).encode("utf-8"))
        return value

    def _roadmap_line(self, title: str) -> str:
        return f"Дорожная карта: {self.spaced(title)}"

    def measure_lines(self, row, compose: bool = True) -> _MeasureLines | None:
        """An occurrence's measure's part of its event (_MeasureLines), composed once per feed;
        None when not composed yet and ``compose`` is false."""
        key = (
            row.measure_number,
            row.measure_title,
            row.roadmap_title,
            row.section_number,
            row.section_title,
            row.responsible_text,
        )
        value = self._measures.get(key)
        if value is None and compose:
            number, title, roadmap_title, section_number, section_title, responsible_text = key
            title = self.spaced(title)
            section_lines, categories = self.section(section_number, section_title)
            lines = [f"Мероприятие {number}. {title}", self._roadmap_line(roadmap_title), *section_lines]
            if responsible_text:
                lines.append(f"Ответственные: {self.truncated(responsible_text, RESPONSIBLE_LIMIT)}")
            # The first line is the measure's own; the others many measures share (escaped once).
            escaped = "\\n".join([escaped_line(lines[0]), *map(self.escaped, lines[1:])])
            value = self._measures[key] = _MeasureLines(
                f"{number} {self.truncated(title, SUMMARY_TITLE_LIMIT)}",
                tuple(lines),
                escaped,
                categories,
                len(escaped.encode("utf-8")),
            )
        return value

    def spaced(self, text: str) -> str:
        value = self._spaced.get(text)
        if value is None:
            value = self._spaced[text] = " ".join(text.split())
        return value

    def escaped(self, line: str, last: bool = False) -> str:
        known = self._escaped_last if last else self._escaped
        value = known.get(line)
        if value is None:
            value = known[line] = escaped_line(line, last)
        return value

    def truncated(self, text: str, limit: int) -> str:
        key = (text, limit)
        value = self._truncated.get(key)
        if value is None:
            value = self._truncated[key] = truncate(text, limit)
        return value

    def section(self, number: str | None, title: str | None) -> tuple[list[str], tuple[str, ...]]:
        key = (number, title)
        value = self._sections.get(key)
        if value is None:
            line = _section_line(number, title)
            value = self._sections[key] = ([f"Раздел: {line}"] if line else [], _category(number, title))
        return value

    def state(self, status: str, is_not_applicable: bool, overdue: bool) -> tuple[str, str]:
        """(the SUMMARY's marks, the DESCRIPTION's status line)."""
        key = (status, is_not_applicable, overdue)
        value = self._states.get(key)
        if value is None:
            display = workflow_of(status, is_not_applicable=is_not_applicable, is_cancelled=False).value
            mark = status_mark(display) + (_OVERDUE_MARK if overdue else "")
            line = f"Статус: {status_label(display)}" + (f", {Timeliness.OVERDUE.label}" if overdue else "")
            value = self._states[key] = (mark, line)
        return value


class _EventCache:
    """Feed events by the row they were made of and what else shapes them (the event's own
    version: a row holds every value its event shows): an aggregated occurrence's record
    (render_event finds its chunk by it), a task's chunk itself. A feed rebuilt after one
    change makes only the changed rows' events anew.

    A plain dict, emptied when full: a lookup is one hash of the row.
    """

    def __init__(self, max_entries: int = 50_000) -> None:
        self.max_entries = max_entries
        self._items: dict[tuple, FeedEvent | bytes] = {}
        self.enabled = True

    def get(self, key: tuple):
        return self._items.get(key) if self.enabled else None

    def put(self, key: tuple, event) -> None:
        if not self.enabled:
            return
        if len(self._items) >= self.max_entries:
            self._items.clear()
        self._items[key] = event

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


event_cache = _EventCache()


def _task_texts(row, request: FeedRequest, texts: _Texts, shared: _SharedLines) -> tuple:
    """What a task's event shows, from its row and its shared lines (_Texts.shared): (summary,
    the description's first line, its last lines, url, VEVENT status, completed). One definition
    for the record (_task_event) and the chunk written straight from the row (_task_chunk)."""
    # By position (query.TASK_ROW_COLUMNS): a row's attributes by name cost more than the rest.
    (
        task_id,
        _roadmap_id,
        label,
        _start_on,
        _due_on,
        due_effective_on,
        status,
        is_not_applicable,
        _sequence,
        _created,
        _last_modified,
        measure_number,
        measure_title,
        _responsible_text,
        _section_id,
        _organization_id,
        held_on,
        coverage_total,
        report_comment,
        report_not_applicable,
    ) = row
    overdue = due_effective_on < request.today and not texts.handed_in(status)
    mark, status_line = texts.state(status, is_not_applicable, overdue)
    title = texts.spaced(measure_title)
    last = [status_line]
    if label:
        last.insert(0, f"Период: {label}")
    if report_not_applicable is not None:
        last.append(f"Отчёт: {_report_summary(held_on, coverage_total, report_comment, report_not_applicable)}")
    short_title = title if len(title) <= SUMMARY_TITLE_LIMIT else texts.truncated(title, SUMMARY_TITLE_LIMIT)
    return (
        f"{mark} {measure_number} {short_title}",
        f"Мероприятие {measure_number}. {title}",
        last,
        f"{request.base_url}/tasks/{task_id}",
        # An awaiting-review report is "tentatively done"; VTODO feeds show it as IN-PROCESS.
        "TENTATIVE" if status == "submitted" else "CONFIRMED",
        status == "accepted",
    )


def _stamp_moment(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _task_event(row, request: FeedRequest, texts: _Texts, titles: FeedTitles) -> FeedEvent:
    """A task's row as a record (what the chunk written straight from the row equals)."""
    shared = texts.shared(row, titles)
    summary, first, last, url, status, completed = _task_texts(row, request, texts, shared)
    return FeedEvent(
        uid=_task_uid(row[0], request),
        summary=summary,
        description="\n".join([first, *shared.lines, *last]),
        start=row[3],
        due=row[4],
        due_effective=row[5],
        url=url,
        categories=shared.categories,
        status=status,
        completed=completed,
        sequence=row[8],
        last_modified=_stamp_moment(row[10]),
        created=_stamp_moment(row[9]),
        alarm_days=request.options.alarm_days,
    )


def _chunk_shape(kind: str, request: FeedRequest, writer: EventWriter) -> str:
    """What besides its row shapes a chunk (of a task or an occurrence), as one string: hashed
    once per feed, not per event."""
    options = request.options
    return repr(
        (
            kind,
            request.uid_host,
            request.base_url,
            options.alarm_days,
            writer.view,
            writer.component,
            writer.alarms,
            writer.alarm_time,
        )
    )


def _task_chunk(
    item: _Item, request: FeedRequest, texts: _Texts, titles: FeedTitles, writer: EventWriter, shape: str
) -> bytes:
    """A task's component written straight from its row: no record between them.

    Kept by the row, its shared lines (the titles the row names by id) and what else shapes it
    (``shape``, :func:`_chunk_shape`; "today" decides whether it is overdue): a feed rebuilt
    after one change writes only the changed rows.
    """
    row = item.row
    shared = texts.shared(row, titles)
    # Plain values only, not the driver's row object: the collector stops tracking such a key,
    # so thousands kept here never make it walk the heap (see cyclic_gc_paused).
    key = (shape, tuple(row), shared.escaped, item.due_effective < request.today)
    chunk = event_cache.get(key)
    if chunk is not None:
        return chunk
    start, due, due_effective = item.start, item.due, item.due_effective
    if start > due or start > due_effective:
        raise ValueError(f"task {row[0]}: starts after its due date")
    summary, first, last, url, status, completed = _task_texts(row, request, texts, shared)
    escaped = texts.escaped
    chunk = writer.write(
        item.uid,
        summary,
        "",
        start,
        due,
        due_effective,
        url,
        shared.categories,
        status,
        completed,
        row[8],
        row[10],
        row[9],
        request.options.alarm_days,
        # The first line starts "Мероприятие": no byte-order mark to drop.
        escaped_lines=[
            escaped_line(first),
            shared.escaped,
            *map(escaped, last[:-1]),
            escaped(last[-1], last=True),
        ],
    )
    event_cache.put(key, chunk)
    return chunk


def _aggregate_mark(row) -> str:
    if row.accepted == row.applicable:
        return "accepted" if row.applicable else "not_applicable"
    if row.submitted:
        return "submitted"
    if row.returned:
        return "returned"
    return "planned"


def _aggregate_key(row, request: FeedRequest, overdue: bool) -> tuple:
    return (
        "occurrence",
        row.roadmap_id,
        row.measure_id,
        row.occurrence_key,
        row.label,
        row.start_on,
        row.due_on,
        row.due_effective_on,
        row.total,
        row.accepted,
        row.submitted,
        row.returned,
        row.planned,
        row.not_applicable,
        row.on_review,
        row.sequence,
        row.updated_at,
        row.created_at,
        row.measure_number,
        row.measure_title,
        row.responsible_text,
        row.measure_updated_at,
        row.section_number,
        row.section_title,
        row.roadmap_title,
        overdue,
        request.uid_host,
        request.base_url,
        request.options.alarm_days,
    )


def _occurrence_lines(row, overdue: bool) -> list[str]:
    """The description's lines of one occurrence (after its measure's, _MeasureLines)."""
    lines = [f"Период: {row.label}"] if row.label else []
    lines.append(f"Выполнено ({DONE_NOTE}): {int(row.accepted)} из {int(row.applicable)}")
    lines.append(
        f"На проверке: {int(row.submitted)}; возвращено на доработку: {int(row.returned)}; "
        f"запланировано: {int(row.planned)}; не применимо: {int(row.not_applicable)}"
    )
    if overdue:
        lines.append(f"Просрочено: {int(row.planned + row.returned)}")
    return lines


@dataclass(slots=True)
class _Counted:
    """Counts alone, for the shortest lines an occurrence can have (_OCCURRENCE_LINES_FLOOR)."""

    label: str = ""
    accepted: int = 0
    applicable: int = 0
    submitted: int = 0
    returned: int = 0
    planned: int = 0
    not_applicable: int = 0


# At least as many bytes as any occurrence's own lines take in its DESCRIPTION (a count has a
# digit at least, escaping only adds): with its measure's, the size bound of its event.
_OCCURRENCE_LINES_FLOOR = len(
    "\\n".join(escaped_line(line) for line in _occurrence_lines(_Counted(), overdue=False)).encode("utf-8")
)


def _aggregate_texts(row, request: FeedRequest, texts: _Texts) -> tuple:
    """What an occurrence's event shows: (summary, its measure's lines, its own lines, url,
    completed, VTODO status, overdue). One definition for the record (_aggregate_event) and the
    chunk written straight from the row (_aggregate_chunk)."""
    overdue = row.due_effective_on < request.today and bool(row.planned + row.returned)
    measure = texts.measure_lines(row)
    applicable, accepted = int(row.applicable), int(row.accepted)
    summary = f"{status_mark(_aggregate_mark(row))} {measure.heading}: {accepted} из {applicable} выполнили"
    return (
        summary,
        measure,
        _occurrence_lines(row, overdue),
        f"{request.base_url}/roadmaps/{row.roadmap_id}",
        accepted == applicable,
        # A VTODO is in process while any of its reports are on review.
        "IN-PROCESS" if row.on_review else None,
        overdue,
    )


def _aggregate_event(row, request: FeedRequest, texts: _Texts) -> FeedEvent:
    """An occurrence's row as a record (what the chunk written straight from the row equals)."""
    summary, measure, own, url, completed, todo_status, _overdue = _aggregate_texts(row, request, texts)
    return FeedEvent(
        uid=_occurrence_uid(row, request),
        summary=summary,
        description="\n".join([*measure.lines, *own]),
        start=row.start_on,
        due=row.due_on,
        due_effective=row.due_effective_on,
        url=url,
        categories=measure.categories,
        status="CONFIRMED",
        completed=completed,
        # The occurrence's own date sequence and last change (see query.AggregateRow): a report
        # on another occurrence leaves this event's SEQUENCE, DTSTAMP and LAST-MODIFIED alone.
        sequence=int(row.sequence),
        last_modified=_latest(row.updated_at, row.measure_updated_at),
        created=row.created_at,
        alarm_days=request.options.alarm_days,
        todo_status=todo_status,
    )


def _aggregate_chunk(item: _Item, request: FeedRequest, texts: _Texts, writer: EventWriter, shape: str) -> bytes:
    """An occurrence's component written straight from its row (what render_event writes for
    _aggregate_event), kept by the row's values and the feed's shape as a task's chunk is."""
    row = item.row
    overdue = row.due_effective_on < request.today and bool(row.planned + row.returned)
    key = (shape, *_aggregate_key(row, request, overdue))
    chunk = event_cache.get(key)
    if chunk is not None:
        return chunk
    if item.start > item.due or item.start > item.due_effective:
        raise ValueError(f"{item.uid}: starts after its due date")
    summary, measure, own, url, completed, todo_status, _overdue = _aggregate_texts(row, request, texts)
    escaped = texts.escaped
    created = row.created_at
    chunk = writer.write(
        item.uid,
        summary,
        "",
        item.start,
        item.due,
        item.due_effective,
        url,
        measure.categories,
        "CONFIRMED",
        completed,
        int(row.sequence),
        utc_stamp(_latest(row.updated_at, row.measure_updated_at)),
        None if created is None else utc_stamp(created),
        request.options.alarm_days,
        todo_status,
        # The first line starts "Мероприятие": no byte-order mark to drop.
        escaped_lines=[measure.escaped, *map(escaped, own[:-1]), escaped(own[-1], last=True)],
    )
    event_cache.put(key, chunk)
    return chunk


def _aggregate_floor(item: _Item, texts: _Texts) -> int:
    """At most the size of an occurrence's chunk, without writing it: what any event of its UID
    takes, and its description's lines: its measure's when composed already (to write one of
    its events), else the roadmap's line and the words of the measure's."""
    row = item.row
    measure = texts.measure_lines(row, compose=False)
    known = texts.roadmap_floor(row.roadmap_title) + _MEASURE_WORDS_FLOOR if measure is None else measure.floor
    return size_floor(item.uid) + known + _OCCURRENCE_LINES_FLOOR


# "Мероприятие {number}. {title}" and the break before the roadmap's line hold these at least.
_MEASURE_WORDS_FLOOR = len("Мероприятие . \\n".encode())


# --- the size bound -----------------------------------------------------------------------


def _description(request: FeedRequest, window: tuple[date, date], note: str | None) -> str:
    start, end = window
    text = f"{request.scope.name}. Сроки с {format_date(start)} по {format_date(end)}"
    if request.options.has_default_window:
        text += f" ({MONTHS_BACK} месяца назад — {MONTHS_AHEAD} месяцев вперёд)"
    text += f"; {request.options.summary()}."
    if note:
        text += f"\n{note}"
    return text


def _in_window(event: FeedEvent | _Item, window: tuple[date, date], view: str) -> bool:
    # By the planned deadline, as the rows were selected (query._time_filters).
    start, end = window
    if view == "spans":
        return event.start <= end and event.due >= start
    return start <= event.due <= end


def _indices_in(items: list[_Item], window: tuple[date, date], view: str) -> list[int]:
    """The positions of the items _in_window, in one pass (a call per item costs more)."""
    start, end = window
    if view == "spans":
        return [i for i, item in enumerate(items) if item.start <= end and item.due >= start]
    return [i for i, item in enumerate(items) if start <= item.due <= end]


def _calendar(request: FeedRequest, window: tuple[date, date], note: str | None) -> FeedCalendar:
    return FeedCalendar(
        name=request.scope.name,
        description=_description(request, window, note),
        timezone=request.timezone,
    )


_END = b"END:VCALENDAR\r\n"


_FEED_ORDER = attrgetter("due_effective", "uid")


class _Chunks:
    """Events in feed order, each rendered at most once and only when a size check needs it;
    the ones never needed are never built."""

    def __init__(
        self,
        items: list[_Item],
        render: Callable[[_Item], bytes],
        floor: Callable[[_Item], int] | None = None,
        *,
        nearby: tuple[int, date, int, Callable[[], _Chunks]] | None = None,
    ) -> None:
        # Feed order (builder.order_events): effective due date, then UID.
        self.events = sorted(items, key=_FEED_ORDER)
        # Two events under one UID would make clients keep only one of them, at random.
        if len({item.uid for item in self.events}) != len(self.events):
            raise ValueError("duplicate UID in feed")
        self._render = render
        self._floor = floor
        self._rendered: dict[int, bytes] = {}
        # Only some of the feed's events (query.nearby_occurrences): how many it has, and every
        # one of the narrowest window and within ``reach`` days of ``today``; ``every`` makes
        # the chunks of them all, when those are not enough.
        self.total = len(self.events)
        self._nearby = nearby
        self._every: _Chunks | None = None
        if nearby is not None:
            self.total, today, reach, _every = nearby
            self._within_reach = sum(abs((item.due_effective - today).days) <= reach for item in self.events)

    @property
    def partial(self) -> bool:
        return self._nearby is not None

    def every(self) -> _Chunks:
        """These chunks when they hold every event of the feed, else the chunks of them all."""
        if self._nearby is None:
            return self
        if self._every is None:
            self._every = self._nearby[3]()
        return self._every

    def holds_nearest(self, count: int) -> bool:
        """Whether the ``count`` events nearest to today (_nearest_first) are all among these."""
        return self._nearby is None or min(count, self.total) <= self._within_reach

    def bound(self, index: int) -> int:
        """A lower bound of an event's size: its size once rendered, else ``floor`` of it (an
        occurrence's: its measure's lines are known before it is written) or what its UID alone
        makes certain (building a task's event to know more would cost most of rendering it)."""
        chunk = self._rendered.get(index)
        if chunk is not None:
            return len(chunk)
        item = self.events[index]
        return size_floor(item.uid) if self._floor is None else self._floor(item)

    def __len__(self) -> int:
        return len(self.events)

    def chunk(self, index: int) -> bytes:
        chunk = self._rendered.get(index)
        if chunk is None:
            chunk = self._rendered[index] = self._render(self.events[index])
        return chunk

    def lower_bound_of_all(self, head: bytes) -> int:
        """lower_bound of every event, before any is rendered."""
        if self._rendered:
            return self.lower_bound(head, list(range(len(self.events))))
        uids = sum(len(item.uid) for item in self.events)
        return len(head) + len(_END) + uids + len(self.events) * size_floor("")

    def whole(self, head: bytes, limit: int) -> bytes | None:
        """The calendar of every event when it fits ``limit``, else None (and every event rendered):
        no bookkeeping of which are rendered, for a feed that most likely fits."""
        render, rendered, events = self._render, self._rendered, self.events
        chunks = [rendered.get(i) or render(events[i]) for i in range(len(events))]
        size = len(head) + len(_END) + sum(map(len, chunks))
        if size > limit:
            self._rendered = dict(enumerate(chunks))
            return None
        return b"".join([head, *chunks, _END])

    def lower_bound(self, head: bytes, indices: list[int]) -> int:
        """At most the size of the calendar of these events, without rendering any not yet rendered."""
        rendered = self._rendered
        size = len(head) + len(_END)
        for i in indices:
            chunk = rendered.get(i)
            size += len(chunk) if chunk is not None else self.bound(i)
        return size

    def body(self, head: bytes, indices: list[int], limit: int, first: list[int] | None = None) -> bytes | None:
        """The calendar of these events when it fits ``limit``; else None.

        Renders ``first`` (those of ``indices`` likely needed later anyway) before the others,
        and stops as soon as the size is over the limit, or is bound to be: the events not
        rendered yet count with a lower bound of their size until they are, and those bounds
        are summed (in the same order) only until they are over the limit.
        """
        rendered = self._rendered
        if first:
            wanted = set(indices)
            order = list(dict.fromkeys([*(i for i in first if i in wanted), *indices]))
        else:
            order = indices
        size = len(head) + len(_END)
        pending: dict[int, int] = {}
        for index in order:
            chunk = rendered.get(index)
            if chunk is None:
                bound = pending[index] = self.bound(index)
                size += bound
            else:
                size += len(chunk)
            if size > limit:
                return None
        for index in order:
            if index in pending:
                size += len(self.chunk(index)) - pending.pop(index)
                if size > limit:
                    return None
        return b"".join([head, *(self.chunk(i) for i in indices), _END])


# How much bigger than the lower bound of its size (see _Chunks.bound) a feed may well be: a task's
# event is about six times its bound, a long description or comment makes it more.
LIKELY_SIZE_FACTOR = 16


def _likely_fits(lower_bound: int, limit: int) -> bool:
    """Whether a feed of this lower bound is so far under ``limit`` that it is worth rendering all
    of it straight away, in feed order, without choosing which events the narrower windows
    need first (_fit checks the real size all the same)."""
    return lower_bound * LIKELY_SIZE_FACTOR <= limit


def _fit(request: FeedRequest, chunks: _Chunks, window: tuple[date, date]) -> tuple[bytes, int, str | None]:
    """The body, and a note when the window had to be narrowed to stay under the size bound:
    the whole window when it fits, else the first of NARROW_STEPS that does, else _nearest.

    Each event is built and rendered at most once, and only while the size is in question:
    the events of the narrowest windows first (every wider one holds them), so a feed over the
    bound renders about the bound's worth before it learns so, and the narrower windows reuse
    those chunks; never the whole calendar and then a narrower one.
    """
    limit = request.max_bytes
    head = calendar_head(_calendar(request, window, None))
    if not chunks.partial and _likely_fits(chunks.lower_bound_of_all(head), limit):
        body = chunks.whole(head, limit)
        if body is not None:
            return body, len(chunks), None
    view = request.options.view
    windows = _narrow_windows(request, window)
    if windows:
        # The windows are nested: when even the narrowest one's events do not fit under the
        # shortest head of all, no window does (each holds them), and the nearest deadlines are
        # all that is left, without choosing the events of every window in turn. Chunks of only
        # some events hold all of the narrowest window's (see _Chunks).
        narrowest = _indices_in(chunks.events, windows[-1][0], view)
        shortest = min((head, *(step[1] for step in windows)), key=len)
        choice = None
        if chunks.partial and len(narrowest) < chunks.total:
            # Chosen for being big: the narrowest window most likely does not fit either, and the
            # nearest deadlines are shown. Rendered first, their sizes and the lower bound of
            # the rest of the window tell so after a few more.
            choice = _nearest_choice(request, chunks)
            for index in choice[1]:
                choice[0].chunk(index)
            if choice[0] is not chunks:
                chunks, choice = choice[0], None
                narrowest = _indices_in(chunks.events, windows[-1][0], view)
        first = choice[1] if choice else None
        if len(narrowest) < chunks.total and chunks.body(shortest, narrowest, limit, first) is None:
            return _nearest(request, chunks, window, choice)
    chunks = chunks.every()
    everything = list(range(len(chunks)))
    steps: list[tuple[tuple[date, date], list[int], bytes, str]] = []
    for shown, step_head, note in windows:
        subset = _indices_in(chunks.events, shown, view)
        if len(subset) < len(everything):
            steps.append((shown, subset, step_head, note))
    # Innermost first: by how many of the (nested) narrower windows hold the event.
    depth = [0] * len(everything)
    for _shown, subset, _head, _note in steps:
        for i in subset:
            depth[i] += 1
    first = sorted(everything, key=lambda i: -depth[i])
    if chunks.lower_bound(head, everything) <= limit:
        body = chunks.body(head, everything, limit, first)
        if body is not None:
            return body, len(chunks), None
    for _shown, subset, step_head, note in steps:
        body = chunks.body(step_head, subset, limit, first)
        if body is not None:
            return body, len(subset), note
    return _nearest(request, chunks, window)


def _narrow_windows(request: FeedRequest, window: tuple[date, date]) -> list[tuple[tuple[date, date], bytes, str]]:
    """NARROW_STEPS within the feed's window, widest first: (the days shown, the calendar's
    head saying so, that note)."""
    kb = request.max_bytes // 1024
    windows = []
    for shown in _shown_windows(request.today, window):
        note = _narrowed_note(shown, kb)
        windows.append((shown, calendar_head(_calendar(request, shown, note)), note))
    return windows


def _shown_windows(today: date, window: tuple[date, date]) -> list[tuple[date, date]]:
    """The days each of NARROW_STEPS shows of the feed's window (those with any), widest first."""
    shown = []
    for back, ahead in NARROW_STEPS:
        narrow = default_window(today, back, ahead)
        days = (max(narrow[0], window[0]), min(narrow[1], window[1]))
        if days[0] <= days[1]:
            shown.append(days)
    return shown


def _nearby(
    scope: FeedScope,
    options: FeedOptions,
    window: tuple[date, date],
    today: date,
    max_bytes: int,
    connection: Connection | None = None,
    roadmaps: tuple = (),
) -> NearbyOccurrences | None:
    """query.nearby_occurrences of an aggregated feed under this size bound: its occurrences near
    today when the narrowest window holds more than are likely to fit; else None."""
    shown = _shown_windows(today, window)
    if not shown:
        return None
    expected = max_bytes // OCCURRENCE_BYTES
    return nearby_occurrences(scope, options, window, shown[-1], today, expected, connection, roadmaps)


def read_occurrences(scope: FeedScope, options: FeedOptions, today: date, max_bytes: int) -> None:
    """Read what a render of this aggregated feed reads (its occurrences near today, or all of
    them) into the process's caches, rendering nothing: the warm-up (roadmap.feeds.warm)."""
    window = options.window(today)
    if _nearby(scope, options, window, today, max_bytes) is None:
        aggregate_occurrences(scope, options, window)


def _narrowed_note(shown: tuple[date, date], kb: int) -> str:
    return (
        f"Календарь сокращён: показаны сроки с {format_date(shown[0])} по {format_date(shown[1])}, "
        f"потому что полный календарь больше {kb} КБ (большие календари Google не загружает). "
        "Чтобы видеть остальное, подпишитесь отдельно на раздел или год плана."
    )


def _nearest_first(events: list[_Item], today: date, count: int, dues: list[date] | None = None) -> list[int]:
    """The positions of the ``count`` events nearest to ``today``, nearest first, ties by UID:
    what sorting every position by (days away, UID) would put first, read outwards from today
    through events in feed order (effective due date, then UID) instead of sorting them all.
    ``dues``: the events' effective due dates, when the caller has them."""
    if dues is None:
        dues = [event.due_effective for event in events]
    right = bisect_left(dues, today)
    left = right - 1
    found: list[int] = []
    while len(found) < count and (left >= 0 or right < len(dues)):
        behind = (today - dues[left]).days if left >= 0 else None
        ahead = (dues[right] - today).days if right < len(dues) else None
        days = behind if ahead is None or (behind is not None and behind < ahead) else ahead
        run: list[int] = []
        if ahead == days:  # the events of that day, already by UID
            end = bisect_right(dues, dues[right], right)
            run += range(right, end)
            right = end
        if behind == days:
            start = bisect_left(dues, dues[left], 0, left)
            earlier = range(start, left + 1)
            left = start - 1
            run = sorted([*run, *earlier], key=lambda i: events[i].uid) if run else list(earlier)
        found += run
    return found[:count]


# How many of the nearest events _nearest renders to learn how many it can keep.
NEAREST_SAMPLE = 20


def _nearest_choice(request: FeedRequest, chunks: _Chunks) -> tuple[_Chunks, list[int], int]:
    """What _nearest chooses from: the chunks holding the nearest events (``chunks`` or those of
    every event), those events nearest first, and how many of them it tries first (as many as
    the nearest NEAREST_SAMPLE's mean size makes likely to fit)."""
    today = request.today
    if not chunks.holds_nearest(NEAREST_SAMPLE):
        chunks = chunks.every()
    events = chunks.events
    dues = [event.due_effective for event in events]
    sample = [len(chunks.chunk(i)) for i in _nearest_first(events, today, NEAREST_SAMPLE, dues)]
    per_event = sum(sample) / max(len(sample), 1)
    keep = min(chunks.total, max(1, int(request.max_bytes / max(per_event, 1) * 0.9)))
    if not chunks.holds_nearest(keep):
        # The same nearest sample, rendered already (event_cache): the same keep.
        return _nearest_choice(request, chunks.every())
    return chunks, _nearest_first(events, today, keep, dues), keep


def _nearest(
    request: FeedRequest,
    chunks: _Chunks,
    window: tuple[date, date],
    choice: tuple[_Chunks, list[int], int] | None = None,
) -> tuple[bytes, int, str | None]:
    """Last resort: the deadlines nearest to today that fit (``choice``: _nearest_choice's, when made)."""
    chunks, by_distance, keep = choice or _nearest_choice(request, chunks)
    total = chunks.total
    while keep > 0:
        subset = sorted(by_distance[:keep])
        note = (
            f"Календарь сокращён: показаны {keep} ближайших сроков из {total}, потому что полный "
            f"календарь больше {request.max_bytes // 1024} КБ. Подпишитесь отдельно на раздел или год плана."
        )
        body = chunks.body(calendar_head(_calendar(request, window, note)), subset, request.max_bytes)
        if body is not None:
            return body, keep, note
        keep = int(keep * 0.8)
    note = "Календарь слишком велик: подпишитесь отдельно на раздел или год плана."
    return calendar_head(_calendar(request, window, note)) + _END, 0, note
