"""The Russian production calendar: working days and the shift of a due date off a day off.

Russian law moves a deadline that falls on a non-working day to the next working day (Civil
Code art. 193). A roadmap may also ask for the previous working day (a report "не позднее" a
holiday is usually sent before it) or for no shift at all.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

__all__ = ["ShiftRule", "effective_due", "is_working_day", "non_working_days"]

# A deadline is never more than a couple of weeks away from a working day (the longest run of
# days off is the New Year holidays); the cap only protects against a broken calendar.
_MAX_SHIFT_DAYS = 40


class ShiftRule(StrEnum):
    """How a due date on a day off is moved."""

    NEXT = "next"
    PREVIOUS = "previous"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "next": "на следующий рабочий день (ГК РФ, ст. 193)",
            "previous": "на предыдущий рабочий день",
            "none": "не переносить",
        }[self.value]

    @classmethod
    def coerce(cls, value: ShiftRule | str | None) -> ShiftRule:
        """Accept an enum member, its value or None (the default rule, ``next``)."""
        if value is None or value == "":
            return cls.NEXT
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise ValueError(f"неизвестное правило переноса срока: {value!r} (next, previous, none)") from None


@lru_cache(maxsize=256)
def _year_calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Public holidays and transferred days off, and the working Saturdays/Sundays, of one year."""
    if not 1991 <= year <= 2200:
        # The package knows Russia from 1991; outside that range only weekends count.
        return frozenset(), frozenset()
    ru = holidays.country_holidays("RU", years=year)
    days_off = frozenset(d for d in ru if d.year == year)
    working_weekends = frozenset(d for d in getattr(ru, "weekend_workdays", ()) if d.year == year)
    return days_off, working_weekends


def is_working_day(d: date) -> bool:
    """True if ``d`` is a working day of the Russian five-day week."""
    days_off, working_weekends = _year_calendar(d.year)
    if d in working_weekends:
        return True
    if d in days_off:
        return False
    return d.weekday() < 5


def non_working_days(year: int) -> frozenset[date]:
    """Every day off of ``year``: weekends (except working Saturdays) and holidays."""
    start = date(year, 1, 1)
    days = (start + timedelta(days=i) for i in range((date(year + 1, 1, 1) - start).days))
    return frozenset(d for d in days if not is_working_day(d))


def effective_due(d: date, shift: ShiftRule | str | None = ShiftRule.NEXT) -> date:
    """The due date after the shift rule: ``d`` itself on a working day, otherwise the next
    (or previous) working day; with ``none`` always ``d``."""
    return _shifted(d, ShiftRule.coerce(shift))


@lru_cache(maxsize=4096)
def _shifted(d: date, rule: ShiftRule) -> date:
    # (A plan's deadlines fall on the same days again and again: each is looked up once.)
    if rule is ShiftRule.NONE:
        return d
    step = timedelta(days=1 if rule is ShiftRule.NEXT else -1)
    current = d
    for _ in range(_MAX_SHIFT_DAYS):
        if is_working_day(current):
            return current
        try:
            current = current + step
        except OverflowError:
            return d
    return d
