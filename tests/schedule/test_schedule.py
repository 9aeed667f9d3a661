"""Schedules as objects: labels, keys, serialisation, warnings, explanations."""

from __future__ import annotations

import json
from datetime import date

import pytest

from roadmap.schedule import Occurrence, Schedule, parse

Y2023 = (date(2023, 1, 1), date(2023, 12, 31))
A2023 = (date(2023, 9, 1), date(2024, 8, 31))


@pytest.mark.parametrize(
    ("phrase", "period", "year_type", "labels"),
    [
        ("сентябрь", Y2023, "calendar", ["сентябрь 2023"]),
        ("сентябрь-октябрь", Y2023, "calendar", ["сентябрь–октябрь 2023"]),
        ("ноябрь-январь", Y2023, "calendar", ["ноябрь 2023 – январь 2024"]),
        ("до 1 сентября", Y2023, "calendar", ["1 сентября 2023"]),
        ("с 1 по 15 сентября", Y2023, "calendar", ["1–15 сентября 2023"]),
        ("1 раз в полугодие", Y2023, "calendar", ["I полугодие 2023", "II полугодие 2023"]),
        (
            "по полугодиям",
            A2023,
            "academic",
            ["I полугодие 2023/2024 учебного года", "II полугодие 2023/2024 учебного года"],
        ),
        ("в течение года", Y2023, "calendar", ["2023 год"]),
        ("в течение года", A2023, "academic", ["2023/2024 учебный год"]),
        ("IV квартал", Y2023, "calendar", ["IV квартал 2023"]),
        ("первая декада сентября", Y2023, "calendar", ["первая декада сентября 2023"]),
        ("конец ноября", Y2023, "calendar", ["конец ноября 2023"]),
        ("I четверть", Y2023, "calendar", ["I четверть 2023/2024 учебного года"]),
        ("2023-2024 учебный год", A2023, "academic", ["2023/2024 учебный год"]),
        ("постоянно", Y2023, "calendar", ["весь период 2023"]),
    ],
)
def test_labels(phrase, period, year_type, labels):
    assert [o.label for o in parse(phrase).occurrences(*period, year_type=year_type)] == labels


@pytest.mark.parametrize(
    ("phrase", "keys"),
    [
        ("сентябрь", ["2023-09"]),
        ("до 1 сентября", ["2023-09-01"]),
        ("1 раз в полугодие", ["2023-H1", "2023-H2"]),
        ("ежеквартально", ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]),
        ("в течение года", ["2023"]),
        ("в течение всего периода", ["period"]),
        ("сентябрь, январь", ["2023-01", "2023-09"]),
    ],
)
def test_keys_are_stable_short_ids(phrase, keys):
    first = [o.key for o in parse(phrase).occurrences(*Y2023)]
    again = [o.key for o in parse(phrase).occurrences(*Y2023)]
    assert first == again == keys


def test_keys_unique_within_a_schedule():
    for phrase in ("еженедельно", "ежемесячно", "по четвертям", "сентябрь, октябрь, ноябрь", "1 и 15 сентября"):
        keys = [o.key for o in parse(phrase).occurrences(date(2022, 1, 1), date(2024, 12, 31))]
        assert len(keys) == len(set(keys))


def test_plan_year_is_the_year_the_occurrence_starts_in():
    occurrences = parse("ноябрь-январь").occurrences(date(2022, 1, 1), date(2023, 12, 31))
    assert [(o.plan_year, o.start, o.due) for o in occurrences] == [
        (2022, date(2022, 11, 1), date(2023, 1, 31)),
        (2023, date(2023, 11, 1), date(2024, 1, 31)),
    ]
    academic = parse("январь").occurrences(*A2023, year_type="academic")
    assert [o.plan_year for o in academic] == [2023]


@pytest.mark.parametrize(
    "phrase",
    ["сентябрь–октябрь, ежегодно", "по плану ОО", "сделать хорошо", "ежемесячно (сентябрь-май)", "I четверть", ""],
)
def test_round_trip_through_json(phrase):
    schedule = parse(phrase)
    data = json.loads(json.dumps(schedule.to_dict()))
    restored = Schedule.from_dict(data)
    assert restored == schedule
    assert restored.occurrences(*Y2023) == schedule.occurrences(*Y2023)


def test_occurrence_is_a_frozen_dataclass():
    (occurrence,) = parse("сентябрь").occurrences(*Y2023)
    assert isinstance(occurrence, Occurrence)
    with pytest.raises(AttributeError):
        occurrence.start = date(2023, 1, 1)
    assert occurrence.to_dict()["due_effective"] == "2023-10-02"


def test_pinned_year_outside_the_period_warns():
    occurrences = parse("декабрь 2022").occurrences(*Y2023)
    assert list(occurrences) == []
    assert occurrences.warnings and "вне периода" in occurrences.warnings[0]


def test_pinned_window_overlapping_the_period_start_is_clipped():
    (occurrence,) = parse("2023 год").occurrences(*A2023, year_type="academic")
    assert (occurrence.start, occurrence.due) == (date(2023, 9, 1), date(2023, 12, 31))


def test_window_starting_before_the_period_is_clipped_to_its_start():
    (occurrence,) = parse("март").occurrences(date(2023, 3, 15), date(2023, 12, 31))
    assert (occurrence.start, occurrence.due) == (date(2023, 3, 15), date(2023, 3, 31))
    assert parse("февраль").occurrences(date(2023, 3, 15), date(2023, 12, 31)) == []


def test_due_may_fall_after_the_period_but_start_may_not():
    occurrences = parse("с 15 декабря по 15 января").occurrences(*Y2023)
    assert [(o.start, o.due) for o in occurrences] == [(date(2023, 12, 15), date(2024, 1, 15))]


def test_periodic_parts_clipped_to_the_period():
    occurrences = parse("ежеквартально").occurrences(date(2023, 2, 15), date(2023, 11, 15))
    assert [(o.start, o.due) for o in occurrences] == [
        (date(2023, 2, 15), date(2023, 3, 31)),
        (date(2023, 4, 1), date(2023, 6, 30)),
        (date(2023, 7, 1), date(2023, 9, 30)),
        (date(2023, 10, 1), date(2023, 11, 15)),
    ]


def test_annual_with_explicit_year_warns():
    schedule = parse("декабрь 2023, ежегодно")
    assert schedule.kind == "window"
    assert any("ежегодно" in w for w in schedule.warnings)


def test_deferring_remark_next_to_dates_is_a_warning():
    schedule = parse("сентябрь (по графику министерства)")
    assert schedule.kind == "window"
    assert schedule.warnings == ["уточнение «по графику министерства» не учтено в датах"]


def test_count_mismatch_warns():
    schedule = parse("2 раза в год (октябрь, декабрь, май)")
    assert schedule.kind == "list"
    assert schedule.warnings


@pytest.mark.parametrize(
    ("phrase", "explanation"),
    [
        ("ноябрь-январь, ежегодно", "ежегодно, с 1 ноября по 31 января следующего года"),
        ("декабрь 2023", "с 1 по 31 декабря 2023 г."),
        ("до 15.09.2023", "срок — 15 сентября 2023 г."),
        ("в течение всего периода", "в течение всего периода дорожной карты"),
        ("в течение 2023 года", "в течение 2023 г."),
        ("ежемесячно до 25 числа", "ежемесячно, срок — 25 число"),
        ("по отдельному графику", "сроки определяются отдельно (график, план, запрос) — задаются вручную"),
        ("сделать хорошо", "срок не распознан"),
        ("сентябрь, май", "ежегодно: с 1 по 30 сентября; с 1 по 31 мая"),
    ],
)
def test_explanations(phrase, explanation):
    assert parse(phrase).explanation == explanation


def test_reversed_period_is_an_error():
    with pytest.raises(ValueError):
        parse("май").occurrences(date(2023, 12, 31), date(2023, 1, 1))


def test_damaged_stored_schedule_yields_nothing_with_a_warning():
    schedule = Schedule.from_dict({"text": "май", "kind": "window", "items": [{"t": "win", "sm": 5}]})
    occurrences = schedule.occurrences(*Y2023)
    assert list(occurrences) == []
    assert occurrences.warnings


def test_the_package_is_pure():
    """No Flask, no SQLAlchemy, no app modules: the grammar is tested with plain values."""
    import ast
    from pathlib import Path

    import roadmap.schedule

    for path in Path(roadmap.schedule.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert not name.startswith(("flask", "sqlalchemy", "roadmap")), f"{path.name} imports {name}"
