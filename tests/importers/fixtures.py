"""The Krasnodar roadmap (2023) as data, and builders of the files it arrives in.

The data is copied from the issued document; the builders reproduce its quirks: a title
paragraph, section rows merged across the table, rows continued after a page break with
an empty number, an empty responsible cell (3.6), several parties in one cell and the
"-------" border artefact left at the end by a converter.
"""

from __future__ import annotations

import csv
import io

import openpyxl
from docx import Document
from docx.enum.text import WD_BREAK

from roadmap.demo_data import MEASURES, SECTIONS
from roadmap.demo_data import TITLE as DEMO_TITLE

# The measures are the project's own copy of the document (the demo and the example downloads
# use it too); the builders below add the document's quirks.
TITLE = DEMO_TITLE.format(year=2023)
HEADER = ["№ п/п", "Направление деятельности, мероприятия", "Сроки исполнения", "Ответственный"]

SPLITS = {
    "1.7": [
        ("Проведение анализа результатов проведенной работы по вопросам профессиональной", "май-август", "МКУ КНМЦ"),
        ("ориентации.", "ежегодно", ""),
    ],
    "3.10": [
        (
            "Организовать участие обучающихся и специалистов образовательных организаций во всероссийском "
            "проекте ранней профессиональной",
            "ежегодно",
            "ДО МО г.Краснодар",
        ),
        ("ориентации обучающихся 6 – 11 классов «Билет в будущее»", "", ""),
    ],
    "5.2": [
        ("Утверждение планов профориентационной работы", "август-", "ДО АМУ"),
        (
            "на текущий учебный год с учетом включения мероприятий для родителей (законных представителей) "
            "по вопросам профессиональной ориентации учащихся",
            "сентябрь, ежегодно",
            "г.Краснодар ОО МО г. Краснодара",
        ),
    ],
}

ARTEFACT = ["-------", "---", "---------------------", "------------------------"]


def document_rows(*, split: bool = True) -> list[tuple[str, list[str]]]:
    """The table body as issued: ("section", [text]) and ("row", [number, title, deadline, responsible])."""
    rows: list[tuple[str, list[str]]] = []
    titles = dict(SECTIONS)
    current = None
    for number, title, deadline, responsible in MEASURES:
        section = number.split(".")[0]
        if section != current:
            rows.append(("section", [f"{section}. {titles[section]}"]))
            current = section
        if split and number in SPLITS:
            first, *rest = SPLITS[number]
            rows.append(("row", [f"{number}.", *first]))
            rows.extend(("row", ["", *part]) for part in rest)
        else:
            rows.append(("row", [f"{number}.", title, deadline, responsible]))
    return rows


def expected_sections() -> list[tuple[str, str]]:
    return list(SECTIONS)


def expected_measures() -> list[tuple[str, str, str, str, str]]:
    """(number, section, title, deadline, responsible) as every reader must return them."""
    return [(n, n.split(".")[0], t, d, r) for n, t, d, r in MEASURES]


def summary(parsed) -> tuple[list[tuple[str, str]], list[tuple[str, str | None, str, str, str]]]:
    return (
        [(s.number, s.title) for s in parsed.sections],
        [(m.number, m.section_number, m.title, m.deadline, m.responsible) for m in parsed.measures],
    )


# ------------------------------------------------------------------ Word


def _add_table(document, rows, *, header: bool):
    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, HEADER, strict=True):
            cell.text = text
    for kind, values in rows:
        cells = table.add_row().cells
        if kind == "section":
            merged = cells[0].merge(cells[3])
            merged.text = values[0]
        else:
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
    return table


def _page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def krasnodar_docx(*, page_split: bool = False, artefact: bool = True) -> bytes:
    """The roadmap as a Word document; ``page_split`` cuts the table into several tables
    at the split rows, the way converters do, repeating the header on some pages only."""
    document = Document()
    document.add_paragraph("УТВЕРЖДАЮ")
    document.add_paragraph(TITLE)
    document.add_paragraph("Муниципальное образование реализует дорожную карту по основным направлениям:")
    rows = document_rows()
    if artefact:
        rows.append(("row", ARTEFACT))
    if not page_split:
        _add_table(document, rows, header=True)
        return _save(document)
    # Cut right before each continuation row and once more before the last row.
    cuts = [i for i, (kind, values) in enumerate(rows) if kind == "row" and not values[0]]
    cuts.append(len(rows) - 2)
    start = 0
    for page, cut in enumerate([*cuts, len(rows)]):
        # page 0 has the header; page 1 has none; later pages repeat it
        _add_table(document, rows[start:cut], header=page != 1)
        if cut != len(rows):
            _page_break(document)
        start = cut
    return _save(document)


# ------------------------------------------------------------------ Excel


def krasnodar_xlsx() -> bytes:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Пояснения"
    notes["A1"] = "Справочный лист без таблицы мероприятий"
    sheet = book.create_sheet("Дорожная карта")
    sheet.append([TITLE])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(HEADER)
    sheet.append([1, 2, 3, 4])  # the numbering row under the header
    for kind, values in document_rows():
        if kind == "section":
            sheet.append([values[0]])
            sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=4)
        else:
            sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ text


def krasnodar_records() -> list[list[str]]:
    records = [[TITLE], [], HEADER]
    for kind, values in document_rows():
        records.append([values[0], "", "", ""] if kind == "section" else values)
    records.append(ARTEFACT)
    return records


def krasnodar_csv(*, encoding: str = "cp1251", delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(krasnodar_records())
    return buffer.getvalue().encode(encoding)


def krasnodar_pasted() -> str:
    """Text as copied out of Word: tab-separated cells, a blank line here and there."""
    lines = []
    for record in krasnodar_records():
        lines.append("\t".join(record))
        if record and record[0] in {"1.7.", "3.10."}:
            lines.append("")
    return "\n".join(lines) + "\n"
