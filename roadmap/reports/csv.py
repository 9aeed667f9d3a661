"""CSV as Russian Excel opens it by double-click: UTF-8 with a BOM, ";" between fields, CRLF.

Dates are written DD.MM.YYYY (Excel in the Russian locale reads them as dates), numbers bare.
A text field that Excel would take for a formula (=, +, -, @ at the start) gets a leading
apostrophe, as OWASP advises against CSV injection. Measure numbers such as "1.1", which
Russian Excel would turn into the date 1 January, are written as ="1.1".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date

from roadmap.reports.layout import TASK_COLUMNS, task_values
from roadmap.reports.queries import TaskRow
from roadmap.reports.typography import format_date

BOM = "\ufeff"
CSV_MIME = "text/csv; charset=utf-8"
HEADER = ("Раздел", *TASK_COLUMNS)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# "1.1" or "3.10" in the № column would become 1 January / 3 October in Russian Excel.
_LOOKS_LIKE_DATE = re.compile(r"^\d{1,2}[.,/]\d{1,2}(?:[.,/]\d{1,4})?\.?$")


def measure_number(value: str) -> str:
    """A measure number Excel keeps as text: written as the formula ="1.1" (ours, not user input)."""
    if _LOOKS_LIKE_DATE.match(value):
        return f'="{value}"'
    return safe_text(value)


def safe_text(value: str) -> str:
    value = " ".join(value.replace("\r\n", "\n").split("\r"))
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Raw(str):
    """Text already made safe; written as is."""


def _value(value) -> str | int:
    if isinstance(value, _Raw):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int):
        return value
    if isinstance(value, date):
        return format_date(value)
    return safe_text(str(value))


def task_csv(rows: Iterable[TaskRow]) -> bytes:
    """One line per task with its current report."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in rows:
        section = f"{row.section_number.rstrip('.')}. {row.section_title}" if row.section_number else row.section_title
        number, *rest = task_values(row)
        writer.writerow([_value(section), _Raw(measure_number(number)), *(_value(v) for v in rest)])
    return out.getvalue().encode("utf-8")
