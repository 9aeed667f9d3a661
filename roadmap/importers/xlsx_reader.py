"""Excel (.xlsx) reader: the first sheet that holds a recognisable roadmap header.

Cell values become the text a person sees. Numbers: an integer-valued float is written
without ".0"; other floats in their shortest form (1.1 → "1.1"). "1.10" typed as a number
is stored by Excel as 1.1 — indistinguishable from "1.1"; the interpreter repairs the
duplicate this produces ("1.1" twice in a section becomes "1.1" and "1.10") and warns.
A number column read by Russian Excel often turns "1.10" into a date (1 October); a date
in the number column is therefore read back as "day.month".
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime, time

from roadmap.importers.model import ImportFailed
from roadmap.importers.table import Block, Cell, Row, Table, find_header

MAX_ROWS = 20000
MAX_COLUMNS = 60
CORRUPT = "Файл повреждён или не является книгой Excel"


def _format_number(value: float | int, number_format: str) -> str:
    if isinstance(value, bool):
        return "ИСТИНА" if value else "ЛОЖЬ"
    if isinstance(value, int):
        return str(value)
    decimals = re.fullmatch(r"0[.,](0+)", number_format or "")
    if decimals:
        return f"{value:.{len(decimals.group(1))}f}"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _text(cell, number_column: bool) -> tuple[str, bool]:
    value = cell.value
    if value is None:
        return "", False
    if isinstance(value, datetime | date):
        if number_column:
            return f"{value.day}.{value.month}", False
        if isinstance(value, datetime) and value.time() != time(0):
            return value.strftime("%d.%m.%Y %H:%M"), False
        return value.strftime("%d.%m.%Y"), False
    if isinstance(value, time):
        return value.strftime("%H:%M"), False
    if isinstance(value, int | float):
        return _format_number(value, cell.number_format), isinstance(value, float) and not isinstance(value, bool)
    return str(value), False


def _sheet_table(sheet) -> Table:
    # The extent of cells that hold values: formatting alone may stretch max_row to a million.
    stored = getattr(sheet, "_cells", None)
    if stored is not None:
        filled = [key for key, cell in stored.items() if cell.value is not None]
        max_row = min(max((r for r, _ in filled), default=0), MAX_ROWS)
        max_col = min(max((c for _, c in filled), default=0), MAX_COLUMNS)
    else:
        max_row = min(sheet.max_row or 0, MAX_ROWS)
        max_col = min(sheet.max_column or 0, MAX_COLUMNS)
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for bounds in sheet.merged_cells.ranges:
        top, left = bounds.min_row, bounds.min_col
        for r in range(top, min(bounds.max_row, max_row) + 1):
            for c in range(left, min(bounds.max_col, max_col) + 1):
                if (r, c) != (top, left):
                    merged[(r, c)] = (top, left)
    grid = [[sheet.cell(row=r, column=c) for c in range(1, max_col + 1)] for r in range(1, max_row + 1)]

    def build(number_column: int | None) -> Table:
        rows = []
        for r, line in enumerate(grid, start=1):
            cells = []
            for c, raw in enumerate(line, start=1):
                origin = merged.get((r, c))
                source = grid[origin[0] - 1][origin[1] - 1] if origin else raw
                text, numeric = _text(source, number_column == c - 1)
                cells.append(
                    Cell(
                        text=" ".join(text.split()),
                        h_merged=bool(origin) and origin[0] == r,
                        v_merged=bool(origin) and origin[0] != r,
                        numeric=numeric,
                    )
                )
            rows.append(Row(cells, source_row=r))
        return Table(rows, header_search=200)

    table = build(None)
    columns, _, _ = find_header(table.rows, table.header_search)
    if columns is not None and columns.number is not None:
        table = build(columns.number)
    return table


def read_xlsx(data: bytes) -> list[Block]:
    """Tables of the sheets, the sheet with a recognisable header first."""
    import openpyxl  # imported here: only XLSX uploads pay for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except ImportFailed:
        raise
    except Exception as error:  # openpyxl raises anything from KeyError to TypeError
        raise ImportFailed(CORRUPT) from error
    tables = []
    for sheet in book.worksheets:
        if getattr(sheet, "sheet_state", "visible") != "visible" and len(book.worksheets) > 1:
            continue
        table = _sheet_table(sheet)
        if table.rows:
            tables.append(table)
    with_header = [table for table in tables if find_header(table.rows, table.header_search)[0] is not None]
    # Only the sheet(s) with a header: other sheets (lists of schools, reference data)
    # must not be read as continuations of the roadmap.
    return list(with_header[:1] or tables[:1])
