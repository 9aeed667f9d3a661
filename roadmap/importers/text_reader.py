"""CSV/TSV files and text pasted from Word or Excel.

Russian Excel writes CSV in Windows-1251 with ";" between fields; "Unicode text" is
UTF-16 with tabs; a table copied out of Word pastes as tab-separated lines. The delimiter
is chosen by trying each candidate and keeping the one whose rows contain a header (or,
failing that, the most regular column count). Text whose columns are aligned with runs of
spaces is read as fixed-width columns anchored at the header's column positions.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter

from roadmap.importers.model import ImportFailed, ParsedRoadmap
from roadmap.importers.table import Cell, Row, Table, find_header, interpret
from roadmap.importers.text import collapse

MAX_LINES = 50000
MAX_FIELD = 20000
NOT_TEXT = "Файл не является документом Word, книгой Excel или таблицей CSV"


def decode(data: bytes) -> str:
    """Text of a CSV/TSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:4:2] != b"\x00\x00":
        return data.decode("utf-16-le", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def looks_like_text(text: str) -> bool:
    """False for binary junk: control characters or replacement marks in bulk."""
    if not text.strip():
        return False
    sample = text[:20000]
    bad = sum(1 for char in sample if (ord(char) < 32 and char not in "\t\r\n\f\v") or char == "\ufffd")
    return bad <= max(2, len(sample) // 100)


def _split(text: str, delimiter: str) -> list[list[str]] | None:
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ImportFailed("В файле слишком много строк")
    if delimiter == "\t":
        # Word pastes cells verbatim; quotes there are part of the text, not CSV quoting,
        # unless Excel quoted a cell that holds line breaks.
        quoting = csv.QUOTE_MINIMAL if re.search(r'(^|\t)"[^"\t]*\n', text) else csv.QUOTE_NONE
    else:
        quoting = csv.QUOTE_MINIMAL
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting, strict=False))
    except csv.Error:
        return None
    if quoting == csv.QUOTE_MINIMAL and any(len(field) > MAX_FIELD for record in records for field in record):
        # An unclosed quote swallowed the rest of the file: read the quotes as text.
        try:
            records = list(csv.reader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_NONE))
        except csv.Error:
            return None
    return records


def _fixed_width(text: str) -> list[list[str]] | None:
    """Columns aligned with 2+ spaces, anchored at the starts of the header's columns."""
    lines = text.splitlines()
    for index, line in enumerate(lines[:200]):
        parts = [(m.start(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", line)]
        if len(parts) < 3:
            continue
        row = Row([Cell(collapse(part)) for _, part in parts])
        columns, _, _ = find_header([row], 1)
        if columns is None:
            continue
        starts = [start for start, _ in parts]
        records = [[line] for line in lines[:index]]
        records.append([part for _, part in parts])
        for line in lines[index + 1 :]:
            cells = [""] * len(starts)
            for match in re.finditer(r"\S+(?: \S+)*", line):
                column = max((i for i, start in enumerate(starts) if start <= match.start() + 1), default=0)
                cells[column] = f"{cells[column]} {match.group()}".strip()
            records.append(cells)
        return records
    return None


def _table(records: list[list[str]]) -> Table:
    rows = []
    line = 0
    for record in records:
        line += 1
        rows.append(Row([Cell(collapse(field)) for field in record], source_row=line))
        line += sum(field.count("\n") for field in record)
    return Table(rows, header_search=300)


def _regularity(records: list[list[str]]) -> int:
    counts = Counter(len(record) for record in records if any(field.strip() for field in record))
    common = [(count, width) for width, count in counts.items() if width >= 3]
    return max(common, default=(0, 0))[0]


def read_text(text: str) -> ParsedRoadmap:
    """A roadmap pasted as text (tab-separated as copied from Word or Excel) or read from CSV."""
    if not isinstance(text, str):
        raise ImportFailed(NOT_TEXT)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ImportFailed("Текст пустой: вставьте таблицу мероприятий")
    candidates: list[tuple[int, list[list[str]]]] = []
    for order, delimiter in enumerate(("\t", ";", ",", "|")):
        if delimiter not in text:
            continue
        records = _split(text, delimiter)
        if records is None:
            continue
        table = _table(records)
        has_header = find_header(table.rows, table.header_search)[0] is not None
        candidates.append((has_header * 10**9 + _regularity(records) * 10 - order, records))
    fixed = _fixed_width(text)
    if fixed is not None:
        candidates.append((10**9 - 10**6, fixed))
    if not candidates:
        raise ImportFailed("В тексте не найдена таблица мероприятий: столбцы должны разделяться табуляцией или «;»")
    candidates.sort(key=lambda item: item[0], reverse=True)
    failure: ImportFailed | None = None
    from roadmap.importers.document import check_measure_limit  # here: document imports this module

    for _, records in candidates:
        try:
            return check_measure_limit(interpret([_table(records)]))
        except ImportFailed as error:
            failure = failure or error
    assert failure is not None
    raise failure
