"""The tables every export shares: which figures, in which order, under which names.

The XLSX, DOCX and CSV writers and the pages lay out these rows and columns each in their own
medium; what a row means is defined here once, so the files cannot tell different stories.
Coverage rows come from `COVERAGE_FIELDS`: adding a category there adds it everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from roadmap.reports.queries import (
    COVERAGE_FIELDS,
    COVERAGE_LABELS,
    OUTCOME_LABELS,
    WORKFLOW_STATE_LABELS,
    Figures,
    MeasureRow,
    TargetResult,
    TaskRow,
)
from roadmap.reports.targets import OrganizationMiss, missed_by_organization, targets_sentence
from roadmap.reports.typography import format_percent
from roadmap.tasks.state import DONE_NOTE, REPORTED_LABEL, Workflow


@dataclass(frozen=True)
class FigureRow:
    label: str
    value: Callable[[Figures], int | float | None]
    share: Callable[[Figures], float | None] | None = None  # of the applicable tasks
    is_ratio: bool = False
    level: int = 0  # 1: a part of the row above


def _share(name: str) -> Callable[[Figures], float | None]:
    return lambda f: getattr(f, name) / f.applicable if f.applicable else None


DONE = FigureRow(f"Выполнено ({DONE_NOTE})", lambda f: f.done, lambda f: f.done_ratio)
REPORTED = FigureRow(REPORTED_LABEL.capitalize(), lambda f: f.reported, lambda f: f.reported_ratio)
RATE = FigureRow("Исполнение, %", lambda f: f.done_ratio, is_ratio=True)

# The summary of a scope: every count, as the XLSX summary sheet and the DOCX sentences give it.
SUMMARY_ROWS = (
    FigureRow("Задач всего", lambda f: f.total),
    FigureRow("Не применимо", lambda f: f.not_applicable),
    DONE,
    REPORTED,
    FigureRow("в срок", lambda f: f.on_time, _share("on_time"), level=1),
    FigureRow("с опозданием", lambda f: f.late, _share("late"), level=1),
    FigureRow("На проверке", lambda f: f.in_review),
    FigureRow("Возвращено на доработку", lambda f: f.returned),
    FigureRow("Не сдано", lambda f: f.not_done, _share("not_done")),
    FigureRow("просрочено", lambda f: f.overdue, _share("overdue"), level=1),
    FigureRow("срок не наступил", lambda f: f.open, _share("open"), level=1),
)


def coverage_label(name: str) -> str:
    return "Охват участников, всего" if name == "total" else COVERAGE_LABELS[name]


def _coverage_getter(name: str) -> Callable[[Figures], int]:
    return lambda f: getattr(f.coverage, name)


COVERAGE_ROWS = tuple(
    FigureRow(coverage_label(name), _coverage_getter(name), level=0 if name == "total" else 1)
    for name in COVERAGE_FIELDS
)

# Years side by side (DOCX "Сравнение с предыдущими периодами", XLSX the same table).
COMPARISON_ROWS = (
    FigureRow("Задач всего", lambda f: f.total),
    DONE,
    REPORTED,
    FigureRow("в срок", lambda f: f.on_time, level=1),
    FigureRow("Просрочено", lambda f: f.overdue),
    RATE,
    *COVERAGE_ROWS,
)

# Figures per executor or per section, as columns (XLSX sheets, DOCX tables, the pages).
FIGURE_COLUMNS = (
    FigureRow("Задач", lambda f: f.total),
    FigureRow("Выполнено", lambda f: f.done),
    FigureRow("Включая на проверке", lambda f: f.reported),
    FigureRow("В срок", lambda f: f.on_time),
    FigureRow("С опозданием", lambda f: f.late),
    FigureRow("Просрочено", lambda f: f.overdue),
    FigureRow("Срок не наступил", lambda f: f.open),
    FigureRow("Не применимо", lambda f: f.not_applicable),
    RATE,
    FigureRow("Охват, всего", lambda f: f.coverage.total),
)

CONTINGENT_LABEL = "Контингент (классы показателя)"

# One task per row (CSV, the XLSX task sheets): the names of the columns after the executor's.
TASK_COLUMNS = (
    "№",
    "Мероприятие",
    "Срок по плану",
    "Исполнитель",
    "Учебный/календарный год",
    "Период",
    "Начало",
    "Срок",
    "Срок с учётом выходных",
    "Статус",
    "Соблюдение срока",
    "Дата отчёта",
    "Дата проведения",
    *(f"Охват: {COVERAGE_LABELS[name]}" for name in COVERAGE_FIELDS),
    CONTINGENT_LABEL,
    "Комментарий",
    "Ссылки",
)


def task_values(row: TaskRow) -> list:
    """A task row's values in `TASK_COLUMNS` order, as Python values (dates, ints, text)."""
    return [
        row.measure_number,
        row.measure_title,
        row.deadline_text,
        row.organization,
        row.plan_year,
        row.label,
        row.start_on,
        row.due_on,
        row.due_effective_on,
        WORKFLOW_STATE_LABELS[row.workflow],
        OUTCOME_LABELS[row.outcome],
        row.submitted_on if row.workflow != Workflow.PLANNED else None,
        row.held_on,
        *(getattr(row, f"coverage_{name}") for name in COVERAGE_FIELDS),
        row.contingent,
        row.comment,
        row.links.replace("\n", " "),
    ]


# Coverage as a share of the contingent (roadmap.contingent): next to a measure's coverage on
# the report page, in the DOCX section tables and on the XLSX «Мероприятия» sheet; the
# contingent (CONTINGENT_LABEL) is a column of every task row too.
COVERAGE_SHARE_LABEL = "Охват обучающихся, % контингента"


def coverage_share_text(measure: MeasureRow) -> str:
    """«75,1 % обучающихся 9 классов»; '' when the contingent is not known or nothing was reported."""
    share = measure.coverage_share
    if share is None or not measure.figures.reported:
        return ""
    return f"{format_percent(share, places=1)} {measure.band.label}"


# Said wherever the share is shown (page, DOCX, XLSX) when a school gave its students by level
# only: the share of a grade band is then taken of the whole level.
CONTINGENT_FROM_LEVELS_NOTE = "контингент — всего по уровню, без классов"


def contingent_note(measure: MeasureRow) -> str:
    """CONTINGENT_FROM_LEVELS_NOTE when the measure's share is shown and counted against a level
    total somewhere; '' otherwise."""
    return CONTINGENT_FROM_LEVELS_NOTE if measure.contingent_from_levels and coverage_share_text(measure) else ""


# Targets met and missed (roadmap.reports.targets): the page, DOCX and XLSX tables.
TARGET_COLUMNS = ("№", "Мероприятие", "Целевой показатель", "Факт", "Итог")


def target_values(result: TargetResult) -> list[str]:
    return [result.measure_number, result.measure_title, result.description, result.fact_text, result.met_text]


def organizations_below(result: TargetResult) -> str:
    """«СОШ № 3 — 60,0 %, Лицей — 70,0 %»: the executors below a share target."""
    return ", ".join(
        f"{o.name} — {format_percent(o.fact / 100, places=1)}"
        for o in result.organizations_missed
        if o.fact is not None
    )


__all__ = [
    "OrganizationMiss",
    "missed_by_organization",
    "targets_sentence",
]
