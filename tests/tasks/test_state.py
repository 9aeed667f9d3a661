"""The vocabulary of a task's state (roadmap.tasks.state): two axes, plain values, no database."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.tasks.state import Timeliness, Workflow, badges, state_label, timeliness_of, workflow_of

DUE = date(2023, 9, 1)
BEFORE, AFTER = date(2023, 8, 31), date(2023, 9, 2)


@pytest.mark.parametrize(
    ("status", "na", "cancelled", "expected"),
    [
        ("planned", False, False, Workflow.PLANNED),
        ("submitted", False, False, Workflow.SUBMITTED),
        ("submitted", True, False, Workflow.SUBMITTED),  # a "not applicable" claim waits for review
        ("returned", True, False, Workflow.RETURNED),
        ("accepted", False, False, Workflow.ACCEPTED),
        ("accepted", True, False, Workflow.NOT_APPLICABLE),
        ("accepted", False, True, Workflow.CANCELLED),
        ("planned", False, True, Workflow.CANCELLED),
    ],
)
def test_workflow(status, na, cancelled, expected):
    assert workflow_of(status, is_not_applicable=na, is_cancelled=cancelled) == expected


@pytest.mark.parametrize(
    ("status", "na", "first", "today", "expected"),
    [
        ("planned", False, None, DUE, Timeliness.OPEN),  # the due day itself is not late
        ("planned", False, None, AFTER, Timeliness.OVERDUE),
        ("returned", False, BEFORE, BEFORE, Timeliness.OPEN),
        ("returned", False, BEFORE, AFTER, Timeliness.OVERDUE),  # returned and overdue
        ("submitted", False, DUE, AFTER, Timeliness.ON_TIME),  # on review is never overdue
        ("submitted", False, AFTER, AFTER, Timeliness.LATE),
        ("accepted", False, BEFORE, AFTER, Timeliness.ON_TIME),
        ("accepted", False, AFTER, AFTER, Timeliness.LATE),
        ("accepted", False, None, AFTER, Timeliness.ON_TIME),  # no record: not held against them
        ("submitted", True, AFTER, AFTER, None),
        ("accepted", True, AFTER, AFTER, None),
        ("returned", True, AFTER, AFTER, Timeliness.OVERDUE),  # a refused claim is work again
    ],
)
def test_timeliness(status, na, first, today, expected):
    found = timeliness_of(
        status, is_not_applicable=na, is_cancelled=False, due_effective_on=DUE, first_submitted_on=first, today=today
    )
    assert found == expected


def test_cancelled_tasks_have_no_timeliness():
    assert (
        timeliness_of(
            "planned",
            is_not_applicable=False,
            is_cancelled=True,
            due_effective_on=DUE,
            first_submitted_on=None,
            today=AFTER,
        )
        is None
    )


@pytest.mark.parametrize(
    ("workflow", "timeliness", "label"),
    [
        (Workflow.PLANNED, Timeliness.OPEN, "запланировано"),
        (Workflow.PLANNED, Timeliness.OVERDUE, "просрочено"),
        (Workflow.RETURNED, Timeliness.OVERDUE, "возвращено на доработку, просрочено"),
        (Workflow.RETURNED, Timeliness.OPEN, "возвращено на доработку"),
        (Workflow.ACCEPTED, Timeliness.LATE, "принято, с опозданием"),
        (Workflow.SUBMITTED, Timeliness.ON_TIME, "на проверке, в срок"),
        (Workflow.NOT_APPLICABLE, None, "не применимо"),
    ],
)
def test_state_label_says_both_axes(workflow, timeliness, label):
    assert state_label(workflow, timeliness) == label


def test_badges():
    assert badges(Workflow.RETURNED, is_overdue=True) == [
        ("returned", "возвращено на доработку"),
        ("overdue", "просрочено"),
    ]
    assert badges(Workflow.SUBMITTED, is_overdue=False, claims_not_applicable=True) == [
        ("submitted", "на проверке (не применимо)")
    ]
