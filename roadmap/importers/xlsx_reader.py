"""Excel (.xlsx) reader: the first sheet that holds a recognisable roadmap header.

Cell values become the text a person sees. Numbers: an integer-valued float is written
without ".0"; other floats in their shortest form (1.1 → "1.1"). "1.10" typed as a number
is stored by Excel as 1.1 — indistinguishable from "1.1"; the interpreter repairs the
duplicate this produces ("1.1" twice in a section becomes "1.1" and "1.10") and warns.
A number column read by Russian Excel often turns "1.10" into a date (1 October); a date
in the number column is therefore read back as "day.month".
"""

from __future__ import annotations

import contextlib
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


def _text(cell: tuple | None, number_column: bool) -> tuple[str, bool]:
    """Text of a (value, number format) pair as a person sees it, and whether it was a float."""
    if cell is None:
        return "", False
    value, number_format = cell
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
        return _format_number(value, number_format), isinstance(value, float) and not isinstance(value, bool)
    return str(value), False


SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _merges(sheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of the merged ranges, streamed from the sheet XML:
    a read-only sheet does not load them, and they stand after all the rows."""
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    ranges = []
    merge_tag, row_tag = f"{{{SHEET_MAIN}}}mergeCell", f"{{{SHEET_MAIN}}}row"
    with sheet._get_source() as source:
        # The rows are freed as they end: iterparse would otherwise build the whole sheet's tree.
        for _, element in etree.iterparse(
            source, events=("end",), tag=(row_tag, merge_tag), resolve_entities=False, no_network=True
        ):
            if element.tag == merge_tag:
                with contextlib.suppress(TypeError, ValueError):
                    ranges.append(range_boundaries(element.get("ref") or ""))
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    return [bounds for bounds in ranges if None not in bounds]


def _sheet_table(sheet) -> Table:
    # A read-only sheet streams its rows; formatting alone may stretch its stated extent to a
    # million rows, so at most MAX_ROWS are read and the extent is where values stand.
    # Only (value, number format) of the cells that hold a value are kept, not openpyxl's cells.
    grid: list[list[tuple | None]] = [
        [(cell.value, cell.number_format) if cell.value is not None else None for cell in row]
        for row in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS)
    ]
    max_row = max((r for r, line in enumerate(grid, start=1) if any(line)), default=0)
    max_col = max((c for line in grid[:max_row] for c, cell in enumerate(line, start=1) if cell), default=0)
    grid = [line[:max_col] + [None] * (max_col - len(line)) for line in grid[:max_row]]
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for left, top, right, bottom in _merges(sheet) if max_row else []:
        for r in range(top, min(bottom, max_row) + 1):
            for c in range(left, min(right, max_col) + 1):
                if (r, c) != (top, left):
                    merged[(r, c)] = (top, left)

    def build(number_column: int | None) -> Table:
        rows = []
        for r, line in enumerate(grid, start=1):
            cells = []
            for c, raw in enumerate(line, start=1):
                origin = merged.get((r, c))
                source = grid[origin[0] - 1][origin[1] - 1] if origin and origin[1] <= max_col else raw
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
        del table  # not two tables of cells at once
        table = build(columns.number)
    return table


def read_xlsx(data: bytes) -> list[Block]:
    """Tables of the sheets, the sheet with a recognisable header first (read-only: streamed)."""
    import openpyxl  # imported here: only XLSX uploads pay for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except ImportFailed:
        raise
    except Exception as error:  # openpyxl raises anything from KeyError to TypeError
        raise ImportFailed(CORRUPT) from error
    try:
        tables = []
        for sheet in book.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible" and len(book.worksheets) > 1:
                continue
            if not hasattr(sheet, "iter_rows"):  # a chart sheet
                continue
            try:
                table = _sheet_table(sheet)
            except ImportFailed:
                raise
            except Exception as error:  # a broken sheet part, streamed only now
                raise ImportFailed(CORRUPT) from error
            if table.rows:
                tables.append(table)
    finally:
        book.close()
    with_header = [table for table in tables if find_header(table.rows, table.header_search)[0] is not None]
    # Only the sheet(s) with a header: other sheets (lists of schools, reference data)
    # must not be read as continuations of the roadmap.
    return list(with_header[:1] or tables[:1])
