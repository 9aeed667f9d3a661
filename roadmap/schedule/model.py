"""Schedules (a parsed deadline phrase) and their occurrences in a roadmap's period.

The items (``items.py``) say what was understood; this module computes their dates; the
Russian words for them (labels, explanations) are in ``labels.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .academic import (
    DEFAULT_ACADEMIC_CALENDAR,
    TERMS,
    TRIMESTERS,
    AcademicCalendar,
    YearType,
    clamp_date,
    plan_year_bounds,
    plan_years,
)
from .items import (
    FORMAT_VERSION,
    Continuous,
    Every,
    HalfYear,
    Item,
    Term,
    Window,
    Years,
    item_to_json,
    items_from_stored,
)
from .labels import (
    DAMAGED_WARNING,
    MONTHS_GEN,
    days_label,
    half_label,
    month_label,
    named,
    outside_period_warning,
    period_label,
    plan_year_label,
    quarter_label,
    term_label,
    term_range_label,
    week_label,
    window_label,
    years_label,
)
from .notes import WeekdayClaim
from .production import ShiftRule, effective_due

__all__ = ["MONTHS_GEN", "Occurrence", "Occurrences", "Schedule", "ScheduleKind", "days_label"]


class ScheduleKind(StrEnum):
    """What a deadline phrase was understood as (measure.schedule_kind stores it)."""

    DEADLINE = "deadline"
    WINDOW = "window"
    CONTINUOUS = "continuous"
    WHOLE_PERIOD = "whole_period"
    PERIODIC = "periodic"
    LIST = "list"
    # The organizations set the dates themselves ("по плану ОО"): no occurrences are computed.
    MANUAL = "manual"
    # Not understood: no occurrences until the dates are set by hand.
    UNPARSED = "unparsed"


KINDS = tuple(ScheduleKind)


@dataclass(frozen=True, order=True)
class Occurrence:
    """One (start, due) window of a schedule in a roadmap's period."""

    start: date
    due: date
    due_effective: date
    label: str
    plan_year: int
    key: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "due_effective": self.due_effective.isoformat(),
            "label": self.label,
            "plan_year": self.plan_year,
            "key": self.key,
        }


class Occurrences(list[Occurrence]):
    """The occurrences of a schedule, plus warnings about this period (a pinned year outside
    the period, say)."""

    def __init__(self, items: list[Occurrence] | None = None, warnings: list[str] | None = None) -> None:
        super().__init__(items or [])
        self.warnings: list[str] = warnings or []


@dataclass
class Schedule:
    """A parsed deadline phrase."""

    text: str
    kind: ScheduleKind
    explanation: str
    warnings: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    # Weekdays written beside dates («5 марта (чт)», «пн, 5 октября»): checked against each occurrence.
    weekdays: list[WeekdayClaim] = field(default_factory=list)

    def weekday_conflicts(self, dates: Iterable[date], with_year: bool = True) -> list[str]:
        """Warnings for the dates (of occurrences) whose weekday contradicts the phrase
        (``with_year=False``: only the weekdays of dates written without a year)."""
        found: list[str] = []
        claims = [claim for claim in self.weekdays if with_year or claim.year is None]
        for on in dates:
            for claim in claims:
                conflict = claim.conflict(on)
                if conflict and conflict not in found:
                    found.append(conflict)
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the database stores it)."""
        return {
            "version": FORMAT_VERSION,
            "text": self.text,
            "kind": self.kind,
            "explanation": self.explanation,
            "warnings": list(self.warnings),
            "items": [item_to_json(item) for item in self.items],
            **({"weekdays": [claim.to_dict() for claim in self.weekdays]} if self.weekdays else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schedule:
        """Inverse of :meth:`to_dict`; reads the stored format of any version (``items.py``)."""
        return cls(
            text=str(data.get("text") or ""),
            kind=ScheduleKind(data.get("kind") or ScheduleKind.UNPARSED),
            explanation=str(data.get("explanation") or ""),
            warnings=[str(w) for w in data.get("warnings") or []],
            items=items_from_stored(data),
            weekdays=[WeekdayClaim.from_dict(claim) for claim in data.get("weekdays") or []],
        )

    @property
    def is_parsed(self) -> bool:
        return self.kind not in (ScheduleKind.MANUAL, ScheduleKind.UNPARSED)

    def occurrences(
        self,
        period_start: date,
        period_end: date,
        year_type: YearType | str = YearType.CALENDAR,
        academic_calendar: AcademicCalendar | None = None,
        shift: ShiftRule | str = ShiftRule.NEXT,
    ) -> Occurrences:
        """The occurrences in the period, sorted by start; each starts within the period.

        Raises ValueError for an empty period or an unknown year type or shift rule.
        """
        ctx = _Context(
            period_start,
            period_end,
            YearType.coerce(year_type),
            academic_calendar or DEFAULT_ACADEMIC_CALENDAR,
            ShiftRule.coerce(shift),
        )
        raw: list[tuple[date, date, str, int, str]] = []
        for item in self.items:
            raw.extend(_item_occurrences(item, ctx))
        seen: set[tuple[date, date]] = set()
        keys: set[str] = set()
        result: list[Occurrence] = []
        for start, due, label, plan_year, key in sorted(raw, key=lambda r: (r[0], r[1])):
            # A weekday with its year written was checked when parsing; the others, here.
            for conflict in self.weekday_conflicts([start, due], with_year=False) if self.weekdays else ():
                if conflict not in ctx.warnings:
                    ctx.warnings.append(conflict)
            if (start, due) in seen:
                continue
            seen.add((start, due))
            unique_key, n = key, 2
            while unique_key in keys:
                unique_key, n = f"{key}#{n}", n + 1
            keys.add(unique_key)
            result.append(Occurrence(start, due, effective_due(due, ctx.shift), label, plan_year, unique_key))
        return Occurrences(result, ctx.warnings)


@dataclass
class _Context:
    period_start: date
    period_end: date
    year_type: YearType
    calendar: AcademicCalendar
    shift: ShiftRule
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.period_start > self.period_end:
            raise ValueError("начало периода позже его конца")
        self.plan_years = plan_years(self.period_start, self.period_end, self.year_type)

    def plan_year_of(self, d: date) -> int:
        for year, start, end in self.plan_years:
            if start <= d <= end:
                return year
        return self.plan_years[0][0]


_Raw = tuple[date, date, str, int, str]


def _relative_start_year(month: int, plan_year: int, year_type: YearType) -> int:
    """The calendar year a month falls in within a plan year (rule 5)."""
    if year_type is YearType.CALENDAR or month >= 9:
        return plan_year
    return plan_year + 1


def _dates(sm: int, sd: int | None, em: int, ed: int | None, sy: int, ey: int | None = None) -> tuple[date, date]:
    if ey is None:
        ey = sy if (em, ed or 32) >= (sm, sd or 1) else sy + 1
    return clamp_date(sy, sm, sd), clamp_date(ey, em, ed)


def _place(
    start: date, due: date, window_start: date, window_end: date, clip_end: bool = False
) -> tuple[date, date] | None:
    """Clip to a window: None if it does not start within it (after clipping the start)."""
    if due < window_start or start > window_end:
        return None
    start = max(start, window_start)
    if clip_end:
        due = min(due, window_end)
    return start, due


def _item_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    try:
        raw = _unnamed_occurrences(item, ctx)
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError, IndexError):
        # A damaged stored item must not break a page; it just yields nothing.
        ctx.warnings.append(DAMAGED_WARNING)
        return []
    return [(start, due, named(label, item), year, key) for start, due, label, year, key in raw]


def _unnamed_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    if isinstance(item, Window):
        return _window_occurrences(item, ctx)
    if isinstance(item, HalfYear):
        return _half_occurrences(item, ctx)
    if isinstance(item, Term):
        return _term_occurrences(item, ctx)
    if isinstance(item, Continuous):
        return _continuous_occurrences(item, ctx)
    if isinstance(item, Years):
        return _years_occurrences(item, ctx)
    if isinstance(item, Every):
        return _every_occurrences(item, ctx)
    raise ValueError(f"damaged item {item!r}")


def _pinned(start: date, due: date, label: str, key: str, ctx: _Context, clip_end: bool = False) -> list[_Raw]:
    placed = _place(start, due, ctx.period_start, ctx.period_end, clip_end)
    if placed is None:
        ctx.warnings.append(outside_period_warning(label, ctx.period_start, ctx.period_end))
        return []
    return [(placed[0], placed[1], label, ctx.plan_year_of(placed[0]), key)]


def _window_occurrences(item: Window, ctx: _Context) -> list[_Raw]:
    sm, sd, em, ed = item.start_month, item.start_day, item.end_month, item.end_day
    if item.only == "end":
        sm, sd = em, ed
    if item.start_year is not None:
        start, due = _dates(sm, sd, em, ed, item.start_year, item.end_year)
        return _pinned(start, due, window_label(item, start, due), _window_key(item, start, due), ctx)
    result = []
    for plan_year, _, _ in ctx.plan_years:
        start, due = _dates(sm, sd, em, ed, _relative_start_year(sm, plan_year, ctx.year_type))
        placed = _place(start, due, ctx.period_start, ctx.period_end)
        if placed:
            label = window_label(item, start, due)
            result.append((placed[0], placed[1], label, plan_year, _window_key(item, start, due)))
    return result


def _window_key(item: Window, start: date, due: date) -> str:
    if item.unit == "quarter":
        a, b = item.quarters
        return f"{start.year}-Q{a}" + (f"-Q{b}" if b != a else "")
    if start == due:
        return start.isoformat()
    if start.day == 1 and due == clamp_date(due.year, due.month, None):
        if (start.year, start.month) == (due.year, due.month):
            return f"{start:%Y-%m}"
        return f"{start:%Y-%m}..{due:%Y-%m}"
    return f"{start.isoformat()}..{due.isoformat()}"


def half_months(n: int, academic: bool) -> tuple[int, int]:
    """First and last month of half-year ``n`` of the calendar or the school year."""
    if academic:
        return (9, 12) if n == 1 else (1, 8)
    return (1, 6) if n == 1 else (7, 12)


def _half_occurrences(item: HalfYear, ctx: _Context) -> list[_Raw]:
    n = item.number
    academic = item.academic
    if academic is None:
        academic = ctx.year_type is YearType.ACADEMIC
    sm, em = half_months(n, academic)
    sd = None if item.only == "end" else 1
    if item.only == "end":
        sm = em
    if item.year is not None:
        sy = item.year + (1 if academic and n == 2 else 0)
        start, due = _dates(sm, sd, em, None, sy)
        return _pinned(start, due, half_label(n, academic, start), f"{start.year}-H{n}", ctx)
    result = []
    for plan_year, _, _ in ctx.plan_years:
        start, due = _dates(sm, sd, em, None, _relative_start_year(sm, plan_year, ctx.year_type))
        placed = _place(start, due, ctx.period_start, ctx.period_end)
        if placed:
            result.append((*placed, half_label(n, academic, start), plan_year, f"{plan_year}-H{n}"))
    return result


def _term_occurrences(item: Term, ctx: _Context) -> list[_Raw]:
    sm, sd, em, ed = ctx.calendar.item_window(item)
    a, b = item.first, item.final
    suffix = a if a == b else f"{a}..{b}"
    if item.only == "end":
        suffix += ":end"
    pinned_year = None
    if item.academic_year is not None:
        pinned_year = item.academic_year if sm >= 9 else item.academic_year + 1
    elif item.calendar_year is not None:
        pinned_year = item.calendar_year
    if pinned_year is not None:
        start, due = _dates(sm, sd, em, ed, pinned_year)
        return _pinned(start, due, term_range_label(item, start), f"{start.year}-{suffix}", ctx)
    result = []
    for plan_year, _, _ in ctx.plan_years:
        start, due = _dates(sm, sd, em, ed, _relative_start_year(sm, plan_year, ctx.year_type))
        placed = _place(start, due, ctx.period_start, ctx.period_end)
        if placed:
            result.append((*placed, term_range_label(item, start), plan_year, f"{plan_year}-{suffix}"))
    return result


def _continuous_occurrences(item: Continuous, ctx: _Context) -> list[_Raw]:
    if item.scope == "period":
        first, last = ctx.period_start, ctx.period_end
        return [(first, last, period_label(first, last), ctx.plan_years[0][0], "period")]
    return [(start, end, plan_year_label(year, ctx.year_type), year, str(year)) for year, start, end in ctx.plan_years]


def _years_occurrences(item: Years, ctx: _Context) -> list[_Raw]:
    y1, y2 = item.first, item.last
    if item.academic:
        start, due = date(y1, 9, 1), date(y2 + 1, 8, 31)
        key = f"{y1}/{y1 + 1}"
    else:
        start, due = date(y1, 1, 1), date(y2, 12, 31)
        key = str(y1) if y1 == y2 else f"{y1}-{y2}"
    return _pinned(start, due, years_label(item), key, ctx, clip_end=True)


def _month_starts(first: date, last: date):
    current = date(first.year, first.month, 1)
    while current <= last:
        yield current
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)


def _parts(unit: str, plan_year: int, ctx: _Context) -> list[tuple[date, date, str, str]]:
    """The parts of one full plan year: (start, end, label, key)."""
    fy_start, fy_end = plan_year_bounds(plan_year, ctx.year_type)
    parts: list[tuple[date, date, str, str]] = []
    if unit == "month":
        for m in _month_starts(fy_start, fy_end):
            parts.append((m, clamp_date(m.year, m.month, None), month_label(m), f"{m:%Y-%m}"))
    elif unit == "quarter":
        for m in _month_starts(fy_start, fy_end):
            if m.month % 3 == 1 or m == fy_start:
                q = (m.month - 1) // 3 + 1
                q_start = date(m.year, 3 * q - 2, 1)
                q_end = clamp_date(m.year, 3 * q, None)
                parts.append((q_start, q_end, quarter_label(q, m.year), f"{m.year}-Q{q}"))
    elif unit == "half":
        academic = ctx.year_type is YearType.ACADEMIC
        for n in (1, 2):
            sm, em = half_months(n, academic)
            start, end = _dates(sm, 1, em, None, _relative_start_year(sm, plan_year, ctx.year_type))
            parts.append((start, end, half_label(n, academic, start), f"{plan_year}-H{n}"))
    elif unit == "week":
        monday = fy_start - timedelta(days=fy_start.weekday())
        while monday <= fy_end:
            sunday = monday + timedelta(days=6)
            iso = monday.isocalendar()
            parts.append((monday, sunday, week_label(monday, sunday), f"{iso[0]}-W{iso[1]:02d}"))
            monday += timedelta(days=7)
    elif unit in ("term", "trimester"):
        for name in TERMS if unit == "term" else TRIMESTERS:
            sm, sd, em, ed = ctx.calendar.span(name)
            start, end = _dates(sm, sd, em, ed, _relative_start_year(sm, plan_year, ctx.year_type))
            parts.append((start, end, term_label(name, start), f"{plan_year}-{name}"))
    return parts


def _every_occurrences(item: Every, ctx: _Context) -> list[_Raw]:
    unit = item.unit
    within: list[tuple[date, date]] | None = None
    if item.within:
        # The limiting window may have started in the plan year before the period ("ежемесячно
        # (сентябрь-май)" in a calendar 2023 plan covers January–May 2023 too).
        wider = _Context(date(ctx.period_start.year - 1, 1, 1), ctx.period_end, ctx.year_type, ctx.calendar, ctx.shift)
        inner = _unnamed_occurrences(item.within, wider)
        within = [(start, due) for start, due, *_ in inner]
    result: list[_Raw] = []
    for plan_year, pw_start, pw_end in ctx.plan_years:
        for start, end, label, key in _parts(unit, plan_year, ctx):
            due = end
            if item.day:
                start = due = clamp_date(start.year, start.month, item.day)
                label = days_label(start, due)
            elif item.days:
                first, last = item.days
                start, due = clamp_date(start.year, start.month, first), clamp_date(start.year, start.month, last)
                label = f"{label}, {days_label(start, due)}"
            elif item.due_next:
                after = end + timedelta(days=1)
                due = clamp_date(after.year, after.month, item.due_next)
            if start == due:
                placed = (start, due) if pw_start <= start <= pw_end else None
            elif item.due_next:
                placed = _place(start, due, pw_start, pw_end)
            else:
                placed = _place(start, due, pw_start, pw_end, clip_end=True)
                if placed and end > pw_end and placed[1] < start:
                    placed = None
            if placed is None:
                continue
            if within is not None:
                placed = _within(placed, within, start == due)
                if placed is None:
                    continue
            result.append((placed[0], placed[1], label, plan_year, key))
    return result


def _within(part: tuple[date, date], windows: list[tuple[date, date]], is_deadline: bool) -> tuple[date, date] | None:
    for w_start, w_end in windows:
        if is_deadline:
            if w_start <= part[0] <= w_end:
                return part
        elif part[1] >= w_start and part[0] <= w_end:
            return max(part[0], w_start), min(part[1], w_end)
    return None


def kind_of(items: list[Item]) -> ScheduleKind:
    if len(items) > 1:
        return ScheduleKind.LIST
    item = items[0]
    if isinstance(item, Continuous):
        return ScheduleKind.WHOLE_PERIOD if item.scope == "period" else ScheduleKind.CONTINUOUS
    if isinstance(item, Every):
        return ScheduleKind.PERIODIC
    if getattr(item, "only", None):
        return ScheduleKind.DEADLINE
    if isinstance(item, Window) and (item.start_month, item.start_day) == (item.end_month, item.end_day):
        return ScheduleKind.DEADLINE
    return ScheduleKind.WINDOW
