"""Plan years and the academic calendar (rules 5 and 9)."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.schedule import DEFAULT_ACADEMIC_CALENDAR, AcademicCalendar, YearType, parse, plan_years


@pytest.mark.parametrize(
    ("start", "end", "year_type", "expected"),
    [
        (date(2023, 1, 1), date(2023, 12, 31), "calendar", [(2023, date(2023, 1, 1), date(2023, 12, 31))]),
        (
            date(2022, 3, 15),
            date(2023, 2, 1),
            "calendar",
            [(2022, date(2022, 3, 15), date(2022, 12, 31)), (2023, date(2023, 1, 1), date(2023, 2, 1))],
        ),
        (date(2023, 9, 1), date(2024, 8, 31), "academic", [(2023, date(2023, 9, 1), date(2024, 8, 31))]),
        (
            date(2023, 1, 1),
            date(2023, 12, 31),
            YearType.ACADEMIC,
            [(2022, date(2023, 1, 1), date(2023, 8, 31)), (2023, date(2023, 9, 1), date(2023, 12, 31))],
        ),
    ],
)
def test_plan_years(start, end, year_type, expected):
    assert plan_years(start, end, year_type) == expected


def test_plan_years_rejects_reversed_period():
    with pytest.raises(ValueError):
        plan_years(date(2024, 1, 1), date(2023, 1, 1), "calendar")


def test_unknown_year_type():
    with pytest.raises(ValueError, match="тип года"):
        parse("май").occurrences(date(2023, 1, 1), date(2023, 12, 31), year_type="fiscal")


def test_defaults_round_trip():
    data = DEFAULT_ACADEMIC_CALENDAR.to_dict()
    assert data["term_1"] == {"start": "09-01", "end": "10-26"}
    assert data["winter_holidays"] == {"start": "12-29", "end": "01-08"}
    assert AcademicCalendar.from_dict(data) == DEFAULT_ACADEMIC_CALENDAR
    assert DEFAULT_ACADEMIC_CALENDAR.to_dict(only_overrides=True) == {}


def test_overrides_change_terms_and_holidays():
    calendar = AcademicCalendar.from_dict(
        {"term_1": {"start": "09-01", "end": "10-27"}, "autumn_holidays": {"start": "28.10", "end": "05.11"}}
    )
    assert calendar.to_dict(only_overrides=True) == {
        "term_1": {"start": "09-01", "end": "10-27"},
        "autumn_holidays": {"start": "10-28", "end": "11-05"},
    }
    period = (date(2023, 1, 1), date(2023, 12, 31))
    (term,) = parse("I четверть").occurrences(*period, academic_calendar=calendar)
    assert (term.start, term.due) == (date(2023, 9, 1), date(2023, 10, 27))
    (holidays,) = parse("осенние каникулы").occurrences(*period, academic_calendar=calendar)
    assert (holidays.start, holidays.due) == (date(2023, 10, 28), date(2023, 11, 5))
    assert holidays.label == "осенние каникулы 2023/2024 учебного года"


@pytest.mark.parametrize(
    "data",
    [
        {"term_5": {"start": "09-01", "end": "10-01"}},
        {"term_1": {"start": "13-01", "end": "10-01"}},
        {"term_1": {"start": "02-30", "end": "10-01"}},
        {"term_1": "сентябрь"},
    ],
)
def test_bad_overrides(data):
    with pytest.raises(ValueError):
        AcademicCalendar.from_dict(data)


def test_trimester_february_end_follows_leap_years():
    (second,) = [
        o
        for o in parse("по триместрам").occurrences(date(2023, 9, 1), date(2024, 8, 31), year_type="academic")
        if o.start.month == 12
    ]
    assert second.due == date(2024, 2, 29)
    (second,) = [
        o
        for o in parse("по триместрам").occurrences(date(2022, 9, 1), date(2023, 8, 31), year_type="academic")
        if o.start.month == 12
    ]
    assert second.due == date(2023, 2, 28)
