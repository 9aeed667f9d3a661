"""The region's report of a roadmap (DOCX, XLSX): the municipalities ranked, then a section per
municipality with its measures. Built from roadmap.plans.region.region_dashboard (so the files
say what the page says) with the report builders of roadmap.reports.docx and .xlsx."""

from __future__ import annotations

import io
import math
from datetime import date

from roadmap.models import Roadmap
from roadmap.reports.queries import Cell, MunicipalityFigures, Scope
from roadmap.reports.service import ExportFile, safe_filename, scope_suffix
from roadmap.reports.typography import format_date, format_int, format_percent
from roadmap.russian import truncate

REGION_FORMATS = ("docx", "xlsx")
NOT_APPLICABLE_TEXT = "не применимо"


# --------------------------------------------------------------------------- the words of every surface


def coverage_share_text(data: MunicipalityFigures) -> str:
    """«62,5 % контингента», «нет данных о контингенте (3 орг.)», or «—» with nothing to share."""
    if data.missing_contingent:
        return f"нет данных о контингенте ({format_int(data.missing_contingent)} орг.)"
    share = data.coverage_share
    if share is None:
        return "—"
    return f"{format_percent(share, places=1)} контингента"


def done_text(data: MunicipalityFigures) -> str:
    """«12 из 40 (30 %)»: tasks done (accepted) of the applicable; «—» with none."""
    f = data.figures
    if not f.applicable:
        return "—"
    return f"{format_int(f.done)} из {format_int(f.applicable)} ({format_percent(f.done_ratio)})"


def cell_state(cell: Cell | None) -> str | None:
    """A matrix cell's colour (Cell.completion); None for an empty cell."""
    return cell.completion if cell is not None else None


def cell_text(cell: Cell | None) -> str:
    """«3/5»: the cell's tasks done of the applicable ones; «не применимо»; '' for no tasks."""
    if cell is None:
        return ""
    if not cell.is_applicable:
        return NOT_APPLICABLE_TEXT
    return f"{cell.figures.done}/{cell.figures.applicable}"


# --------------------------------------------------------------------------- files


def region_export(roadmap: Roadmap, scope: Scope, fmt: str, *, generated_on: date | None = None) -> ExportFile:
    """The region's report of `roadmap` for `scope` as DOCX or XLSX."""
    from roadmap.plans.region import region_dashboard

    if fmt not in REGION_FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    generated_on = generated_on or scope.today
    data = region_dashboard(roadmap, scope)
    name = safe_filename(
        f"Сводка по муниципалитетам {truncate(roadmap.title, 70, ellipsis='')} {scope_suffix(roadmap, scope)}"
    )
    if fmt == "docx":
        from roadmap.reports.docx import DOCX_MIME

        return ExportFile(region_document(data, generated_on), DOCX_MIME, f"{name}.docx")
    from roadmap.reports.xlsx import XLSX_MIME

    return ExportFile(region_workbook(data, generated_on), XLSX_MIME, f"{name}.xlsx")


RANKING_COLUMNS = (
    ("Место", 1.6),
    ("Муниципальное образование", 8.0),
    ("Исполнителей", 2.6),
    ("Выполнено (x из y, %)", 4.4),
    ("Просрочено", 2.6),
    ("Охват обучающихся", 4.4),
    ("Место по охвату", 2.2),
)
MEASURE_COLUMNS = (
    ("№", 1.4),
    ("Мероприятие", 13.0),
    ("Выполнено (x из y)", 3.6),
    ("Просрочено", 2.6),
    ("Охват обучающихся, чел.", 4.2),
)


def _place(value: int | None) -> str:
    return str(value) if value is not None else "—"


def _ranking_values(row) -> list[str]:
    f = row.figures
    return [
        _place(row.place_done),
        row.name,
        format_int(row.data.executors),
        done_text(row.data),
        format_int(f.overdue),
        coverage_share_text(row.data),
        _place(row.place_coverage),
    ]


def _measure_values(measure, cell: Cell) -> list[str]:
    f = cell.figures
    done = NOT_APPLICABLE_TEXT if not cell.is_applicable else f"{format_int(f.done)} из {format_int(f.applicable)}"
    return [measure.number, measure.title, done, format_int(f.overdue), format_int(f.coverage.students)]


def region_document(data, generated_on: date) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    from roadmap.reports.docx import (
        append_row,
        document_bytes,
        grid_table,
        heading_paragraph,
        new_report_document,
        period_phrase,
        summary_sentences,
        text_paragraph,
    )

    roadmap, scope = data.roadmap, data.scope
    document = new_report_document()
    for text in (
        "СВОДНЫЙ ОТЧЁТ",
        f"о реализации дорожной карты «{roadmap.title}» по муниципальным образованиям",
        period_phrase(roadmap.year_type, scope.plan_year, scope.date_from, scope.date_to),
    ):
        text_paragraph(document, text, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    text_paragraph(
        document,
        f"Данные по состоянию на {format_date(scope.today)}. Дата формирования отчёта: {format_date(generated_on)}.",
        space_after=12,
    )
    heading_paragraph(document, "Общие показатели")
    for sentence in summary_sentences(data.summary):
        text_paragraph(document, sentence).paragraph_format.first_line_indent = Cm(1.25)
    heading_paragraph(document, "Муниципальные образования по выполнению")
    widths = [w for _n, w in RANKING_COLUMNS]
    table = grid_table(document, RANKING_COLUMNS)
    for row in data.ranked_by_done + ([data.region_own] if data.region_own else []):
        append_row(table, _ranking_values(row), widths, centered=(0, 2, 4, 6))
    text_paragraph(
        document,
        "Выполнено — задачи, отчёт по которым принят, из всех, кроме отмеченных «не применимо». Охват "
        "обучающихся — доля контингента исполнителей (по классам целевого показателя мероприятия).",
        size=10,
    )
    widths = [w for _n, w in MEASURE_COLUMNS]
    for row in [*data.municipalities, *([data.region_own] if data.region_own else [])]:
        heading_paragraph(document, row.name)
        if not row.figures.total:
            text_paragraph(document, "За отчётный период задач по дорожной карте не запланировано.")
            continue
        for sentence in summary_sentences(row.figures):
            text_paragraph(document, sentence).paragraph_format.first_line_indent = Cm(1.25)
        text_paragraph(document, f"Охват обучающихся: {coverage_share_text(row.data)}.")
        table = grid_table(document, MEASURE_COLUMNS)
        for measure in data.measures:
            cell = data.cells.get((measure.id, row.id))
            if cell is not None:
                append_row(table, _measure_values(measure, cell), widths, centered=(2, 3, 4))
    return document_bytes(document)


MATRIX_COLUMNS_PER_PAGE = 12


def region_workbook(data, generated_on: date) -> bytes:
    from openpyxl import Workbook

    from roadmap.reports.xlsx import SheetWriter, ratio_cell, scope_caption, unique_sheet_name

    roadmap, scope = data.roadmap, data.scope
    wb = Workbook(write_only=True)
    used = {"сводка", "матрица"}
    rows = data.ranked_by_done + ([data.region_own] if data.region_own else [])

    sheet = SheetWriter(wb.create_sheet("Сводка"))
    sheet.widths([8, 44, 13, 12, 12, 12, 12, 14, 14, 30, 10])
    sheet.freeze_below_header(5, first_columns=2)
    sheet.print_ready()
    sheet.title(f"Сводка по муниципальным образованиям: «{roadmap.title}»")
    sheet.append(
        [
            sheet.cell("Отчётный период"),
            sheet.cell(scope_caption(roadmap.year_type, scope.plan_year, scope.date_from, scope.date_to)),
        ]
    )
    sheet.append([sheet.cell("Дата формирования"), sheet.cell(generated_on)])
    sheet.append([sheet.cell("Состояние на дату"), sheet.cell(scope.today)])
    header = ["Место", "Муниципальное образование", "Исполнителей", "Задач", "Выполнено", "Применимо"]
    header += ["Доля выполнения", "Просрочено", "Охвачено обучающихся", "Охват обучающихся", "Место по охвату"]
    sheet.header(header)
    sheet.repeat_rows(5)
    for row in rows:
        f = row.figures
        sheet.append(
            [
                row.place_done,
                sheet.cell(row.name),
                row.data.executors,
                f.total,
                f.done,
                f.applicable,
                ratio_cell(sheet, f.done_ratio),
                f.overdue,
                f.coverage.students,
                sheet.cell(coverage_share_text(row.data)),
                row.place_coverage,
            ]
        )
    sheet.finish_filter()

    columns = [m for m in data.municipalities if m.figures.total] + ([data.region_own] if data.region_own else [])
    matrix = SheetWriter(wb.create_sheet("Матрица"))
    matrix.widths([7, 50] + [14] * len(columns))
    matrix.freeze_below_header(1, first_columns=2)
    pages = max(1, math.ceil(len(columns) / MATRIX_COLUMNS_PER_PAGE))
    matrix.print_ready(pages_wide=pages, title_columns=2)
    matrix.header(["№", "Мероприятие"] + [m.short_name for m in columns])
    matrix.repeat_rows(1)
    for measure in data.measures:
        values = [matrix.cell(measure.number), matrix.cell(measure.title)]
        for column in columns:
            cell = data.cells.get((measure.id, column.id))
            values.append(matrix.cell(cell_text(cell), fill=cell_state(cell)) if cell is not None else None)
        matrix.append(values)
    matrix.finish_filter()

    for row in columns:
        part = SheetWriter(wb.create_sheet(unique_sheet_name(row.short_name, used)))
        part.widths([7, 56, 12, 12, 12, 14])
        part.print_ready()
        part.title(row.name)
        part.append(
            [part.cell(f"Выполнено: {done_text(row.data)}; охват обучающихся: {coverage_share_text(row.data)}")]
        )
        part.header(["№", "Мероприятие", "Выполнено", "Применимо", "Просрочено", "Охвачено обучающихся"])
        for measure in data.measures:
            cell = data.cells.get((measure.id, row.id))
            if cell is None:
                continue
            f = cell.figures
            part.append(
                [
                    part.cell(measure.number),
                    part.cell(measure.title, wrap=True),
                    part.cell(f.done, fill=cell_state(cell)),
                    f.applicable,
                    f.overdue,
                    f.coverage.students,
                ]
            )
        part.finish_filter()
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
