"""PURE: the dates people type by hand, one date or range per line, into (start, due) pairs."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

# 01.09.2026, 1.9.2026, 01/09/2026 or 2026-09-01.
_DATE_RE = re.compile(r"\b(?:(\d{1,2})[./](\d{1,2})[./](\d{4})|(\d{4})-(\d{1,2})-(\d{1,2}))\b")
FORMAT = "«ДД.ММ.ГГГГ» или «ДД.ММ.ГГГГ – ДД.ММ.ГГГГ»"


def example_dates(period_start: date | None = None, period_end: date | None = None) -> str:
    """How to type dates, with an example inside the roadmap's period (its 1 September, or the
    first whole month): «01.09.2026» или «01.09.2026 – 30.09.2026»; the bare format without a period."""
    if period_start is None or period_end is None or period_end < period_start:
        return FORMAT
    day = date(period_start.year, 9, 1)
    if not period_start <= day <= period_end:
        day = period_start
        if day.day != 1:
            following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            day = following if following <= period_end else period_start
    last = min(date(day.year, day.month, calendar.monthrange(day.year, day.month)[1]), period_end)
    single = f"«{day:%d.%m.%Y}»"
    return f"{single} или «{day:%d.%m.%Y} – {last:%d.%m.%Y}»" if last > day else single


class DateLinesError(ValueError):
    """A line that is not a date or a range; the message is Russian and names the line."""


def parse_date_lines(text: str | None, period: tuple[date, date] | None = None) -> list[tuple[date, date]]:
    """Each non-empty line gives one date (start = due) or a range; sorted, duplicates dropped.
    `period` (the roadmap's) only gives the error message its example."""
    ranges = set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        found = _DATE_RE.findall(line)
        try:
            dates = [
                date(int(y1), int(m1), int(d1)) if y1 else date(int(y2), int(m2), int(d2))
                for d1, m1, y1, y2, m2, d2 in found
            ]
        except ValueError:
            raise DateLinesError(f"Строка {number}: такой даты нет в календаре.") from None
        if len(dates) == 1:
            ranges.add((dates[0], dates[0]))
        elif len(dates) == 2:
            if dates[0] > dates[1]:
                raise DateLinesError(f"Строка {number}: начало позже окончания.")
            ranges.add((dates[0], dates[1]))
        else:
            raise DateLinesError(
                f"Строка {number}: укажите дату или диапазон, например {example_dates(*(period or (None, None)))}."
            )
    return sorted(ranges)


def stored_ranges(items: list[dict[str, str]] | None) -> list[tuple[date, date]]:
    """Dates as the database keeps them ([{"start": "2026-09-01", "due": "2026-09-30"}]) → pairs."""
    return [(date.fromisoformat(item["start"]), date.fromisoformat(item["due"])) for item in items or []]


def format_date_lines(ranges: list[tuple[date, date]]) -> str:
    """The inverse of `parse_date_lines`, to prefill a form."""
    return "\n".join(
        start.strftime("%d.%m.%Y") if start == due else f"{start:%d.%m.%Y} – {due:%d.%m.%Y}" for start, due in ranges
    )


# How far from its occurrence a measure may have been held: prepared a little ahead, reported late.
HELD_BEFORE_START_DAYS = 183
HELD_AFTER_DUE_DAYS = 366


def held_on_range(start_on: date, due_on: date, today: date) -> tuple[date, date]:
    """The dates a report may give as «дата проведения»: from half a year before the occurrence
    starts to a year after it is due, and never after today. Empty (first > last) when the
    occurrence lies too far ahead to have been held."""
    return start_on - timedelta(days=HELD_BEFORE_START_DAYS), min(today, due_on + timedelta(days=HELD_AFTER_DUE_DAYS))


def held_on_refusal(held_on: date, start_on: date, due_on: date, today: date) -> str | None:
    """Why a «дата проведения» is refused, naming the allowed range; None when it is allowed."""
    first, last = held_on_range(start_on, due_on, today)
    if first <= held_on <= last:
        return None
    if first > last:
        return (
            f"Мероприятие ещё не могло пройти: его срок начинается {start_on:%d.%m.%Y}. "
            "Дата проведения — дата, когда мероприятие уже состоялось."
        )
    if held_on > today:
        why = "позже сегодняшнего дня нельзя: отчитываются о проведённом мероприятии"
    else:
        why = "дата слишком далеко от срока мероприятия — проверьте год"
    return f"Дата проведения — с {first:%d.%m.%Y} по {last:%d.%m.%Y}: {why}."
