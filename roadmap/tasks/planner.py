"""PURE planner: a measure's deadline or hand-set dates → its occurrences in the plan period.

No Flask and no database: the service feeds it plain values and persists what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from roadmap.schedule import AcademicCalendar, Schedule, ShiftRule, YearType, days_label, effective_due, plan_years


@dataclass(frozen=True)
class MeasurePlan:
    """What the planner needs of one measure."""

    measure_id: int
    schedule: Schedule | None
    manual_dates: Sequence[tuple[date, date]]
    executor_ids: Sequence[int]


@dataclass(frozen=True)
class Occurrence:
    key: str
    plan_year: int
    label: str
    start_on: date
    due_on: date
    due_effective_on: date


@dataclass(frozen=True)
class PlanSettings:
    period_start: date
    period_end: date
    year_type: YearType | str = YearType.CALENDAR
    shift: ShiftRule | str = ShiftRule.NEXT
    academic_calendar: AcademicCalendar | None = None


def measure_occurrences(plan: MeasurePlan, settings: PlanSettings) -> list[Occurrence]:
    """The occurrences of one measure, keyed by plan year and ordinal ("2023#1").

    Keys by position rather than by date keep a task's identity (and its calendar UID) when the
    coordinator corrects the deadline: "сентябрь" edited to "октябрь" moves the task instead of
    replacing it.
    """
    counters: dict[int, int] = {}
    keyed = []
    for occ in _raw_occurrences(plan, settings):
        counters[occ.plan_year] = counters.get(occ.plan_year, 0) + 1
        keyed.append(
            Occurrence(
                key=f"{occ.plan_year}#{counters[occ.plan_year]}",
                plan_year=occ.plan_year,
                label=occ.label,
                start_on=occ.start_on,
                due_on=occ.due_on,
                due_effective_on=occ.due_effective_on,
            )
        )
    return keyed


def own_occurrences(
    measure_id: int, organization_id: int, dates: Sequence[tuple[date, date]], settings: PlanSettings
) -> list[Occurrence]:
    """The occurrences of one executor's own dates (a confirmed proposal).

    Keyed apart from the measure's shared occurrences ("2026#1-o17") because another executor's
    "2026#1" has other dates; the ordinal keeps the task when the dates are corrected later.
    """
    plan = MeasurePlan(measure_id, None, dates, executor_ids=())
    return [replace(occ, key=f"{occ.key}-o{organization_id}") for occ in measure_occurrences(plan, settings)]


def _raw_occurrences(plan: MeasurePlan, settings: PlanSettings) -> list[Occurrence]:
    """Hand-set dates win over the parsed schedule."""
    if plan.manual_dates:
        years = plan_years(settings.period_start, settings.period_end, settings.year_type)
        result = []
        for start, due in sorted(plan.manual_dates):
            plan_year = next((year for year, first, last in years if first <= start <= last), start.year)
            result.append(
                Occurrence(
                    key=f"m{start.isoformat()}",
                    plan_year=plan_year,
                    label=days_label(start, due),
                    start_on=start,
                    due_on=due,
                    due_effective_on=effective_due(due, settings.shift),
                )
            )
        return result
    if plan.schedule is None:
        return []
    return [
        Occurrence(
            key=occ.key,
            plan_year=occ.plan_year,
            label=occ.label,
            start_on=occ.start,
            due_on=occ.due,
            due_effective_on=occ.due_effective,
        )
        for occ in plan.schedule.occurrences(
            settings.period_start,
            settings.period_end,
            year_type=settings.year_type,
            academic_calendar=settings.academic_calendar,
            shift=settings.shift,
        )
    ]
