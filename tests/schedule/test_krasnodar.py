"""Every example of DOMAIN.md and every deadline phrase of the Krasnodar 2023 roadmap (48
measures, copied here as data: the tests must not read ../shared)."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.schedule import parse

Y2023 = (date(2023, 1, 1), date(2023, 12, 31))
WHOLE_2023 = [("2023-01-01", "2023-12-31")]

# measure number -> deadline cell as in the document; rows split over a page break are joined
# (a trailing hyphen without a space: "август-" + "сентябрь, ежегодно").
KRASNODAR_DEADLINES = {
    "1.1": "до 1 сентября, ежегодно",
    "1.2": "сентябрь, ежегодно",
    "1.3": "сентябрь–октябрь, ежегодно",
    "1.4": "ноябрь ежегодно",
    "1.5": "январь, ежегодно",
    "1.6": "в течение года",
    "1.7": "май-август ежегодно",
    "2.1": "по отдельному графику",
    "2.2": "в течение всего периода",
    "2.3": "август, ежегодно",
    "2.4": "в течение учебного года",
    "2.5": "в течение учебного года",
    "3.1": "ежегодно",
    "3.2": "в течение учебного года",
    "3.3": "ежегодно",
    "3.4": "ежегодно",
    "3.5": "в течение учебного года",
    "3.6": "постоянно",
    "3.7": "ежегодно",
    "3.8": "ежегодно",
    "3.9": "ежегодно",
    "3.10": "ежегодно",
    "3.11": "ежегодно",
    "3.12": "ежегодно",
    "3.13": "1 раз в полугодие",
    "4.1": "ежегодно",
    "4.2": "сентябрь-октябрь, ежегодно",
    "4.3": "ежегодно",
    "4.4": "в течение учебного года",
    "4.5": "в течение учебного года",
    "4.6": "в течение учебного года",
    "5.1": "в течение учебного года",
    "5.2": "август-сентябрь, ежегодно",
    "5.3": "В течение учебного года",
    "5.4": "в течение учебного года",
    "5.5": "по плану ОО",
    "5.6": "в течение учебного года",
    "5.7": "в течение учебного года",
    "6.1": "май, ежегодно",
    "6.2": "июнь-июль, ежегодно",
    "6.3": "август-сентябрь, ежегодно",
    "6.4": "июнь-август, ежегодно",
    "6.5": "ежегодно",
    "6.6": "ежегодно",
    "6.7": "июнь-август, ежегодно",
    "6.8": "в течение года",
    "6.9": "ноябрь-январь, ежегодно",
    "6.10": "апрель, ежегодно",
}

# phrase -> (kind, [(start, due)]) for the period 2023-01-01 – 2023-12-31, calendar
EXPECTED_2023 = {
    "до 1 сентября, ежегодно": ("deadline", [("2023-09-01", "2023-09-01")]),
    "сентябрь, ежегодно": ("window", [("2023-09-01", "2023-09-30")]),
    "сентябрь–октябрь, ежегодно": ("window", [("2023-09-01", "2023-10-31")]),
    "сентябрь-октябрь, ежегодно": ("window", [("2023-09-01", "2023-10-31")]),
    "ноябрь ежегодно": ("window", [("2023-11-01", "2023-11-30")]),
    "январь, ежегодно": ("window", [("2023-01-01", "2023-01-31")]),
    "в течение года": ("continuous", WHOLE_2023),
    "май-август ежегодно": ("window", [("2023-05-01", "2023-08-31")]),
    "по отдельному графику": ("manual", []),
    "в течение всего периода": ("whole_period", WHOLE_2023),
    "август, ежегодно": ("window", [("2023-08-01", "2023-08-31")]),
    "в течение учебного года": ("continuous", WHOLE_2023),
    "В течение учебного года": ("continuous", WHOLE_2023),
    "ежегодно": ("continuous", WHOLE_2023),
    "постоянно": ("whole_period", WHOLE_2023),
    "1 раз в полугодие": ("periodic", [("2023-01-01", "2023-06-30"), ("2023-07-01", "2023-12-31")]),
    "по плану ОО": ("manual", []),
    "май, ежегодно": ("window", [("2023-05-01", "2023-05-31")]),
    "июнь-июль, ежегодно": ("window", [("2023-06-01", "2023-07-31")]),
    "август-сентябрь, ежегодно": ("window", [("2023-08-01", "2023-09-30")]),
    "июнь-август, ежегодно": ("window", [("2023-06-01", "2023-08-31")]),
    "ноябрь-январь, ежегодно": ("window", [("2023-11-01", "2024-01-31")]),
    "апрель, ежегодно": ("window", [("2023-04-01", "2023-04-30")]),
    # DOMAIN.md's last example
    "сделать хорошо": ("unparsed", []),
}


def _pairs(schedule, period=Y2023, **kwargs):
    return [(o.start.isoformat(), o.due.isoformat()) for o in schedule.occurrences(*period, **kwargs)]


@pytest.mark.parametrize("number", KRASNODAR_DEADLINES)
def test_every_krasnodar_phrase_is_understood(number):
    phrase = KRASNODAR_DEADLINES[number]
    kind, expected = EXPECTED_2023[phrase]
    schedule = parse(phrase)
    assert schedule.kind == kind
    assert _pairs(schedule) == expected


@pytest.mark.parametrize(("phrase", "kind", "expected"), [(p, k, e) for p, (k, e) in EXPECTED_2023.items()])
def test_domain_examples(phrase, kind, expected):
    schedule = parse(phrase)
    assert schedule.kind == kind
    assert _pairs(schedule) == expected
    assert schedule.text == phrase


def test_page_split_rows_joined_as_the_importer_does():
    # Row 1.7 "май-август" + "ежегодно" (joined with a space), row 5.2 "август-" + "сентябрь, ежегодно".
    assert _pairs(parse("май-август" + " " + "ежегодно")) == [("2023-05-01", "2023-08-31")]
    assert _pairs(parse("август-" + "сентябрь, ежегодно")) == [("2023-08-01", "2023-09-30")]
    # Joined with a line break, as a Word cell keeps it, gives the same.
    assert _pairs(parse("май-август\nежегодно")) == [("2023-05-01", "2023-08-31")]
    assert _pairs(parse("август-\nсентябрь, ежегодно")) == [("2023-08-01", "2023-09-30")]


def test_september_due_effective_moves_off_saturday():
    (occurrence,) = parse("сентябрь, ежегодно").occurrences(*Y2023)
    assert occurrence.due == date(2023, 9, 30)
    assert occurrence.due_effective == date(2023, 10, 2)
    assert occurrence.label == "сентябрь 2023"


def test_multi_year_period():
    period = (date(2022, 1, 1), date(2024, 12, 31))
    assert _pairs(parse("сентябрь, ежегодно"), period) == [
        ("2022-09-01", "2022-09-30"),
        ("2023-09-01", "2023-09-30"),
        ("2024-09-01", "2024-09-30"),
    ]
    assert _pairs(parse("в течение всего периода"), period) == [("2022-01-01", "2024-12-31")]


def test_academic_january():
    period = (date(2023, 9, 1), date(2024, 8, 31))
    assert _pairs(parse("январь, ежегодно"), period, year_type="academic") == [("2024-01-01", "2024-01-31")]


def test_november_january_due_after_the_period_end():
    (occurrence,) = parse("ноябрь-январь, ежегодно").occurrences(*Y2023)
    assert occurrence.plan_year == 2023
    assert occurrence.label == "ноябрь 2023 – январь 2024"


def test_explanations_are_russian_one_liners():
    assert parse("сентябрь–октябрь, ежегодно").explanation == "ежегодно, с 1 сентября по 31 октября"
    assert parse("сентябрь, ежегодно").explanation == "ежегодно, с 1 по 30 сентября"
    assert parse("до 1 сентября, ежегодно").explanation == "ежегодно, срок — 1 сентября"
    for phrase in EXPECTED_2023:
        explanation = parse(phrase).explanation
        assert explanation and "\n" not in explanation
