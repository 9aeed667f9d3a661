"""Schedules (a parsed deadline phrase) and their occurrences in a roadmap's period."""

from __future__ import annotations

import re
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
from .grammar import Item
from .notes import WeekdayClaim
from .production import ShiftRule, effective_due

__all__ = ["Occurrence", "Occurrences", "Schedule", "ScheduleKind"]

MONTHS_NOM = ("", "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
              "ноябрь", "декабрь")  # fmt: skip
MONTHS_GEN = ("", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")  # fmt: skip
ROMAN = ("", "I", "II", "III", "IV")
DECADES = ("", "первая", "вторая", "третья")
PARTS = {"begin": "начало", "middle": "середина", "end": "конец"}


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
    # Weekdays written after dates («5 марта (чт)»): checked against each occurrence.
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
            "version": 1,
            "text": self.text,
            "kind": self.kind,
            "explanation": self.explanation,
            "warnings": list(self.warnings),
            "items": [dict(item) for item in self.items],
            **({"weekdays": [claim.to_dict() for claim in self.weekdays]} if self.weekdays else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schedule:
        """Inverse of :meth:`to_dict`."""
        return cls(
            text=str(data.get("text") or ""),
            kind=ScheduleKind(data.get("kind") or ScheduleKind.UNPARSED),
            explanation=str(data.get("explanation") or ""),
            warnings=[str(w) for w in data.get("warnings") or []],
            items=[dict(item) for item in data.get("items") or []],
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
            for conflict in self.weekday_conflicts([start, due], with_year=False):
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
    raw = _unnamed_occurrences(item, ctx)
    name = item.get("label")
    if name:
        return [(start, due, f"{name}: {label}", year, key) for start, due, label, year, key in raw]
    return raw


def _unnamed_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    kind = item.get("t")
    try:
        if kind == "win":
            return _win_occurrences(item, ctx)
        if kind == "half":
            return _half_occurrences(item, ctx)
        if kind == "term":
            return _term_occurrences(item, ctx)
        if kind == "cont":
            return _cont_occurrences(item, ctx)
        if kind == "years":
            return _years_occurrences(item, ctx)
        if kind == "every":
            return _every_occurrences(item, ctx)
    except (KeyError, TypeError, ValueError, OverflowError):
        # A damaged stored item must not break a page; it just yields nothing.
        ctx.warnings.append("сохранённое расписание повреждено; задайте сроки заново")
    return []


def _pinned(start: date, due: date, label: str, key: str, ctx: _Context, clip_end: bool = False) -> list[_Raw]:
    placed = _place(start, due, ctx.period_start, ctx.period_end, clip_end)
    if placed is None:
        ctx.warnings.append(
            f"срок «{label}» вне периода дорожной карты "
            f"({ctx.period_start:%d.%m.%Y} – {ctx.period_end:%d.%m.%Y}); задач не будет"
        )
        return []
    return [(placed[0], placed[1], label, ctx.plan_year_of(placed[0]), key)]


def _win_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    sm, sd, em, ed = item["sm"], item["sd"], item["em"], item["ed"]
    if item.get("dl") == "end":
        sm, sd = em, ed
    if item.get("sy") is not None:
        start, due = _dates(sm, sd, em, ed, item["sy"], item.get("ey"))
        return _pinned(start, due, window_label(item, start, due), _win_key(item, start, due), ctx)
    result = []
    for plan_year, _, _ in ctx.plan_years:
        start, due = _dates(sm, sd, em, ed, _relative_start_year(sm, plan_year, ctx.year_type))
        placed = _place(start, due, ctx.period_start, ctx.period_end)
        if placed:
            result.append((placed[0], placed[1], window_label(item, start, due), plan_year, _win_key(item, start, due)))
    return result


def _win_key(item: Item, start: date, due: date) -> str:
    if item["u"] == "quarter":
        a, b = item["q"]
        return f"{start.year}-Q{a}" + (f"-Q{b}" if b != a else "")
    if start == due:
        return start.isoformat()
    if start.day == 1 and due == clamp_date(due.year, due.month, None):
        if (start.year, start.month) == (due.year, due.month):
            return f"{start:%Y-%m}"
        return f"{start:%Y-%m}..{due:%Y-%m}"
    return f"{start.isoformat()}..{due.isoformat()}"


def _day_text(d: date) -> str:
    return f"{d.day} {MONTHS_GEN[d.month]}"


def days_label(start: date, due: date) -> str:
    """ "1–15 сентября 2023", "15 сентября – 15 октября 2023", "1 сентября 2023"."""
    if start == due:
        return f"{_day_text(start)} {start.year}"
    if start.year != due.year:
        return f"{_day_text(start)} {start.year} – {_day_text(due)} {due.year}"
    if start.month == due.month:
        return f"{start.day}–{due.day} {MONTHS_GEN[start.month]} {start.year}"
    return f"{_day_text(start)} – {_day_text(due)} {start.year}"


def window_label(item: Item, start: date, due: date) -> str:
    unit = item.get("u")
    if unit == "quarter":
        a, b = item["q"]
        name = f"{ROMAN[a]}{'–' + ROMAN[b] if b != a else ''} квартал {start.year}"
        return f"конец: {name} ({days_label(start, due)})" if item.get("dl") == "end" else name
    if unit == "decade":
        return f"{DECADES[item['n']]} декада {MONTHS_GEN[start.month]} {start.year}"
    if unit == "part":
        return f"{PARTS[item['part']]} {MONTHS_GEN[start.month]} {start.year}"
    whole_months = start.day == 1 and due == clamp_date(due.year, due.month, None)
    if whole_months and unit == "month" or whole_months and start != due:
        if (start.year, start.month) == (due.year, due.month):
            return f"{MONTHS_NOM[start.month]} {start.year}"
        if start.year == due.year:
            return f"{MONTHS_NOM[start.month]}–{MONTHS_NOM[due.month]} {start.year}"
        return f"{MONTHS_NOM[start.month]} {start.year} – {MONTHS_NOM[due.month]} {due.year}"
    return days_label(start, due)


def _half_months(n: int, academic: bool) -> tuple[int, int]:
    if academic:
        return (9, 12) if n == 1 else (1, 8)
    return (1, 6) if n == 1 else (7, 12)


def _half_label(n: int, academic: bool, start: date) -> str:
    if academic:
        ay = start.year if start.month >= 9 else start.year - 1
        return f"{ROMAN[n]} полугодие {ay}/{ay + 1} учебного года"
    return f"{ROMAN[n]} полугодие {start.year}"


def _half_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    n = item["n"]
    academic = item.get("acad")
    if academic is None:
        academic = ctx.year_type is YearType.ACADEMIC
    sm, em = _half_months(n, academic)
    sd = None if item.get("dl") == "end" else 1
    if item.get("dl") == "end":
        sm = em
    if item.get("y") is not None:
        sy = item["y"] + (1 if academic and n == 2 else 0)
        start, due = _dates(sm, sd, em, None, sy)
        return _pinned(start, due, _half_label(n, academic, start), f"{start.year}-H{n}", ctx)
    result = []
    for plan_year, _, _ in ctx.plan_years:
        start, due = _dates(sm, sd, em, None, _relative_start_year(sm, plan_year, ctx.year_type))
        placed = _place(start, due, ctx.period_start, ctx.period_end)
        if placed:
            result.append((*placed, _half_label(n, academic, start), plan_year, f"{plan_year}-H{n}"))
    return result


def _academic_year_of(d: date) -> int:
    return d.year if d.month >= 9 else d.year - 1


def _term_label(name: str, start: date) -> str:
    label = AcademicCalendar.label(name)
    if name in ("summer_period", "summer_holidays"):
        return f"{label} {start.year}"
    ay = _academic_year_of(start)
    if name.startswith("school_year"):
        word = "начало" if name == "school_year_start" else "конец"
        return f"{word} {ay}/{ay + 1} учебного года"
    return f"{label} {ay}/{ay + 1} учебного года"


def _term_window(item: Item, cal: AcademicCalendar) -> tuple[int, int, int, int]:
    first, last = cal.window(item["a"]), cal.window(item.get("b") or item["a"])
    (sm, sd), (em, ed) = first.start, last.end
    if item.get("dl") == "end":
        sm, sd = em, ed
    elif item.get("dl") == "start":
        em, ed = sm, sd
    return sm, sd, em, ed


def _term_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    sm, sd, em, ed = _term_window(item, ctx.calendar)
    a, b = item["a"], item.get("b") or item["a"]
    suffix = a if a == b else f"{a}..{b}"
    if item.get("dl") == "end":
        suffix += ":end"

    def label(start: date, due: date) -> str:
        if item.get("dl"):
            return f"{_term_label(a, start)}: {days_label(start, start)}"
        if a == b:
            return _term_label(a, start)
        ay = _academic_year_of(start)
        return f"{AcademicCalendar.label(a)} – {AcademicCalendar.label(b)} {ay}/{ay + 1} учебного года"

    pinned_year = None
    if item.get("ay") is not None:
        pinned_year = item["ay"] if sm >= 9 else item["ay"] + 1
    elif item.get("cy") is not None:
        pinned_year = item["cy"]
    if pinned_year is not None:
        start, due = _dates(sm, sd, em, ed, pinned_year)
        return _pinned(start, due, label(start, due), f"{start.year}-{suffix}", ctx)
    result = []
    for plan_year, _, _ in ctx.plan_years:
        start, due = _dates(sm, sd, em, ed, _relative_start_year(sm, plan_year, ctx.year_type))
        placed = _place(start, due, ctx.period_start, ctx.period_end)
        if placed:
            result.append((*placed, label(start, due), plan_year, f"{plan_year}-{suffix}"))
    return result


def _plan_year_label(plan_year: int, year_type: YearType) -> str:
    if year_type is YearType.ACADEMIC:
        return f"{plan_year}/{plan_year + 1} учебный год"
    return f"{plan_year} год"


def _cont_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    if item.get("scope") == "period":
        first, last = ctx.period_start, ctx.period_end
        years = f"{first.year}" if first.year == last.year else f"{first.year}–{last.year}"
        return [(first, last, f"весь период {years}", ctx.plan_years[0][0], "period")]
    return [(start, end, _plan_year_label(year, ctx.year_type), year, str(year)) for year, start, end in ctx.plan_years]


def _years_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    y1, y2 = item["y1"], item["y2"]
    if item.get("acad"):
        start, due = date(y1, 9, 1), date(y2 + 1, 8, 31)
        label = f"{y1}/{y1 + 1} учебный год" if y1 == y2 else f"{y1}/{y1 + 1} – {y2}/{y2 + 1} учебные годы"
        key = f"{y1}/{y1 + 1}"
    else:
        start, due = date(y1, 1, 1), date(y2, 12, 31)
        label = f"{y1} год" if y1 == y2 else f"{y1}–{y2} годы"
        key = str(y1) if y1 == y2 else f"{y1}-{y2}"
    return _pinned(start, due, label, key, ctx, clip_end=True)


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
            parts.append((m, clamp_date(m.year, m.month, None), f"{MONTHS_NOM[m.month]} {m.year}", f"{m:%Y-%m}"))
    elif unit == "quarter":
        for m in _month_starts(fy_start, fy_end):
            if m.month % 3 == 1 or m == fy_start:
                q = (m.month - 1) // 3 + 1
                q_start = date(m.year, 3 * q - 2, 1)
                q_end = clamp_date(m.year, 3 * q, None)
                parts.append((q_start, q_end, f"{ROMAN[q]} квартал {m.year}", f"{m.year}-Q{q}"))
    elif unit == "half":
        academic = ctx.year_type is YearType.ACADEMIC
        for n in (1, 2):
            sm, em = _half_months(n, academic)
            start, end = _dates(sm, 1, em, None, _relative_start_year(sm, plan_year, ctx.year_type))
            parts.append((start, end, _half_label(n, academic, start), f"{plan_year}-H{n}"))
    elif unit == "week":
        monday = fy_start - timedelta(days=fy_start.weekday())
        while monday <= fy_end:
            sunday = monday + timedelta(days=6)
            iso = monday.isocalendar()
            parts.append((monday, sunday, f"неделя {days_label(monday, sunday)}", f"{iso[0]}-W{iso[1]:02d}"))
            monday += timedelta(days=7)
    elif unit in ("term", "trimester"):
        for name in TERMS if unit == "term" else TRIMESTERS:
            sm, sd, em, ed = _term_window({"a": name}, ctx.calendar)
            start, end = _dates(sm, sd, em, ed, _relative_start_year(sm, plan_year, ctx.year_type))
            parts.append((start, end, _term_label(name, start), f"{plan_year}-{name}"))
    return parts


def _every_occurrences(item: Item, ctx: _Context) -> list[_Raw]:
    unit = item["u"]
    within: list[tuple[date, date]] | None = None
    if item.get("within"):
        # The limiting window may have started in the plan year before the period ("ежемесячно
        # (сентябрь-май)" in a calendar 2023 plan covers January–May 2023 too).
        wider = _Context(date(ctx.period_start.year - 1, 1, 1), ctx.period_end, ctx.year_type, ctx.calendar, ctx.shift)
        inner = _item_occurrences(item["within"], wider)
        within = [(start, due) for start, due, *_ in inner]
    result: list[_Raw] = []
    for plan_year, pw_start, pw_end in ctx.plan_years:
        for start, end, label, key in _parts(unit, plan_year, ctx):
            due = end
            if item.get("day"):
                start = due = clamp_date(start.year, start.month, item["day"])
                label = days_label(start, due)
            elif item.get("days"):
                first, last = item["days"]
                start, due = clamp_date(start.year, start.month, first), clamp_date(start.year, start.month, last)
                label = f"{label}, {days_label(start, due)}"
            elif item.get("due_next"):
                after = end + timedelta(days=1)
                due = clamp_date(after.year, after.month, item["due_next"])
            if start == due:
                placed = (start, due) if pw_start <= start <= pw_end else None
            elif item.get("due_next"):
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


# ---------------------------------------------------------------------------------------------
# Explanations


def _md_text(month: int, day: int | None) -> str:
    if day is None:
        return "28 (29) февраля" if month == 2 else f"{clamp_date(2001, month, None).day} {MONTHS_GEN[month]}"
    return f"{day} {MONTHS_GEN[month]}"


def _range_text(sm: int, sd: int, em: int, ed: int | None, sy: int | None = None, ey: int | None = None) -> str:
    if (sm, sd) == (em, ed):
        return f"срок — {_md_text(sm, sd)}" + (f" {sy} г." if sy else "")
    if sy is not None:
        if sy == ey:
            if sm == em:
                return f"с {sd} по {_md_text(em, ed)} {sy} г."
            return f"с {_md_text(sm, sd)} по {_md_text(em, ed)} {sy} г."
        return f"с {_md_text(sm, sd)} {sy} г. по {_md_text(em, ed)} {ey} г."
    wraps = (em, ed or 32) < (sm, sd)
    if sm == em and not wraps:
        return f"с {sd} по {_md_text(em, ed)}"
    return f"с {_md_text(sm, sd)} по {_md_text(em, ed)}" + (" следующего года" if wraps else "")


_UNIT_TEXT = {
    "month": "ежемесячно",
    "quarter": "ежеквартально",
    "half": "по полугодиям",
    "week": "еженедельно (по неделям с понедельника)",
    "term": "по четвертям",
    "trimester": "по триместрам",
}


def explain_item(item: Item, cal: AcademicCalendar = DEFAULT_ACADEMIC_CALENDAR) -> str:
    """A short Russian description of one item."""
    kind = item.get("t")
    if kind == "win":
        sm, sd = (item["em"], item["ed"]) if item.get("dl") == "end" else (item["sm"], item["sd"])
        text = _range_text(sm, sd, item["em"], item["ed"], item.get("sy"), item.get("ey"))
        return text if item.get("sy") is not None else f"ежегодно, {text}"
    if kind == "half" and item.get("dl") == "end":
        return f"до конца: {explain_item({**item, 'dl': None})}"
    if kind == "half":
        n = item["n"]
        if item.get("y") is not None:
            if item.get("acad"):
                return f"{ROMAN[n]} полугодие {item['y']}/{item['y'] + 1} учебного года"
            return f"{ROMAN[n]} полугодие {item['y']} г."
        if item.get("acad"):
            return f"ежегодно, {ROMAN[n]} полугодие учебного года ({'сентябрь–декабрь' if n == 1 else 'январь–август'})"
        months = "январь–июнь" if n == 1 else "июль–декабрь"
        academic = "сентябрь–декабрь" if n == 1 else "январь–август"
        return f"ежегодно, {ROMAN[n]} полугодие ({months}; для учебного года — {academic})"
    if kind == "term":
        a, b = item["a"], item.get("b") or item["a"]
        name = AcademicCalendar.label(a) if a == b else f"{AcademicCalendar.label(a)} – {AcademicCalendar.label(b)}"
        sm, sd, em, ed = _term_window(item, cal)
        when = _range_text(sm, sd, em, ed)
        if item.get("dl") == "end":
            name = f"до конца периода «{name}»"
        elif item.get("dl") == "start":
            name = f"к началу периода «{name}»"
        if item.get("ay") is not None:
            return f"{name} {item['ay']}/{item['ay'] + 1} учебного года ({when} по учебному календарю)"
        if item.get("cy") is not None:
            return f"{name} {item['cy']} г. ({when} по учебному календарю)"
        return f"ежегодно, {name} ({when} по учебному календарю)"
    if kind == "cont":
        if item.get("scope") == "period":
            return "в течение всего периода дорожной карты"
        return "в течение каждого года плана (весь год)"
    if kind == "years":
        y1, y2 = item["y1"], item["y2"]
        if item.get("acad"):
            return f"в течение {y1}/{y1 + 1} учебного года (с 1 сентября {y1} г. по 31 августа {y1 + 1} г.)"
        return f"в течение {y1} г." if y1 == y2 else f"в течение {y1}–{y2} гг."
    if kind == "every":
        text = _UNIT_TEXT.get(item.get("u", ""), "периодически")
        if item.get("day"):
            text += f", срок — {item['day']} число"
        elif item.get("days"):
            first, last = item["days"]
            text += f", с {first} по {last if last else 'последнее'} число"
        elif item.get("due_next"):
            period = {"month": "месяца", "quarter": "квартала", "half": "полугодия"}[item["u"]]
            text += f", срок — {item['due_next']} число месяца, следующего за окончанием {period}"
        if item.get("within"):
            text += f", в пределах: {explain_item(item['within'], cal)}"
        return text
    return "срок не распознан"


def kind_of(items: list[Item]) -> ScheduleKind:
    if len(items) > 1:
        return ScheduleKind.LIST
    item = items[0]
    if item["t"] == "cont":
        return ScheduleKind.WHOLE_PERIOD if item.get("scope") == "period" else ScheduleKind.CONTINUOUS
    if item["t"] == "every":
        return ScheduleKind.PERIODIC
    if item["t"] == "win" and (item["sm"], item["sd"]) == (item["em"], item["ed"]) or item.get("dl"):
        return ScheduleKind.DEADLINE
    return ScheduleKind.WINDOW


def explain(items: list[Item]) -> str:
    text = "; ".join(explain_item(item) for item in items)
    # "ежегодно, ...; ежегодно, ..." reads better with one "ежегодно" up front.
    if len(items) > 1 and text.count("ежегодно, ") == len(items):
        text = "ежегодно: " + text.replace("ежегодно, ", "")
    return re.sub(r"\s+", " ", text)
