"""Period and year type from the title."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.importers import detect_period

CAL_2023 = (date(2023, 1, 1), date(2023, 12, 31), "calendar")
ACADEMIC_2023 = (date(2023, 9, 1), date(2024, 8, 31), "academic")


@pytest.mark.parametrize(
    ("title", "period"),
    [
        ("Дорожная карта по самоопределению ... на 2023 г.", CAL_2023),
        ("План на 2023 год", CAL_2023),
        ("План мероприятий на 2023-2024 учебный год", ACADEMIC_2023),
        ("План мероприятий на 2023 – 2024 учебный год", ACADEMIC_2023),
        ("План на 2023/2024 уч. год", ACADEMIC_2023),
        ("План на 2023/24 уч.г.", ACADEMIC_2023),
        ("в 2023-2024 учебном году", ACADEMIC_2023),
        ("на 2023 учебный год", ACADEMIC_2023),
        ("Дорожная карта на 2022–2024 годы", (date(2022, 1, 1), date(2024, 12, 31), "calendar")),
        ("Дорожная карта на 2022-2024 гг.", (date(2022, 1, 1), date(2024, 12, 31), "calendar")),
        ("с 2022 по 2024 год", (date(2022, 1, 1), date(2024, 12, 31), "calendar")),
        ("Концепция до 2030 года: план на 2023 год", CAL_2023),
        ("ДОРОЖНАЯ КАРТА НА 2023 Г.", CAL_2023),
    ],
)
def test_detect_period(title, period):
    assert tuple(detect_period(title)) == period


@pytest.mark.parametrize("title", [None, "", "Дорожная карта", "Приказ № 1592", "2023-09-01"])
def test_no_period(title):
    assert detect_period(title) is None


def test_the_period_of_an_untitled_plan_comes_from_its_dated_deadlines():
    from roadmap.importers.period import period_from_deadlines

    assert period_from_deadlines(["сентябрь 2022", "до 15.12.2022", "май 2023", "ежегодно"]) == (
        date(2022, 9, 1),
        date(2023, 8, 31),
        "academic",
    )
    assert period_from_deadlines(["март 2021", "IV квартал 2021 г."]) == (
        date(2021, 1, 1),
        date(2021, 12, 31),
        "calendar",
    )
    assert period_from_deadlines(["октябрь 2021", "декабрь 2022"]) == (date(2021, 1, 1), date(2022, 12, 31), "calendar")
    assert period_from_deadlines(["в течение года", "сентябрь, ежегодно"]) is None


def test_a_year_that_slipped_is_flagged_with_the_likely_one():
    from roadmap.importers.period import year_slips

    slips = year_slips(["ноябрь 2023", "декабрь 2023", "январь 2023", "февраль 2024"])
    assert [(s.index, s.written, s.likely) for s in slips] == [(2, 2023, 2024)]
    assert year_slips(["январь 2023", "декабрь 2023"]) == []


def test_a_plan_dated_in_a_past_year_without_a_period_in_its_title_gets_that_year():
    from roadmap.importers import read_document

    rows = [
        ["№", "Мероприятие", "Сроки", "Ответственный"],
        ["1.", "Семинар", "март 2021", "ОО"],
        ["2.", "Собрание", "ноябрь 2021", "ОО"],
        ["3.", "Отчёт", "декабрь 2021", "ОО"],
        ["4.", "Итоги", "январь 2021", "ОО"],
    ]
    parsed = read_document("\n".join("\t".join(r) for r in rows).encode(), "plan.tsv")
    assert (parsed.period_start, parsed.period_end, parsed.year_type) == (
        date(2021, 1, 1),
        date(2021, 12, 31),
        "calendar",
    )
    assert parsed.period_source == "deadlines"
    assert parsed.warnings == ["Мероприятие 4: срок «январь 2021» — возможно, 2022 год, а не 2021"]
