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
from .items import FORMAT_VERSION, Continuous, Every, HalfYear, Item, Term, Window, Years
from .labels import MONTHS_GEN, days_label
from .model import KINDS, Occurrence, Occurrences, Schedule, ScheduleKind
from .parser import normalize, parse
from .production import ShiftRule, effective_due, is_working_day

__all__ = [
    "DEFAULT_ACADEMIC_CALENDAR",
    "FORMAT_VERSION",
    "KINDS",
    "MONTHS_GEN",
    "AcademicCalendar",
    "Continuous",
    "Every",
    "HalfYear",
    "Item",
    "MonthDayRange",
    "Occurrence",
    "Occurrences",
    "Schedule",
    "ScheduleKind",
    "ShiftRule",
    "Term",
    "Window",
    "YearType",
    "Years",
    "current_plan_year",
    "days_label",
    "effective_due",
    "is_working_day",
    "normalize",
    "parse",
    "plan_years",
]
