"""Deadline phrases -> schedules -> occurrences, and the Russian production calendar.

PURE: no Flask, no database. See DOMAIN.md, "Deadline phrases → occurrences"::

    s = parse("сентябрь–октябрь, ежегодно")
    s.occurrences(date(2023, 1, 1), date(2023, 12, 31))
"""

from __future__ import annotations

from .academic import (
    DEFAULT_ACADEMIC_CALENDAR,
    AcademicCalendar,
    MonthDayRange,
    YearType,
    current_plan_year,
    plan_years,
)
from .model import KINDS, MONTHS_GEN, Occurrence, Occurrences, Schedule, ScheduleKind, days_label
from .parser import normalize, parse
from .production import ShiftRule, effective_due, is_working_day

__all__ = [
    "DEFAULT_ACADEMIC_CALENDAR",
    "KINDS",
    "MONTHS_GEN",
    "AcademicCalendar",
    "MonthDayRange",
    "Occurrence",
    "Occurrences",
    "Schedule",
    "ScheduleKind",
    "ShiftRule",
    "YearType",
    "current_plan_year",
    "days_label",
    "effective_due",
    "is_working_day",
    "normalize",
    "parse",
    "plan_years",
]
