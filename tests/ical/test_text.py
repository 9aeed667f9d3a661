from datetime import date

import pytest

from roadmap.ical.text import (
    days_before_phrase,
    format_date,
    format_window,
    plural_ru,
    status_label,
    status_mark,
)


@pytest.mark.parametrize(
    ("start", "due", "due_effective", "expected"),
    [
        (date(2023, 9, 1), date(2023, 9, 30), date(2023, 9, 30), "1–30 сентября 2023 г."),
        (
            date(2023, 9, 1),
            date(2023, 10, 31),
            date(2023, 10, 31),
            "1 сентября – 31 октября 2023 г.",
        ),
        (
            date(2023, 11, 1),
            date(2024, 1, 31),
            date(2024, 1, 31),
            "1 ноября 2023 г. – 31 января 2024 г.",
        ),
        (date(2023, 9, 1), date(2023, 9, 1), date(2023, 9, 1), "до 1 сентября 2023 г."),
        (None, date(2023, 9, 1), date(2023, 9, 1), "до 1 сентября 2023 г."),
        (None, date(2024, 5, 25), None, "до 25 мая 2024 г."),
        (
            date(2023, 9, 1),
            date(2023, 9, 30),
            date(2023, 10, 2),
            "1–30 сентября 2023 г. (перенесён на 2 октября 2023 г. — выходной)",
        ),
        (
            date(2023, 12, 1),
            date(2023, 12, 31),
            date(2024, 1, 9),
            "1–31 декабря 2023 г. (перенесён на 9 января 2024 г. — выходной)",
        ),
    ],
)
def test_format_window(start, due, due_effective, expected):
    assert format_window(start, due, due_effective) == expected


def test_format_window_rejects_reversed_window():
    with pytest.raises(ValueError, match="starts after"):
        format_window(date(2023, 10, 1), date(2023, 9, 30), date(2023, 9, 30))


@pytest.mark.parametrize(
    ("month", "word"),
    [
        (1, "января"),
        (2, "февраля"),
        (3, "марта"),
        (4, "апреля"),
        (5, "мая"),
        (6, "июня"),
        (7, "июля"),
        (8, "августа"),
        (9, "сентября"),
        (10, "октября"),
        (11, "ноября"),
        (12, "декабря"),
    ],
)
def test_format_date_uses_genitive_months(month, word):
    assert format_date(date(2024, month, 5)) == f"5 {word} 2024 г."


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "дней"),
        (1, "день"),
        (2, "дня"),
        (4, "дня"),
        (5, "дней"),
        (11, "дней"),
        (12, "дней"),
        (14, "дней"),
        (21, "день"),
        (22, "дня"),
        (111, "дней"),
    ],
)
def test_plural_ru(n, expected):
    assert plural_ru(n, "день", "дня", "дней") == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, "сегодня"), (1, "завтра"), (3, "через 3 дня"), (7, "через 7 дней"), (21, "через 21 день")],
)
def test_days_before_phrase(days, expected):
    assert days_before_phrase(days) == expected


STATUSES = ["planned", "submitted", "accepted", "returned", "not_applicable", "overdue", "cancelled"]


def test_status_marks_are_short_distinct_and_readable():
    marks = [status_mark(s) for s in STATUSES]
    assert len(set(marks)) == len(marks)
    assert all(len(m) == 1 for m in marks)
    # Plain BMP symbols: calendar clients without colour emoji still render them.
    assert all(ord(m) < 0x10000 for m in marks)
    assert status_mark("accepted") == "✓"
    assert status_mark("returned") == "⟳"


def test_status_labels_are_russian_words():
    for status in STATUSES:
        label = status_label(status)
        assert label and any("а" <= ch <= "я" or ch == "ё" for ch in label)
    # the words of every other surface (roadmap.tasks.state)
    assert status_label("submitted") == "на проверке"
    assert status_label("returned") == "возвращено на доработку"
    assert status_label("not_applicable") == "не применимо"


@pytest.mark.parametrize("func", [status_mark, status_label])
def test_unknown_status_is_an_error(func):
    with pytest.raises(ValueError, match="unknown task status"):
        func("archived")
