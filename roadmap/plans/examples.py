"""Example roadmap documents to download and try the import on, built from the demo data."""

from __future__ import annotations

import io

from roadmap.clock import today_in
from roadmap.demo_data import MEASURES, SECTIONS, TITLE

HEADER = ("№ п/п", "Направление деятельности, мероприятия", "Сроки исполнения", "Ответственный")


def _rows():
    by_section: dict[str, list] = {}
    for measure in MEASURES:
        by_section.setdefault(measure[0].split(".")[0], []).append(measure)
    for number, title in SECTIONS:
        yield ("section", f"{number}. {title}")
        for measure in by_section.get(number, []):
            yield ("measure", measure)


def example_docx(year: int | None = None) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(TITLE.format(year=year or today_in().year), level=1)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for kind, value in _rows():
        row = table.add_row().cells
        if kind == "section":
            merged = row[0].merge(row[3])
            merged.text = value
        else:
            number, title, deadline, responsible = value
            row[0].text = f"{number}."
            row[1].text = title
            row[2].text = deadline
            row[3].text = responsible
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def example_xlsx(year: int | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Дорожная карта"
    sheet.append([TITLE.format(year=year or today_in().year)])
    sheet.append(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for kind, value in _rows():
        if kind == "section":
            sheet.append([value])
            sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=4)
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        else:
            number, title, deadline, responsible = value
            sheet.append([f"{number}.", title, deadline, responsible])
    for column, width in zip("ABCD", (8, 80, 28, 36), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
