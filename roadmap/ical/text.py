"""Russian wording for calendar feeds: deadline windows, status marks and labels.

Pure helpers shared by the builder (which appends the window to DESCRIPTION) and by
the feed views (which compose SUMMARY and DESCRIPTION from a task).
"""

from datetime import date

from roadmap.russian import plural as plural_ru
from roadmap.schedule import MONTHS_GEN
from roadmap.tasks.state import WORKFLOW_LABELS, Timeliness

__all__ = [
    "days_before_phrase",
    "format_date",
    "format_window",
    "plural_ru",
    "status_label",
    "status_mark",
]


# Marks go first in SUMMARY, so they must read at a glance in a month grid and survive
# clients without colour emoji: plain symbols from the BMP only.
_STATUS_MARKS = {
    "planned": "○",
    "submitted": "◔",
    "accepted": "✓",
    "returned": "⟳",
    "not_applicable": "–",
    "overdue": "!",
    "cancelled": "✕",
}

# The words of every other surface (roadmap.tasks.state).
_STATUS_LABELS = {
    **{state.value: label for state, label in WORKFLOW_LABELS.items()},
    Timeliness.OVERDUE.value: Timeliness.OVERDUE.label,
}


def format_date(day: date) -> str:
    """Return ``day`` as "1 сентября 2023 г."."""
    return f"{day.day} {MONTHS_GEN[day.month]} {day.year} г."


def format_window(start: date | None, due: date, due_effective: date | None = None) -> str:
    """Describe a task window in Russian.

    >>> format_window(date(2023, 9, 1), date(2023, 9, 30), date(2023, 9, 30))
    '1–30 сентября 2023 г.'
    >>> format_window(date(2023, 11, 1), date(2024, 1, 31), date(2024, 1, 31))
    '1 ноября 2023 г. – 31 января 2024 г.'
    >>> format_window(None, date(2023, 9, 1), date(2023, 9, 1))
    'до 1 сентября 2023 г.'

    A window without a start, or one that opens on its due day, reads "до …". When the
    production calendar moved the deadline (``due_effective != due``), the new date is
    stated: "… (перенесён на 2 октября 2023 г. — выходной)".
    """
    if start is not None and start > due:
        raise ValueError(f"window starts after its due date: {start} > {due}")
    if start is None or start == due:
        text = f"до {format_date(due)}"
    elif (start.year, start.month) == (due.year, due.month):
        text = f"{start.day}–{format_date(due)}"
    elif start.year == due.year:
        text = f"{start.day} {MONTHS_GEN[start.month]} – {format_date(due)}"
    else:
        text = f"{format_date(start)} – {format_date(due)}"
    if due_effective is not None and due_effective != due:
        text += f" (перенесён на {format_date(due_effective)} — выходной)"
    return text


def days_before_phrase(days: int) -> str:
    """Reminder wording: "сегодня", "завтра", "через 3 дня", "через 5 дней"."""
    if days == 0:
        return "сегодня"
    if days == 1:
        return "завтра"
    return f"через {days} {plural_ru(days, 'день', 'дня', 'дней')}"


def status_mark(status: str) -> str:
    """Short prefix for SUMMARY, e.g. "✓" for an accepted report.

    Raises ``ValueError`` for an unknown status so that a new status cannot slip into
    feeds unmarked.
    """
    try:
        return _STATUS_MARKS[status]
    except KeyError:
        raise ValueError(f"unknown task status: {status!r}") from None


def status_label(status: str) -> str:
    """Russian words for DESCRIPTION, e.g. "отчёт на проверке"."""
    try:
        return _STATUS_LABELS[status]
    except KeyError:
        raise ValueError(f"unknown task status: {status!r}") from None
