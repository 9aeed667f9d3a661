"""The hand-typed date lines parser (pure)."""

from datetime import date

import pytest

from roadmap.tasks.dates import DateLinesError, format_date_lines, parse_date_lines


def test_dates_and_ranges_in_the_forms_people_type():
    text = "15.10.2026\n 1.9.2026 – 3.9.2026 \n\n2026-12-01\n05/11/2026 по 06/11/2026\n15.10.2026"
    assert parse_date_lines(text) == [
        (date(2026, 9, 1), date(2026, 9, 3)),
        (date(2026, 10, 15), date(2026, 10, 15)),
        (date(2026, 11, 5), date(2026, 11, 6)),
        (date(2026, 12, 1), date(2026, 12, 1)),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31.02.2026", "Строка 1: такой даты нет в календаре."),
        ("01.09.2026\n30.09.2026 – 01.09.2026", "Строка 2: начало позже окончания."),
        ("в сентябре", "Строка 1: укажите дату или диапазон"),
        ("01.09.2026, 02.09.2026, 03.09.2026", "Строка 1: укажите дату или диапазон"),
    ],
)
def test_bad_lines_name_the_line(text, message):
    with pytest.raises(DateLinesError, match=message):
        parse_date_lines(text)


def test_empty_text_gives_nothing_and_format_round_trips():
    assert parse_date_lines("") == parse_date_lines(None) == []
    ranges = [(date(2026, 3, 1), date(2026, 3, 1)), (date(2026, 4, 2), date(2026, 4, 9))]
    assert format_date_lines(ranges) == "01.03.2026\n02.04.2026 – 09.04.2026"
    assert parse_date_lines(format_date_lines(ranges)) == ranges


def test_hand_set_dates_read_as_people_write_them():
    from roadmap.schedule import days_label as manual_label

    assert manual_label(date(2023, 10, 12), date(2023, 10, 12)) == "12 октября 2023"
    assert manual_label(date(2023, 10, 12), date(2023, 10, 13)) == "12–13 октября 2023"
    assert manual_label(date(2023, 9, 28), date(2023, 10, 2)) == "28 сентября – 2 октября 2023"
    assert manual_label(date(2023, 12, 28), date(2024, 1, 9)) == "28 декабря 2023 – 9 января 2024"
