"""Year types, plan years and the academic calendar (school terms and holidays).

The academic calendar is plain data: month/day pairs with Russian defaults that a roadmap may
override (it stores only its overrides, see :meth:`AcademicCalendar.from_dict`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

__all__ = [
    "DEFAULT_ACADEMIC_CALENDAR",
    "PERIODS",
    "AcademicCalendar",
    "MonthDayRange",
    "YearType",
    "clamp_date",
    "current_plan_year",
    "plan_years",
]

# The academic year runs from 1 September to 31 August (DOMAIN.md, "учебный год").
ACADEMIC_START_MONTH = 9


class YearType(StrEnum):
    """How a roadmap's period is cut into plan years."""

    CALENDAR = "calendar"
    ACADEMIC = "academic"

    @property
    def label(self) -> str:
        return {"calendar": "календарный год", "academic": "учебный год"}[self.value]

    @classmethod
    def coerce(cls, value: YearType | str | None) -> YearType:
        """Accept an enum member, its value or None (``calendar``)."""
        if value is None or value == "":
            return cls.CALENDAR
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise ValueError(f"неизвестный тип года: {value!r} (calendar, academic)") from None


def clamp_date(year: int, month: int, day: int | None) -> date:
    """The date ``day.month.year``; ``None`` or a day past the month's end means its last day
    (so 29 February is 28 February in a common year)."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None or day > last else day)


def plan_years(
    period_start: date, period_end: date, year_type: YearType | str = YearType.CALENDAR
) -> list[tuple[int, date, date]]:
    """The plan years intersecting the period: ``(plan_year, clipped start, clipped end)``.

    For the academic type a plan year is named after the calendar year it starts in
    (2023 = 1 September 2023 – 31 August 2024).
    """
    if period_start > period_end:
        raise ValueError("начало периода позже его конца")
    kind = YearType.coerce(year_type)
    result: list[tuple[int, date, date]] = []
    if kind is YearType.CALENDAR:
        for year in range(period_start.year, period_end.year + 1):
            start, end = date(year, 1, 1), date(year, 12, 31)
            result.append((year, max(start, period_start), min(end, period_end)))
        return result
    first = period_start.year if period_start.month >= ACADEMIC_START_MONTH else period_start.year - 1
    last = period_end.year if period_end.month >= ACADEMIC_START_MONTH else period_end.year - 1
    for year in range(first, last + 1):
        start = date(year, ACADEMIC_START_MONTH, 1)
        end = date(year + 1, ACADEMIC_START_MONTH - 1, 31)
        result.append((year, max(start, period_start), min(end, period_end)))
    return result


def current_plan_year(
    period_start: date,
    period_end: date,
    year_type: YearType | str,
    today: date,
    years: Iterable[int] | None = None,
) -> int | None:
    """The plan year every page and export opens on by default: the one containing `today`.

    `today` is the date in the roadmap's zone (``roadmap.clock.today_for``). Before the first
    plan year this is the first plan year, after the last one the last (today is clipped to the
    period). With `years` (the plan years that have tasks) the choice is limited to them: the
    latest of them not after that year, else the earliest; None if `years` is empty.
    """
    kind = YearType.coerce(year_type)
    all_years = [year for year, _, _ in plan_years(period_start, period_end, kind)]
    containing = today.year if kind is YearType.CALENDAR or today.month >= ACADEMIC_START_MONTH else today.year - 1
    chosen = min(max(containing, all_years[0]), all_years[-1])
    if years is None:
        return chosen
    available = sorted(set(years))
    if not available:
        return None
    earlier = [year for year in available if year <= chosen]
    return earlier[-1] if earlier else available[0]


def plan_year_bounds(year: int, year_type: YearType) -> tuple[date, date]:
    """The full (unclipped) window of a plan year."""
    if year_type is YearType.CALENDAR:
        return date(year, 1, 1), date(year, 12, 31)
    return date(year, ACADEMIC_START_MONTH, 1), date(year + 1, ACADEMIC_START_MONTH - 1, 31)


@dataclass(frozen=True)
class MonthDayRange:
    """A yearly window from ``start`` to ``end`` (month, day); it wraps the year end when
    ``end`` comes before ``start`` (winter holidays: 29 December – 8 January)."""

    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def wraps(self) -> bool:
        return self.end < self.start

    def to_dict(self) -> dict[str, str]:
        return {"start": _md_str(self.start), "end": _md_str(self.end)}

    @classmethod
    def from_value(cls, value: Any) -> MonthDayRange:
        """From ``{"start": "09-01", "end": "10-26"}`` (also "01.09", [9, 1]) or a pair."""
        if isinstance(value, MonthDayRange):
            return value
        if isinstance(value, dict):
            return cls(_parse_md(value.get("start")), _parse_md(value.get("end")))
        if isinstance(value, list | tuple) and len(value) == 2:
            return cls(_parse_md(value[0]), _parse_md(value[1]))
        raise ValueError(f"ожидался интервал {{'start': 'ММ-ДД', 'end': 'ММ-ДД'}}, получено {value!r}")


_MD_RE = re.compile(r"^\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\s*$")


def _md_str(md: tuple[int, int]) -> str:
    return f"{md[0]:02d}-{md[1]:02d}"


def _parse_md(value: Any) -> tuple[int, int]:
    if isinstance(value, list | tuple) and len(value) == 2:
        month, day = int(value[0]), int(value[1])
    elif isinstance(value, str) and (m := _MD_RE.match(value)):
        first, second = int(m.group(1)), int(m.group(2))
        # "09-01" is month-day (ISO order); "01.09" is the Russian day.month.
        month, day = (second, first) if "." in value else (first, second)
    else:
        raise ValueError(f"ожидалась дата вида ММ-ДД, получено {value!r}")
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise ValueError(f"несуществующая дата: {value!r}")
    return month, day


# name -> (Russian label, default window). Order matters: terms come in school-year order.
PERIODS: dict[str, tuple[str, MonthDayRange]] = {
    "term_1": ("I четверть", MonthDayRange((9, 1), (10, 26))),
    "term_2": ("II четверть", MonthDayRange((11, 5), (12, 28))),
    "term_3": ("III четверть", MonthDayRange((1, 9), (3, 21))),
    "term_4": ("IV четверть", MonthDayRange((4, 1), (5, 26))),
    "trimester_1": ("I триместр", MonthDayRange((9, 1), (11, 30))),
    "trimester_2": ("II триместр", MonthDayRange((12, 1), (2, 29))),
    "trimester_3": ("III триместр", MonthDayRange((3, 1), (5, 31))),
    "autumn_holidays": ("осенние каникулы", MonthDayRange((10, 27), (11, 4))),
    "winter_holidays": ("зимние каникулы", MonthDayRange((12, 29), (1, 8))),
    "spring_holidays": ("весенние каникулы", MonthDayRange((3, 22), (3, 31))),
    "summer_holidays": ("летние каникулы", MonthDayRange((5, 27), (8, 31))),
    # "Летний период" in roadmaps means the three summer months, not the school holidays.
    "summer_period": ("летний период", MonthDayRange((6, 1), (8, 31))),
    # "Начало учебного года" is its first month; "конец учебного года" the last month of
    # lessons (the IV term ends in late May), not 31 August.
    "school_year_start": ("начало учебного года", MonthDayRange((9, 1), (9, 30))),
    "school_year_end": ("конец учебного года", MonthDayRange((5, 1), (5, 31))),
}

TERMS = ("term_1", "term_2", "term_3", "term_4")
TRIMESTERS = ("trimester_1", "trimester_2", "trimester_3")


@dataclass(frozen=True)
class AcademicCalendar:
    """School terms and holidays as yearly month/day windows.

    Defaults (a typical Russian school year with four terms):

    ========================  ===================
    I четверть                1 сентября – 26 октября
    осенние каникулы          27 октября – 4 ноября
    II четверть               5 ноября – 28 декабря
    зимние каникулы           29 декабря – 8 января
    III четверть              9 января – 21 марта
    весенние каникулы         22 – 31 марта
    IV четверть               1 апреля – 26 мая
    летние каникулы           27 мая – 31 августа
    летний период             1 июня – 31 августа
    I / II / III триместр     1.09–30.11 / 1.12–конец февраля / 1.03–31.05
    начало учебного года      1 – 30 сентября
    конец учебного года       1 – 31 мая
    ========================  ===================
    """

    periods: dict[str, MonthDayRange] = field(default_factory=lambda: {k: v[1] for k, v in PERIODS.items()})

    def __post_init__(self) -> None:
        unknown = set(self.periods) - set(PERIODS)
        if unknown:
            raise ValueError(f"неизвестные периоды учебного календаря: {', '.join(sorted(unknown))}")
        missing = set(PERIODS) - set(self.periods)
        if missing:
            raise ValueError(f"не заданы периоды учебного календаря: {', '.join(sorted(missing))}")

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, v.start, v.end) for k, v in self.periods.items())))

    def window(self, name: str) -> MonthDayRange:
        """The yearly window of a named period (``term_1``, ``autumn_holidays``...)."""
        return self.periods[name]

    def span(self, first: str, last: str | None = None, only: str | None = None) -> tuple[int, int, int, int]:
        """(start month, start day, end month, end day) of the periods ``first``..``last``;
        ``only`` "start"/"end": just that day."""
        (sm, sd), (em, ed) = self.window(first).start, self.window(last or first).end
        if only == "end":
            sm, sd = em, ed
        elif only == "start":
            em, ed = sm, sd
        return sm, sd, em, ed

    def item_window(self, term: Any) -> tuple[int, int, int, int]:
        """:meth:`span` of a ``Term`` schedule item."""
        return self.span(term.first, term.last, term.only)

    @staticmethod
    def label(name: str) -> str:
        return PERIODS[name][0]

    def to_dict(self, only_overrides: bool = False) -> dict[str, dict[str, str]]:
        """JSON-ready; with ``only_overrides`` just the periods that differ from the defaults."""
        return {
            name: window.to_dict()
            for name, window in self.periods.items()
            if not only_overrides or window != PERIODS[name][1]
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> AcademicCalendar:
        """The defaults with ``data``'s periods replaced; raises ValueError on bad data."""
        periods = {k: v[1] for k, v in PERIODS.items()}
        for name, value in (data or {}).items():
            if name not in PERIODS:
                raise ValueError(f"неизвестный период учебного календаря: {name!r}")
            periods[name] = MonthDayRange.from_value(value)
        return cls(periods)


DEFAULT_ACADEMIC_CALENDAR = AcademicCalendar()
