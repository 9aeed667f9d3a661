"""The Russian production calendar and the shift of due dates (rule 13)."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.schedule import ShiftRule, effective_due, is_working_day, parse


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2023, 9, 29), True),  # Friday
        (date(2023, 9, 30), False),  # Saturday
        (date(2023, 11, 4), False),  # Unity Day on a Saturday
        (date(2023, 11, 6), False),  # its transferred day off
        (date(2023, 11, 7), True),
        (date(2023, 2, 24), False),  # day off transferred from 1 January
        (date(2023, 5, 8), False),  # day off transferred from 8 January
        (date(2024, 1, 1), False),
        (date(2024, 1, 8), False),
        (date(2024, 1, 9), True),
        (date(2024, 4, 27), True),  # working Saturday
        (date(2024, 4, 29), False),
        (date(2024, 4, 30), False),
        (date(2024, 11, 2), True),  # working Saturday
        (date(2024, 12, 28), True),  # working Saturday
        (date(2024, 12, 30), False),
        (date(2024, 12, 31), False),
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("due", "shift", "expected"),
    [
        (date(2023, 9, 30), "next", date(2023, 10, 2)),
        (date(2023, 9, 30), "previous", date(2023, 9, 29)),
        (date(2023, 9, 30), "none", date(2023, 9, 30)),
        (date(2023, 11, 4), "next", date(2023, 11, 7)),
        (date(2023, 11, 4), "previous", date(2023, 11, 3)),
        (date(2023, 12, 31), "next", date(2024, 1, 9)),
        (date(2024, 1, 1), "next", date(2024, 1, 9)),
        (date(2024, 1, 5), "previous", date(2023, 12, 29)),
        (date(2024, 4, 27), "next", date(2024, 4, 27)),
        (date(2024, 4, 28), "next", date(2024, 5, 2)),
        (date(2024, 4, 28), "previous", date(2024, 4, 27)),
        (date(2024, 5, 9), "next", date(2024, 5, 13)),
        (date(2024, 12, 29), "next", date(2025, 1, 9)),
        (date(2023, 10, 2), "next", date(2023, 10, 2)),
        (date(2023, 10, 2), ShiftRule.PREVIOUS, date(2023, 10, 2)),
    ],
)
def test_effective_due(due, shift, expected):
    assert effective_due(due, shift) == expected


def test_default_rule_is_next():
    assert effective_due(date(2023, 9, 30)) == date(2023, 10, 2)
    assert ShiftRule.coerce(None) is ShiftRule.NEXT


def test_unknown_rule():
    with pytest.raises(ValueError, match="правило"):
        effective_due(date(2023, 9, 30), "later")


def test_occurrences_use_the_shift_rule():
    schedule = parse("до 4 ноября")
    period = (date(2023, 1, 1), date(2023, 12, 31))
    assert schedule.occurrences(*period)[0].due_effective == date(2023, 11, 7)
    assert schedule.occurrences(*period, shift="previous")[0].due_effective == date(2023, 11, 3)
    assert schedule.occurrences(*period, shift="none")[0].due_effective == date(2023, 11, 4)
    assert schedule.occurrences(*period)[0].due == date(2023, 11, 4)


def test_far_years_fall_back_to_weekends():
    assert is_working_day(date(1980, 1, 1)) is True  # a Tuesday; no production calendar then
    assert effective_due(date(1980, 1, 5)) == date(1980, 1, 7)
