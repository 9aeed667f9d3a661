"""Russian words for schedules: the labels of occurrences and the explanations of items.

Beside ``model.py``, which computes the dates; nothing here changes a date.
"""

from __future__ import annotations

import re
from datetime import date

from .academic import DEFAULT_ACADEMIC_CALENDAR, AcademicCalendar, YearType, clamp_date
from .items import Continuous, Damaged, Every, HalfYear, Item, Term, Window, Years

MONTHS_NOM = ("", "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
              "ноябрь", "декабрь")  # fmt: skip
MONTHS_GEN = ("", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")  # fmt: skip
ROMAN = ("", "I", "II", "III", "IV")
DECADES = ("", "первая", "вторая", "третья")
WEEKS = ("", "первая", "вторая", "третья", "четвёртая", "пятая")
PARTS = {"begin": "начало", "middle": "середина", "end": "конец"}


# ---------------------------------------------------------------------------------------------
# Labels of occurrences


def _day_text(d: date) -> str:
    return f"{d.day} {MONTHS_GEN[d.month]}"


def days_label(start: date, due: date) -> str:
    """ "1–15 сентября 2023", "15 сентября – 15 октября 2023", "1 сентября 2023"."""
    if start == due:
        return f"{_day_text(start)} {start.year}"
    if start.year != due.year:
        return f"{_day_text(start)} {start.year} – {_day_text(due)} {due.year}"
    if start.month == due.month:
        return f"{start.day}–{due.day} {MONTHS_GEN[start.month]} {start.year}"
    return f"{_day_text(start)} – {_day_text(due)} {start.year}"


def named(label: str, item: Item) -> str:
    """The occurrence's label with the event's or stage's name in front and the times of day
    after, if the phrase gave them: «Ярмарка профессий: 5 марта 2026, 10.00–12.00»."""
    if item.time:
        label = f"{label}, {item.time}"
    return f"{item.label}: {label}" if item.label else label


def window_label(item: Window, start: date, due: date) -> str:
    unit = item.unit
    if unit == "quarter":
        a, b = item.quarters
        name = f"{ROMAN[a]}{'–' + ROMAN[b] if b != a else ''} квартал {start.year}"
        return f"конец: {name} ({days_label(start, due)})" if item.only == "end" else name
    if unit == "decade":
        return f"{DECADES[item.number]} декада {MONTHS_GEN[start.month]} {start.year}"
    if unit == "week":
        return f"{WEEKS[item.number]} неделя {MONTHS_GEN[start.month]} {start.year} ({days_label(start, due)})"
    if unit == "part":
        return f"{PARTS[item.part]} {MONTHS_GEN[start.month]} {start.year}"
    whole_months = start.day == 1 and due == clamp_date(due.year, due.month, None)
    if whole_months and unit == "month" or whole_months and start != due:
        if (start.year, start.month) == (due.year, due.month):
            return f"{MONTHS_NOM[start.month]} {start.year}"
        if start.year == due.year:
            return f"{MONTHS_NOM[start.month]}–{MONTHS_NOM[due.month]} {start.year}"
        return f"{MONTHS_NOM[start.month]} {start.year} – {MONTHS_NOM[due.month]} {due.year}"
    return days_label(start, due)


def half_label(n: int, academic: bool, start: date) -> str:
    if academic:
        ay = start.year if start.month >= 9 else start.year - 1
        return f"{ROMAN[n]} полугодие {ay}/{ay + 1} учебного года"
    return f"{ROMAN[n]} полугодие {start.year}"


def _academic_year_of(d: date) -> int:
    return d.year if d.month >= 9 else d.year - 1


def term_label(name: str, start: date) -> str:
    label = AcademicCalendar.label(name)
    if name in ("summer_period", "summer_holidays"):
        return f"{label} {start.year}"
    ay = _academic_year_of(start)
    if name.startswith("school_year"):
        word = "начало" if name == "school_year_start" else "конец"
        return f"{word} {ay}/{ay + 1} учебного года"
    return f"{label} {ay}/{ay + 1} учебного года"


def term_range_label(item: Term, start: date) -> str:
    """The label of a term item's occurrence starting on ``start``."""
    if item.only:
        return f"{term_label(item.first, start)}: {days_label(start, start)}"
    if item.first == item.final:
        return term_label(item.first, start)
    ay = _academic_year_of(start)
    return f"{AcademicCalendar.label(item.first)} – {AcademicCalendar.label(item.final)} {ay}/{ay + 1} учебного года"


def plan_year_label(plan_year: int, year_type: YearType) -> str:
    if year_type is YearType.ACADEMIC:
        return f"{plan_year}/{plan_year + 1} учебный год"
    return f"{plan_year} год"


def period_label(first: date, last: date) -> str:
    years = f"{first.year}" if first.year == last.year else f"{first.year}–{last.year}"
    return f"весь период {years}"


def years_label(item: Years) -> str:
    y1, y2 = item.first, item.last
    if item.academic:
        return f"{y1}/{y1 + 1} учебный год" if y1 == y2 else f"{y1}/{y1 + 1} – {y2}/{y2 + 1} учебные годы"
    return f"{y1} год" if y1 == y2 else f"{y1}–{y2} годы"


def month_label(d: date) -> str:
    return f"{MONTHS_NOM[d.month]} {d.year}"


def quarter_label(q: int, year: int) -> str:
    return f"{ROMAN[q]} квартал {year}"


def week_label(monday: date, sunday: date) -> str:
    return f"неделя {days_label(monday, sunday)}"


def outside_period_warning(label: str, period_start: date, period_end: date) -> str:
    return (
        f"срок «{label}» вне периода дорожной карты ({period_start:%d.%m.%Y} – {period_end:%d.%m.%Y}); задач не будет"
    )


DAMAGED_WARNING = "сохранённое расписание повреждено; задайте сроки заново"


# ---------------------------------------------------------------------------------------------
# Explanations of items


def _md_text(month: int, day: int | None) -> str:
    if day is None:
        return "28 (29) февраля" if month == 2 else f"{clamp_date(2001, month, None).day} {MONTHS_GEN[month]}"
    return f"{day} {MONTHS_GEN[month]}"


def _range_text(sm: int, sd: int, em: int, ed: int | None, sy: int | None = None, ey: int | None = None) -> str:
    if (sm, sd) == (em, ed):
        return f"срок — {_md_text(sm, sd)}" + (f" {sy} г." if sy else "")
    if sy is not None:
        if sy == ey:
            if sm == em:
                return f"с {sd} по {_md_text(em, ed)} {sy} г."
            return f"с {_md_text(sm, sd)} по {_md_text(em, ed)} {sy} г."
        return f"с {_md_text(sm, sd)} {sy} г. по {_md_text(em, ed)} {ey} г."
    wraps = (em, ed or 32) < (sm, sd)
    if sm == em and not wraps:
        return f"с {sd} по {_md_text(em, ed)}"
    return f"с {_md_text(sm, sd)} по {_md_text(em, ed)}" + (" следующего года" if wraps else "")


_UNIT_TEXT = {
    "month": "ежемесячно",
    "quarter": "ежеквартально",
    "half": "по полугодиям",
    "week": "еженедельно (по неделям с понедельника)",
    "term": "по четвертям",
    "trimester": "по триместрам",
}


def _explain_unnamed(item: Item, cal: AcademicCalendar) -> str:
    if isinstance(item, Window):
        sm, sd = (item.end_month, item.end_day) if item.only == "end" else (item.start_month, item.start_day)
        text = _range_text(sm, sd, item.end_month, item.end_day, item.start_year, item.end_year)
        return text if item.start_year is not None else f"ежегодно, {text}"
    if isinstance(item, HalfYear):
        if item.only == "end":
            return f"до конца: {_explain_unnamed(HalfYear(item.number, item.year, item.academic), cal)}"
        n = item.number
        if item.year is not None:
            if item.academic:
                return f"{ROMAN[n]} полугодие {item.year}/{item.year + 1} учебного года"
            return f"{ROMAN[n]} полугодие {item.year} г."
        if item.academic:
            return f"ежегодно, {ROMAN[n]} полугодие учебного года ({'сентябрь–декабрь' if n == 1 else 'январь–август'})"
        months = "январь–июнь" if n == 1 else "июль–декабрь"
        academic = "сентябрь–декабрь" if n == 1 else "январь–август"
        return f"ежегодно, {ROMAN[n]} полугодие ({months}; для учебного года — {academic})"
    if isinstance(item, Term):
        a, b = item.first, item.final
        name = AcademicCalendar.label(a) if a == b else f"{AcademicCalendar.label(a)} – {AcademicCalendar.label(b)}"
        sm, sd, em, ed = cal.item_window(item)
        when = _range_text(sm, sd, em, ed)
        if item.only == "end":
            name = f"до конца периода «{name}»"
        elif item.only == "start":
            name = f"к началу периода «{name}»"
        if item.academic_year is not None:
            ay = item.academic_year
            return f"{name} {ay}/{ay + 1} учебного года ({when} по учебному календарю)"
        if item.calendar_year is not None:
            return f"{name} {item.calendar_year} г. ({when} по учебному календарю)"
        return f"ежегодно, {name} ({when} по учебному календарю)"
    if isinstance(item, Continuous):
        if item.scope == "period":
            return "в течение всего периода дорожной карты"
        return "в течение каждого года плана (весь год)"
    if isinstance(item, Years):
        y1, y2 = item.first, item.last
        if item.academic:
            return f"в течение {y1}/{y1 + 1} учебного года (с 1 сентября {y1} г. по 31 августа {y1 + 1} г.)"
        return f"в течение {y1} г." if y1 == y2 else f"в течение {y1}–{y2} гг."
    if isinstance(item, Every):
        text = _UNIT_TEXT.get(item.unit or "", "периодически")
        if item.day:
            text += f", срок — {item.day} число"
        elif item.days:
            first, last = item.days
            text += f", с {first} по {last if last else 'последнее'} число"
        elif item.due_next:
            period = {"month": "месяца", "quarter": "квартала", "half": "полугодия"}[item.unit]
            text += f", срок — {item.due_next} число месяца, следующего за окончанием {period}"
        if item.within:
            text += f", в пределах: {explain_item(item.within, cal)}"
        return text
    assert isinstance(item, Damaged)
    return "срок не распознан"


def explain_item(item: Item, cal: AcademicCalendar = DEFAULT_ACADEMIC_CALENDAR) -> str:
    """A short Russian description of one item."""
    return named(_explain_unnamed(item, cal), item)


_SPACES_RE = re.compile(r"\s+")


def explain(items: list[Item]) -> str:
    text = "; ".join(explain_item(item) for item in items)
    # "ежегодно, ...; ежегодно, ..." reads better with one "ежегодно" up front.
    if len(items) > 1 and text.count("ежегодно, ") == len(items):
        text = "ежегодно: " + text.replace("ежегодно, ", "")
    return _SPACES_RE.sub(" ", text)
