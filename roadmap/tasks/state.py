"""The one vocabulary of a task's state: two axes, defined once for every surface.

- **Workflow** — where the work is: запланировано → на проверке → принято, or возвращено на
  доработку → на проверке again; не применимо (an accepted "not applicable"); отменено.
- **Timeliness** — when: срок не наступил / просрочено while the work is not handed in
  (planned or returned); в срок / с опозданием once a report is handed in, by the date of its
  *first* submission. "Not applicable" and cancelled tasks have no timeliness.

A returned report past its deadline is both «возвращено на доработку» and «просрочено».

**Выполнено** means the report was accepted. Figures that also count reports still on review
say so: «выполнено, включая на проверке». Coverage (охват) sums the reports handed in and not
returned: on review or accepted, not "not applicable" — the same tasks as «включая на проверке».

Pure: no Flask, no database. SQL mirrors of these rules live in roadmap.reports.queries and are
tested against this module.
"""

from __future__ import annotations

import enum
from datetime import date


class Workflow(enum.StrEnum):
    PLANNED = "planned"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    NOT_APPLICABLE = "not_applicable"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return WORKFLOW_LABELS[self]

    @property
    def short_label(self) -> str:
        return WORKFLOW_SHORT_LABELS[self]


WORKFLOW_LABELS = {
    Workflow.PLANNED: "запланировано",
    Workflow.SUBMITTED: "на проверке",
    Workflow.RETURNED: "возвращено на доработку",
    Workflow.ACCEPTED: "принято",
    Workflow.NOT_APPLICABLE: "не применимо",
    Workflow.CANCELLED: "отменено",
}
# Where space is short (chart legends, matrix cells, table columns).
WORKFLOW_SHORT_LABELS = {**WORKFLOW_LABELS, Workflow.RETURNED: "возвращено"}
# The states reports count: cancelled tasks are left out of every figure.
COUNTED_WORKFLOW = (
    Workflow.PLANNED,
    Workflow.SUBMITTED,
    Workflow.RETURNED,
    Workflow.ACCEPTED,
    Workflow.NOT_APPLICABLE,
)


class Timeliness(enum.StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def label(self) -> str:
        return TIMELINESS_LABELS[self]


def timeliness_named(name: str) -> Timeliness | None:
    """The timeliness called `name`, None for another outcome ("not_applicable")."""
    return _TIMELINESS_BY_VALUE.get(name)


_TIMELINESS_BY_VALUE = {t.value: t for t in Timeliness}

TIMELINESS_LABELS = {
    Timeliness.OPEN: "срок не наступил",
    Timeliness.OVERDUE: "просрочено",
    Timeliness.ON_TIME: "в срок",
    Timeliness.LATE: "с опозданием",
}

# Figure names, one wording for every page and file.
DONE_LABEL = "выполнено"  # accepted
DONE_NOTE = "отчёт принят"
REPORTED_LABEL = "выполнено, включая на проверке"  # on review or accepted
COVERAGE_NOTE = "по отчётам, принятым и на проверке"


def workflow_of(status: str, *, is_not_applicable: bool, is_cancelled: bool) -> Workflow:
    """The workflow state of a task from its stored status and flags."""
    if is_cancelled:
        return Workflow.CANCELLED
    if is_not_applicable and status == Workflow.ACCEPTED:
        return Workflow.NOT_APPLICABLE
    return Workflow(str(status))


def is_handed_in(status: str) -> bool:
    """A report on review or accepted: what timeliness and coverage are measured on."""
    return status in (Workflow.SUBMITTED, Workflow.ACCEPTED)


def timeliness_of(
    status: str,
    *,
    is_not_applicable: bool,
    is_cancelled: bool,
    due_effective_on: date,
    first_submitted_on: date | None,
    today: date,
) -> Timeliness | None:
    """When the work is, relative to its effective deadline (None: no timeliness applies).

    A handed-in report with no record of when it was first submitted (data loaded by hand) is
    not held against the executor: it counts as in time.
    """
    if is_cancelled or (is_not_applicable and is_handed_in(status)):
        return None
    if is_handed_in(status):
        if first_submitted_on is None or first_submitted_on <= due_effective_on:
            return Timeliness.ON_TIME
        return Timeliness.LATE
    return Timeliness.OVERDUE if due_effective_on < today else Timeliness.OPEN


def state_label(workflow: Workflow, timeliness: Timeliness | None) -> str:
    """Both axes in a few words: «возвращено на доработку, просрочено», «принято, с опозданием».

    A planned task reads by its deadline alone: «запланировано» or «просрочено».
    """
    if workflow == Workflow.PLANNED:
        return Timeliness.OVERDUE.label if timeliness == Timeliness.OVERDUE else workflow.label
    if timeliness is None or timeliness == Timeliness.OPEN:
        return workflow.label
    return f"{workflow.label}, {timeliness.label}"


def badges(workflow: Workflow, *, is_overdue: bool, claims_not_applicable: bool = False) -> list[tuple[str, str]]:
    """(css key, text) of the marks a task shows: its workflow state, then «просрочено» when
    it is; a "not applicable" claim on review says so."""
    text = workflow.label
    if claims_not_applicable and workflow == Workflow.SUBMITTED:
        text += " (не применимо)"
    marks = [(workflow.value, text)]
    if is_overdue:
        marks.append((Timeliness.OVERDUE.value, Timeliness.OVERDUE.label))
    return marks
