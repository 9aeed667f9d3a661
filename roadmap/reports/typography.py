"""Russian typography for reports: numbers, percentages, dates, quotes. PURE.

Official documents write "4 632" (a non-breaking space between thousands), "27,3 %" (decimal
comma, a non-breaking space before the sign), "15.09.2023", "№ 5" and «ёлочки».
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from roadmap.schedule import YearType

NBSP = "\u00a0"
MONTHS_NOMINATIVE = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def format_int(value: int | None, *, empty: str = "—") -> str:
    """12345 → "12 345" with a non-breaking space; four-digit numbers stay whole ("4632" is
    written "4 632" too in reports, so we group from 1000 on)."""
    if value is None:
        return empty
    sign = "-" if value < 0 else ""
    digits = str(abs(int(value)))
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return sign + NBSP.join(reversed(groups))


def round_half_up(value: float, places: int = 0) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_percent(ratio: float | None, *, places: int = 0, empty: str = "—") -> str:
    """0.273 → "27 %" (places=0) or "27,3 %" (places=1); None → "—"."""
    if ratio is None:
        return empty
    number = round_half_up(ratio * 100, places)
    text = f"{number:f}".replace(".", ",")
    return f"{text}{NBSP}%"


def format_delta(value: int | float | None, *, percent: bool = False) -> str:
    """A signed change: "+12", "−3", "+4,5 п.п."; zero is "0"."""
    if value is None:
        return "—"
    if percent:
        number = round_half_up(value * 100, 1)
        if number == 0:
            return f"0{NBSP}п.п."
        text = f"{abs(number):f}".replace(".", ",")
        return f"{'+' if number > 0 else '−'}{text}{NBSP}п.п."
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + format_int(abs(int(value)))


def format_date(day: date | None, *, empty: str = "") -> str:
    """date(2023, 9, 15) → "15.09.2023"."""
    return day.strftime("%d.%m.%Y") if day else empty


def month_label(year: int, month: int, *, short: bool = False) -> str:
    """(2023, 9) → "сентябрь 2023" or "сен 2023"."""
    names = MONTHS_SHORT if short else MONTHS_NOMINATIVE
    return f"{names[month - 1]} {year}"


def plan_year_label(plan_year: int, year_type: str) -> str:
    """2023 → "2023 год" (calendar) or "2023/2024 учебный год" (academic)."""
    if year_type == YearType.ACADEMIC:
        return f"{plan_year}/{plan_year + 1} учебный год"
    return f"{plan_year} год"


_YEAR_CASES = {
    # case: (calendar "год", academic "учебный год")
    "nominative": ("год", "учебный год"),
    "instrumental": ("годом", "учебным годом"),
    "prepositional": ("году", "учебном году"),
    "genitive": ("года", "учебного года"),
}


def plan_year_with(plan_year: int, year_type: str, *, case: str = "instrumental") -> str:
    """The plan year inflected for a sentence: «по сравнению с 2024 годом», «с 2024–2025
    учебным годом», «в 2024–2025 учебном году» (the years of a school year joined by an en dash,
    as the analyses write them)."""
    calendar, academic = _YEAR_CASES[case]
    if year_type == YearType.ACADEMIC:
        return f"{plan_year}–{plan_year + 1}{NBSP}{academic}"
    return f"{plan_year}{NBSP}{calendar}"


def plan_year_short(plan_year: int, year_type: str) -> str:
    """2023 → "2023" or "2023/24"."""
    if year_type == YearType.ACADEMIC:
        return f"{plan_year}/{(plan_year + 1) % 100:02d}"
    return str(plan_year)


_STRAIGHT_QUOTED = re.compile(r'"([^"\n]*)"')


def ru_quotes(text: str) -> str:
    """Straight double quotes around a phrase become «ёлочки»; an unpaired quote is left alone."""
    if '"' not in text:
        return text
    return _STRAIGHT_QUOTED.sub(lambda m: f"«{m.group(1)}»", text)


def number_sign(text: str) -> str:
    """ "№5" / "№  5" → "№ 5" with a non-breaking space."""
    return re.sub(r"№\s*(?=\S)", f"№{NBSP}", text)


# "г.Краснодар" → "г. Краснодар" (a non-breaking space); "2023 г. Отчёт" is left alone.
_CITY = re.compile(r"(?<!\d\s)(?<!\d)\bг\.\s?(?=[А-ЯЁ][а-яё])")


def city_abbreviation(text: str) -> str:
    return _CITY.sub(f"г.{NBSP}", text)


# "2026 г.", "2025–2026 гг.", "2026 года": the year never parts from its word. "2026г." gains the space.
_YEAR_WORD = re.compile(r"(?<!\d)(\d{4})[ \t]*(?=(?:гг?\.|год[а-я]*\b))")
# Initials stay with the surname: "И. И. Иванов", "Иванов И.И.", "И.Иванов" (a capital letter
# alone, with its full stop; "СОШ. Иванов" is not an initial).
_LETTER = "А-ЯЁA-Z"
_INITIALS_FIRST = re.compile(rf"(?<![{_LETTER}а-яёa-z])([{_LETTER}]\.)\s*(?:([{_LETTER}]\.)\s*)?(?=[{_LETTER}][а-яё]+)")
_INITIALS_AFTER = re.compile(
    rf"\b([{_LETTER}][а-яё]+)\s+([{_LETTER}]\.)(?:\s*([{_LETTER}]\.))?(?![а-яё])"
    rf"(?![\s{NBSP}]*[{_LETTER}](?:[а-яё]|\.))"  # initials before a name belong to that name
)


def year_word(text: str) -> str:
    """ "2026 г." / "2026г." → "2026 г." with a non-breaking space; "2026 год" likewise."""
    return _YEAR_WORD.sub(rf"\1{NBSP}", text)


def _initials(first: str, second: str | None) -> str:
    return first + (NBSP + second if second else "")


def initials(text: str) -> str:
    """ "И. И. Иванов" / "И.И. Иванов" → "И. И. Иванов", "Иванов И. И." → "Иванов И. И.", the
    spaces non-breaking."""
    text = _INITIALS_FIRST.sub(lambda m: _initials(m.group(1), m.group(2)) + NBSP, text)
    return _INITIALS_AFTER.sub(lambda m: m.group(1) + NBSP + _initials(m.group(2), m.group(3)), text)


def typographed(text: str) -> str:
    """Quotes, the number sign, "г. Город", "2026 г." and initials, for any text that goes
    into an official document (DOCX, XLSX): the one place these rules live."""
    if not text:
        return text
    return initials(year_word(city_abbreviation(number_sign(ru_quotes(text)))))
