"""Bad input, normalisation and the production calendar; parse under fuzzing is in test_fuzz.py."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.schedule import effective_due, is_working_day, normalize, parse

Y2023 = (date(2023, 1, 1), date(2023, 12, 31))

# Phrases with occurrences, to be perturbed by the property tests.
SAMPLES = [
    "до 1 сентября, ежегодно",
    "сентябрь–октябрь, ежегодно",
    "ноябрь-январь, ежегодно",
    "в течение учебного года",
    "1 раз в полугодие",
    "ежемесячно до 5 числа",
    "по четвертям",
    "еженедельно",
    "II-III квартал",
    "с 15 ноября по 15 января",
    "первая декада сентября",
    "зимние каникулы",
    "сентябрь, январь",
    "2 раза в год (декабрь, май)",
    "ежемесячно (сентябрь-май)",
    "декабрь 2023",
    "в течение всего периода",
    "ежеквартально до 10 числа месяца, следующего за отчетным кварталом",
    "до конца I полугодия",
    "2023-2024 учебный год",
]
WORDS = SAMPLES + ["по плану ОО", "сделать хорошо", "", "ежегодно", "постоянно", "по графику", "31 сентября"]


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        " ",
        "\t\n\r ",
        "\u00a0\u2003",
        "\x00\x01\x02",
        "сентябрь\x00",
        "🎉",
        "сентябрь 🎉",
        "—",
        "-",
        ",,,;;;",
        "()",
        "(((сентябрь",
        "сентябрь)))",
        "0",
        "00.00.0000",
        "99.99",
        "32.01",
        "9999",
        "1" * 500,
        "сентябрь " * 5000,
        "а" * 100_000,
        "до 1 сентября, " * 10_000,
        "\udcff",  # a lone surrogate, as from a broken decoder
        "I" * 100,
        "ежегодно" * 100,
    ],
)
def test_bad_input_never_raises(text):
    schedule = parse(text)
    assert schedule.kind in ("unparsed", "manual") or schedule.occurrences(*Y2023) is not None
    assert schedule.text == ("" if text is None else text)


def test_empty_and_whitespace_are_unparsed():
    for text in (None, "", "   ", "\n\t"):
        schedule = parse(text)
        assert schedule.kind == "unparsed"
        assert schedule.occurrences(*Y2023) == []


def test_100_kb_is_unparsed():
    text = "сентябрь–октябрь, ежегодно; " * 4000  # > 100 KB (how fast: bench/grammar.py)
    assert len(text.encode()) > 100_000
    schedule = parse(text)
    assert schedule.kind == "unparsed"


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("сентябpь", "сентябрь"),  # Latin p
        ("ceнтябрь", "сентябрь"),  # Latin c, e
        ("oктябрь", "октябрь"),
        ("мaй", "май"),
        ("дo 1 сентября", "до 1 сентября"),
        ("IV квaртал", "IV квартал"),
        ("ІІ квартал", "II квартал"),  # Ukrainian І as a Roman numeral
        ("в течение учебного гoда", "в течение учебного года"),
        ("СЕНТЯБРЬ–ОКТЯБРЬ", "сентябрь-октябрь"),
        ("сентябрь‒октябрь", "сентябрь-октябрь"),
        ("сентябрь−октябрь", "сентябрь-октябрь"),
        ("сентябрь — октябрь", "сентябрь-октябрь"),
        ("сентябрь -октябрь", "сентябрь-октябрь"),
        ("сентябрь\u00a0–\u00a0октябрь", "сентябрь-октябрь"),
        ("сентябрь\n-\nоктябрь", "сентябрь-октябрь"),
        ("  сентябрь   -   октябрь .", "сентябрь-октябрь"),
        ("в течение учебного года.", "в течение учебного года"),
        ("в течение учебного года;", "в течение учебного года"),
        ("«по плану ОО»", "по плану ОО"),
        ("2023–2024 уч. год", "2023-2024 учебный год"),
        ("2023-2024 гг.", "2023-2024 годы"),
        ("апрель - май 2024 г.", "апрель-май 2024 года"),
        ("до 1 сентября ежегодно", "до 1 сентября, ежегодно"),
        ("ежегодно до 1 сентября", "до 1 сентября, ежегодно"),
    ],
)
def test_normalisation_equivalents(text, same_as):
    assert _shape(parse(text)) == _shape(parse(same_as))
    assert parse(text).kind != "unparsed"


def _shape(schedule):
    data = schedule.to_dict()
    del data["text"]
    data["warnings"] = [w for w in data["warnings"] if "уточнение" not in w]
    return data


def test_normalize():
    assert normalize("  Сентябрь\u00a0—\u00a0ОКТЯБРЬ, ЕЖЕГОДНО.  ") == "сентябрь - октябрь, ежегодно"
    assert normalize("ёлка") == "елка"


# -- properties --------------------------------------------------------------------------------


def _variants(draw_case, draw_dash, draw_space, phrase: str) -> str:
    text = phrase.replace("-", draw_dash).replace("–", draw_dash)
    text = text.replace(" ", draw_space)
    return text.upper() if draw_case else text


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(SAMPLES),
    st.booleans(),
    st.sampled_from(["-", "–", "—", "‒", "−", " - ", " – ", "- ", " -"]),
    st.sampled_from([" ", "  ", "\u00a0", " \n "]),
)
def test_normalisation_equivalent_phrases_give_identical_schedules(phrase, upper, dash, space):
    variant = _variants(upper, dash, space, phrase)
    assert _shape(parse(variant)) == _shape(parse(phrase))


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)))
def test_due_effective_is_a_working_day_not_before_due(day):
    shifted = effective_due(day)
    assert shifted >= day
    assert is_working_day(shifted)
    assert (shifted - day).days <= 12
    previous = effective_due(day, "previous")
    assert previous <= day and is_working_day(previous)
    assert effective_due(day, "none") == day
