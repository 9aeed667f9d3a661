"""roadmap.russian: natural order, plurals, agreement, quotations and shortening, with plain values."""

from __future__ import annotations

import random

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from roadmap.russian import agree, gender, natural_key, plural, quantity, quoted, tally, truncate


def _reference_key(text: str) -> tuple:
    """The natural order spelled out as tuples: what natural_key's string must agree with."""
    import re

    folded = "".join(ch for ch in text.casefold().replace("ё", "е") if ch > " " and not ch.isspace())
    pieces = re.split(r"(\d+)", folded)
    return tuple((0, int(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(pieces) if p)


def test_numbers_inside_names_compare_as_numbers():
    names = ["СОШ № 10", "СОШ № 2", "СОШ № 1", "СОШ № 11", "СОШ № 100", "СОШ № 9"]
    assert sorted(names, key=natural_key) == ["СОШ № 1", "СОШ № 2", "СОШ № 9", "СОШ № 10", "СОШ № 11", "СОШ № 100"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("СОШ № 2", "СОШ № 10"),
        ("сош № 1", "СОШ № 2"),  # case is ignored
        ("СОШ №2", "СОШ № 2а"),  # spacing is ignored; the shorter name first
        ("СОШ № 2", "СОШ № 2-а"),
        ("СОШ № 007", "СОШ № 8"),  # leading zeros do not make a number bigger
        ("Гимназия № 3", "Лицей № 1"),
        ("Школа", "Школа № 1"),
        ("Школа 1", "Школа Успех"),  # a number before text at the same place
        ("Ёлочка", "Жемчужина"),  # «ё» sorts as «е»
        ("school2", "school10"),
        ("", "А"),
    ],
)
def test_natural_pairs(first, second):
    assert natural_key(first) < natural_key(second)


def test_equal_for_people_equal_keys():
    assert natural_key("МБОУ  СОШ №2") == natural_key("мбоу сош № 2") == natural_key("МБОУ СОШ № 02")
    assert natural_key(None) == natural_key("") == ""


@given(st.lists(st.text(alphabet=st.sampled_from(list("аб АБ-№.«»0123456789ёЕ")), max_size=12), max_size=12))
@example(["a", "a-", "a1", "a 1", "a01", "a1b", "a1-"])
def test_the_string_key_orders_as_the_tuples(names):
    # The key is stored in a column and compared as a string: it must order exactly as the
    # tuples of numbers and text do.
    assert sorted(names, key=lambda n: (natural_key(n), n)) == sorted(names, key=lambda n: (_reference_key(n), n))


def test_the_key_is_plain_text_a_database_can_hold():
    key = natural_key("МБОУ СОШ № 12 «Радуга»\x00\x07")
    assert "\x00" not in key and key.isprintable()
    shuffled = [f"Школа № {n}" for n in range(1, 120)]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=natural_key) == [f"Школа № {n}" for n in range(1, 120)]


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "задач"), (1, "задача"), (2, "задачи"), (4, "задачи"), (5, "задач"), (11, "задач"), (12, "задач")]
    + [(14, "задач"), (21, "задача"), (22, "задачи"), (25, "задач"), (101, "задача"), (111, "задач"), (-1, "задача")],
)
def test_plural(n, expected):
    assert plural(n, "задача", "задачи", "задач") == expected


def test_quantity_and_tally():
    assert quantity(22, "задача", "задачи", "задач") == "22 задачи"
    assert tally(("добавлено", 4), ("удалено", 0), ("без изменений", 10)) == "добавлено 4, без изменений 10"
    assert tally(("отменено {n} (отчёты сохранены)", 2)) == "отменено 2 (отчёты сохранены)"
    assert tally(("удалено", 0), none="изменений нет") == "изменений нет"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Классные руководители", "сопоставлены"),
        ("Педагоги-психологи", "сопоставлены"),
        ("Учителя-предметники", "сопоставлены"),
        ("Родители", "сопоставлены"),
        ("Средние школы", "сопоставлены"),
        ("Все ОО", "сопоставлены"),
        ("ОО", "сопоставлены"),
        ("Администрация", "сопоставлена"),
        ("Школьная служба медиации", "сопоставлена"),
        ("Управление образования", "сопоставлено"),
        ("Методическое объединение", "сопоставлено"),
        ("Методический центр", "сопоставлен"),
        ("Департамент образования", "сопоставлен"),
        ("Руководитель ОО", "сопоставлен"),
        ("МБОУ СОШ № 1", "сопоставлен"),  # an abbreviation: the neutral masculine
        ("", "сопоставлен"),
    ],
)
def test_agreement_with_a_party_name(phrase, expected):
    assert agree(phrase, "сопоставлен", "сопоставлена", "сопоставлено", "сопоставлены") == expected


def test_gender_is_unknown_for_abbreviations():
    assert gender("МКУ КНМЦ") is None
    assert gender("Классные руководители") == "pl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Укажите дату.", "«Укажите дату»."),
        ("Укажите дату", "«Укажите дату»."),
        ("Где дата?", "«Где дата?»"),
        ("Срочно!", "«Срочно!»"),
        ("и так далее…", "«и так далее…»"),
        ("  нет \n охвата ", "«нет охвата»."),
    ],
)
def test_a_quotation_ends_the_sentence_once(text, expected):
    assert quoted(text) == expected
    assert ".»." not in quoted(text)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Отчёт возвращён на доработку", 100, "Отчёт возвращён на доработку"),
        ("Отчёт возвращён на доработку", 20, "Отчёт возвращён…"),  # no dangling «на»
        ("Отчёт возвращён, на доработку", 17, "Отчёт возвращён…"),
        ("Профориентационные", 10, "Профориен…"),
    ],
)
def test_shortening_cuts_at_a_word_with_an_ellipsis(text, limit, expected):
    assert truncate(text, limit) == expected
    assert len(truncate(text, limit)) <= limit


def test_file_and_sheet_names_are_shortened_without_an_ellipsis():
    assert truncate("2. Работа с педагогическими кадрами", 31, ellipsis="") == "2. Работа с педагогическими"
    assert len(truncate("Раздел: " + "а" * 40, 31, ellipsis="")) == 31  # one long word: cut inside it
