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
