"""CSV as Russian Excel opens it by double-click: UTF-8 with a BOM, ";" between fields, CRLF.

Or in Windows-1251 (no BOM), for older Excel and 1С: a character that code page lacks is
replaced by its nearest equivalent (é → e, − → -) or by "?", and counted, so the download can
say how many were replaced.

Dates are written DD.MM.YYYY (Excel in the Russian locale reads them as dates), numbers bare.
A text field that Excel would take for a formula (=, +, -, @ at the start) gets a leading
apostrophe, as OWASP advises against CSV injection. Measure numbers such as "1.1", which
Russian Excel would turn into the date 1 January, are written as ="1.1".
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from roadmap.reports.layout import TASK_COLUMNS, task_values
from roadmap.reports.queries import TaskRow
from roadmap.reports.typography import format_date

BOM = "\ufeff"
CSV_MIME = "text/csv; charset=utf-8"
CP1251 = "cp1251"
UTF8 = "utf-8"
# The choice offered where the CSV is downloaded: code → the name people know it by.
CSV_ENCODINGS = {UTF8: "UTF-8", CP1251: "Windows-1251"}
CSV_MIMES = {UTF8: CSV_MIME, CP1251: "text/csv; charset=windows-1251"}
# Characters Windows-1251 lacks that have a plain equivalent; the rest lose their accents or become "?".
_CP1251_EQUIVALENTS = {
    "\u2212": "-",  # minus
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2043": "-",
    "\u2015": "—",
    "\u2032": "'",
    "\u2033": '"',
    "\u00d7": "x",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2009": " ",
    "\u202f": "\u00a0",
    "\u200b": "",
}
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


def _cp1251_equivalent(char: str) -> str:
    if char in _CP1251_EQUIVALENTS:
        return _CP1251_EQUIVALENTS[char]
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    try:
        bare.encode(CP1251)
    except UnicodeEncodeError:
        return "?"
    return bare or "?"


def encode_cp1251(text: str) -> tuple[bytes, int]:
    """`text` in Windows-1251 and the number of characters that had to be replaced."""
    try:
        return text.encode(CP1251), 0
    except UnicodeEncodeError:
        pass
    replaced = 0
    parts = []
    for char in text:
        try:
            char.encode(CP1251)
        except UnicodeEncodeError:
            replaced += 1
            char = _cp1251_equivalent(char)
        parts.append(char)
    return "".join(parts).encode(CP1251), replaced


def task_csv(rows: Iterable[TaskRow]) -> bytes:
    """One line per task with its current report, in UTF-8 with a BOM."""
    return task_csv_encoded(rows, UTF8)[0]


def task_csv_encoded(rows: Iterable[TaskRow], encoding: str) -> tuple[bytes, int]:
    """The task CSV in `encoding` (see CSV_ENCODINGS) and the count of replaced characters."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"unknown CSV encoding {encoding!r}")
    out = io.StringIO()
    if encoding == UTF8:
        out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    # Titles, names, deadlines and dates repeat on row after row (a region's CSV has some
    # 800,000 values): each distinct one is made safe once.
    memo: dict = {}

    def value(v):
        if v is None or type(v) is int:
            return "" if v is None else v
        known = memo.get((type(v), v))
        if known is None:
            known = memo[(type(v), v)] = _value(v)
        return known

    for row in rows:
        section = f"{row.section_number.rstrip('.')}. {row.section_title}" if row.section_number else row.section_title
        number, *rest = task_values(row)
        writer.writerow([value(section), _Raw(measure_number(number)), *(value(v) for v in rest)])
    if encoding == CP1251:
        data, replaced = encode_cp1251(out.getvalue())
        if replaced:  # said in the file itself: that is where a person looks
            note = io.StringIO()
            csv.writer(note, delimiter=";", lineterminator="\r\n").writerow([replacement_note(replaced)])
            data += note.getvalue().encode(CP1251)
        return data, replaced
    return out.getvalue().encode(UTF8), 0


def replacement_note(replaced: int) -> str:
    return (
        f"Примечание: знаков, которых нет в кодировке Windows-1251, заменено: {replaced} "
        "(буквами без надстрочных знаков, обычным дефисом или знаком «?»). Точная копия — в CSV в кодировке UTF-8."
    )
