"""Period and year type from the roadmap's title ("на 2023-2024 учебный год")."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from roadmap.importers.model import YearType


class Period(NamedTuple):
    start: date
    end: date
    year_type: YearType


_DASH = r"\s*[-‐‑‒–—−/]\s*"
_YEAR = r"((?:19|20|21)\d\d)"
# "учебный год", "уч. год", "уч.г.", "учебные годы"
_ACADEMIC = r"\s*(?:г(?:г|од[а-я]*)?\.?\s*)?уч(?:еб[а-я]*|\.)?\s*(?:г(?:г|од[а-я]*)?\b\.?)?"
_ACADEMIC_RANGE = re.compile(_YEAR + _DASH + r"(\d{4}|\d\d)\b" + r"(" + _ACADEMIC + r")?", re.I)
_ACADEMIC_SINGLE = re.compile(_YEAR + r"\s+уч(?:еб[а-я]*|\.)\s*(?:г|год)", re.I)
_RANGE_WORDS = re.compile(r"\bс\s+" + _YEAR + r"\s*(?:г\.?|года?)?\s+по\s+" + _YEAR, re.I)
_ON_YEAR = re.compile(r"\b(?:на|в)\s+" + _YEAR + r"(?!\d)", re.I)
_YEAR_WORD = re.compile(_YEAR + r"\s*(?:г\b\.?|год\b|года\b|году\b)", re.I)


def _second_year(first: int, text: str) -> int:
    second = int(text)
    if len(text) == 2:  # "2023/24"
        second += first // 100 * 100
        if second < first:
            second += 100
    return second


def detect_period(title: str | None) -> Period | None:
    """Guess the roadmap period from its title, or None.

    "на 2023 г." → 2023-01-01..2023-12-31 calendar; "на 2023-2024 учебный год" or
    "2023/24 уч. г." → 2023-09-01..2024-08-31 academic; "на 2022–2024 годы" →
    2022-01-01..2024-12-31 calendar. A range is preferred over a single year; among single
    years "на 2023" is preferred over a year mentioned elsewhere ("до 2030 года").
    """
    if not title:
        return None
    text = re.sub(r"\s+", " ", str(title)).replace("ё", "е").replace("Ё", "Е")
    for match in _ACADEMIC_RANGE.finditer(text):
        first = int(match.group(1))
        second = _second_year(first, match.group(2))
        if not first < second <= first + 10:
            continue
        if match.group(3) and re.search(r"уч", match.group(3), re.I):
            return Period(date(first, 9, 1), date(second, 8, 31), YearType.ACADEMIC)
        return Period(date(first, 1, 1), date(second, 12, 31), YearType.CALENDAR)
    match = _RANGE_WORDS.search(text)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        if first <= second <= first + 10:
            return Period(date(first, 1, 1), date(second, 12, 31), YearType.CALENDAR)
    match = _ACADEMIC_SINGLE.search(text)
    if match:
        first = int(match.group(1))
        return Period(date(first, 9, 1), date(first + 1, 8, 31), YearType.ACADEMIC)
    match = _ON_YEAR.search(text) or _YEAR_WORD.search(text)
    if match:
        year = int(match.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31), YearType.CALENDAR)
    return None


class YearSlip(NamedTuple):
    """A dated deadline that looks like a slip of the year: «январь 2023» right after «декабрь 2023»."""

    index: int  # of the deadline in the list given
    written: int
    likely: int


def dated_months(deadline: str) -> list[tuple[int, int]]:
    """(year, month) of every explicitly dated part of a deadline ("декабрь 2023" → [(2023, 12)])."""
    from roadmap.schedule import Window, Years, parse

    months = []
    for item in parse(deadline or "").items:
        if isinstance(item, Window) and item.start_year:
            months.append((item.start_year, item.start_month))
            if item.end_year and (item.end_year, item.end_month) != (item.start_year, item.start_month):
                months.append((item.end_year, item.end_month))
        elif isinstance(item, Years) and item.first:
            if item.academic:
                months += [(item.first, 9), (item.last + 1, 8)]
            else:
                months += [(item.first, 1), (item.last, 12)]
    return months


def period_from_deadlines(deadlines: list[str]) -> Period | None:
    """The period the dated deadlines of a document cover, when its title does not say.

    Dates that run from September to the next August make an academic year; otherwise the
    calendar years from the first to the last dated year. None when nothing is dated.
    """
    months = sorted(m for text in deadlines for m in dated_months(text))
    if not months:
        return None
    (first_year, first_month), (last_year, _last_month) = months[0], months[-1]
    start = first_year if first_month >= 9 else first_year - 1
    within_one_school_year = (start, 9) <= months[0] and months[-1] <= (start + 1, 8)
    if within_one_school_year and first_year != last_year:
        return Period(date(start, 9, 1), date(start + 1, 8, 31), "academic")
    return Period(date(first_year, 1, 1), date(last_year, 12, 31), "calendar")


def year_slips(deadlines: list[str]) -> list[YearSlip]:
    """Deadlines in document order whose year seems to have slipped: early months of a year
    right after late months of the same year («ноябрь 2023», «декабрь 2023», «январь 2023»)."""
    slips = []
    previous: tuple[int, int] | None = None
    for index, text in enumerate(deadlines):
        for year, month in dated_months(text):
            if previous is not None and year == previous[0] and previous[1] >= 11 and month <= 2:
                slips.append(YearSlip(index, year, year + 1))
            previous = (year, month)
    return slips
