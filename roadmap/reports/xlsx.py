"""XLSX exports with openpyxl in write-only mode (rows streamed, memory flat for big roadmaps).

Numbers are numbers, dates are dates shown as DD.MM.YYYY, percentages are fractions shown with
a % format, so that a methodologist can sum, filter and chart them in Excel. Text typed by
people is written as text even when it starts with "=" (no formula injection) and cleaned of
the control characters that Excel refuses.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from roadmap.reports.queries import (
    DISPLAY_LABELS,
    OUTCOME_LABELS,
    Figures,
    MonitoringReport,
    TaskRow,
)
from roadmap.reports.typography import format_date, plan_year_label

DATE_FORMAT = "DD.MM.YYYY"
PERCENT_FORMAT = "0%"
MAX_CELL = 32767
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

FILLS = {
    "planned": "E9ECEF",
    "overdue": "F8D7DA",
    "submitted": "CFE2FF",
    "accepted": "D1E7DD",
    "returned": "FFF3CD",
    "not_applicable": "E2E3E5",
    "on_time": "D1E7DD",
    "late": "FFF3CD",
    "open": "E9ECEF",
    "complete": "D1E7DD",
    "partial": "FFF3CD",
    "none": "F8D7DA",
}
_FILL_CACHE = {name: PatternFill("solid", start_color=color, end_color=color) for name, color in FILLS.items()}
_HEADER_FILL = PatternFill("solid", start_color="DEE2E6", end_color="DEE2E6")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_THIN = Side(style="thin", color="ADB5BD")
_HEADER_BORDER = Border(bottom=_THIN)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------- cell helpers


def clean_text(value: str) -> str:
    return _ILLEGAL.sub("", value)[:MAX_CELL]


class _Sheet:
    """A write-only sheet with typed cells, a header row, widths, freeze and autofilter."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self.row = 0
        self.header_row: int | None = None
        self.columns = 0

    def widths(self, widths: Sequence[float]) -> None:
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def cell(self, value: Any, *, fmt: str | None = None, fill: str | None = None, bold=False, wrap=False):
        if isinstance(value, str):
            value = clean_text(value)
        needs_cell = fmt or fill or bold or wrap or isinstance(value, date)
        if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
            needs_cell = True
        if not needs_cell:
            return value
        cell = WriteOnlyCell(self.ws, value)
        if isinstance(value, str) and cell.data_type in ("f", "e"):
            cell.data_type = "s"  # text typed by a person, never a formula
        if isinstance(value, date):
            cell.number_format = DATE_FORMAT
        if fmt:
            cell.number_format = fmt
        if fill:
            cell.fill = _FILL_CACHE[fill]
        if bold:
            cell.font = _BOLD
        if wrap:
            cell.alignment = _WRAP
        return cell

    def append(self, values: Iterable[Any]) -> None:
        self.ws.append(list(values))
        self.row += 1

    def title(self, text: str) -> None:
        cell = self.cell(text, bold=True)
        cell.font = _TITLE
        self.append([cell])

    def header(self, names: Sequence[str]) -> None:
        cells = []
        for name in names:
            cell = self.cell(name, bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = _HEADER_ALIGN
            cell.border = _HEADER_BORDER
            cells.append(cell)
        self.append(cells)
        self.header_row = self.row
        self.columns = max(self.columns, len(names))

    def freeze_below_header(self, header_row: int, first_columns: int = 0) -> None:
        """Must be called before the first row is written (write-only sheets write views first)."""
        self.ws.freeze_panes = f"{get_column_letter(first_columns + 1)}{header_row + 1}"

    def finish_filter(self) -> None:
        if self.header_row is not None and self.columns:
            last = max(self.row, self.header_row)
            self.ws.auto_filter.ref = f"A{self.header_row}:{get_column_letter(self.columns)}{last}"


def _ratio_cell(sheet: _Sheet, value: float | None):
    return sheet.cell(value, fmt=PERCENT_FORMAT) if value is not None else None


def _cut_at_word(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole word (no dangling "с", "в", "на") when a
    word boundary leaves at least half of it."""
    if len(text) <= limit:
        return text
    words = text[: limit + 1].split(" ")[:-1]
    while len(words) > 1 and len(words[-1]) <= 2:
        words.pop()
    cut = " ".join(words).rstrip(",;:.-–— ")
    return cut if len(cut) >= limit // 2 else text[:limit]


def _sheet_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", text).strip().strip("'") or "Лист"
    name = _cut_at_word(" ".join(name.split()), 31)
    candidate, n = name, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = name[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def scope_caption(report_roadmap_year_type: str, plan_year: int | None, date_from, date_to) -> str:
    parts = []
    if plan_year is not None:
        parts.append(plan_year_label(plan_year, report_roadmap_year_type))
    if date_from or date_to:
        parts.append(
            "период"
            + (f" с {format_date(date_from)}" if date_from else "")
            + (f" по {format_date(date_to)}" if date_to else "")
        )
    return ", ".join(parts) or "весь период дорожной карты"


# --------------------------------------------------------------------------- the roadmap workbook

TASK_COLUMNS = (
    ("№", 7),
    ("Мероприятие", 48),
    ("Исполнитель", 26),
    ("Период", 18),
    ("Начало", 11),
    ("Срок", 11),
    ("Срок с учётом выходных", 12),
    ("Статус", 14),
    ("Исполнение", 22),
    ("Дата отчёта", 11),
    ("Дата проведения", 11),
    ("Охват, всего", 10),
    ("Обучающиеся", 11),
    ("Родители", 10),
    ("Педагоги", 10),
    ("ОВЗ", 8),
    ("Комментарий", 50),
    ("Ссылки", 30),
)


def _task_values(sheet: _Sheet, row: TaskRow, *, with_org: bool = True) -> list[Any]:
    values = [
        sheet.cell(row.measure_number),
        sheet.cell(row.measure_title, wrap=True),
    ]
    if with_org:
        values.append(sheet.cell(row.organization))
    values += [
        sheet.cell(row.label),
        sheet.cell(row.start_on),
        sheet.cell(row.due_on),
        sheet.cell(row.due_effective_on),
        sheet.cell(DISPLAY_LABELS.get(row.display, row.display), fill=row.display if row.display in FILLS else None),
        sheet.cell(OUTCOME_LABELS[row.outcome], fill=row.outcome),
        sheet.cell(row.submitted_on) if row.submitted_on and row.display != "planned" else None,
        sheet.cell(row.held_on) if row.held_on else None,
        row.coverage_total,
        row.coverage_students,
        row.coverage_parents,
        row.coverage_teachers,
        row.coverage_disabled,
        sheet.cell(row.comment, wrap=True) if row.comment else None,
        sheet.cell(row.links, wrap=True) if row.links else None,
    ]
    return values


def _task_sheet(wb: Workbook, name: str, *, with_org: bool = True, preface: Sequence[str] = ()) -> _Sheet:
    sheet = _Sheet(wb.create_sheet(name))
    columns = [c for c in TASK_COLUMNS if with_org or c[0] != "Исполнитель"]
    sheet.widths([w for _n, w in columns])
    header_row = len(preface) + (1 if preface else 0) + 1
    sheet.freeze_below_header(header_row, first_columns=2)
    for index, line in enumerate(preface):
        if index == 0:
            sheet.title(line)
        else:
            sheet.append([sheet.cell(line)])
    if preface:
        sheet.append([])
    sheet.header([n for n, _w in columns])
    return sheet


def _figure_rows(figures: Figures) -> list[tuple[str, int, float | None]]:
    return [
        ("Задач всего", figures.total, None),
        ("Выполнено", figures.done, figures.done_ratio),
        ("   в срок", figures.on_time, figures.on_time_ratio),
        ("   с опозданием", figures.late, _r(figures.late, figures.applicable)),
        ("Не выполнено", figures.not_done, _r(figures.not_done, figures.applicable)),
        ("   срок истёк", figures.overdue, _r(figures.overdue, figures.applicable)),
        ("   срок не наступил", figures.open, _r(figures.open, figures.applicable)),
        ("Не применимо", figures.not_applicable, None),
        ("На проверке", figures.in_review, None),
        ("Принято координатором", figures.accepted, None),
    ]


def _coverage_rows(figures: Figures) -> list[tuple[str, int]]:
    c = figures.coverage
    return [
        ("Охват участников, всего", c.total),
        ("   обучающиеся", c.students),
        ("   родители", c.parents),
        ("   педагоги", c.teachers),
        ("   прочие", c.other),
        ("Обучающиеся с ОВЗ (из общего охвата)", c.disabled),
    ]


def _r(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _summary_sheet(wb: Workbook, report: MonitoringReport, generated_on: date) -> None:
    roadmap, scope = report.roadmap, report.scope
    sheet = _Sheet(wb.create_sheet("Сводка"))
    sheet.widths([44, 14, 14, 14, 14, 14, 14, 14, 14])
    sheet.title(f"Отчёт о реализации дорожной карты «{roadmap.title}»")
    sheet.append(
        [
            sheet.cell("Отчётный период"),
            sheet.cell(scope_caption(roadmap.year_type, scope.plan_year, scope.date_from, scope.date_to)),
        ]
    )
    sheet.append(
        [
            sheet.cell("Период дорожной карты"),
            sheet.cell(f"{format_date(roadmap.period_start)} – {format_date(roadmap.period_end)}"),
        ]
    )
    sheet.append([sheet.cell("Дата формирования"), sheet.cell(generated_on)])
    sheet.append([sheet.cell("Состояние на дату"), sheet.cell(scope.today)])
    sheet.append([])
    sheet.header(["Показатель", "Количество", "Доля"])
    for label, value, share in _figure_rows(report.summary):
        sheet.append([sheet.cell(label), value, _ratio_cell(sheet, share)])
    for label, value in _coverage_rows(report.summary):
        sheet.append([sheet.cell(label), value])

    if report.comparison is not None:
        comparison = report.comparison
        prev, cur = comparison.previous, comparison.current
        sheet.append([])
        ranged = cur.date_from is not None or cur.date_to is not None
        title = "Сравнение с тем же периодом предыдущего года" if ranged else "Сравнение с предыдущим годом"
        sheet.append([sheet.cell(title, bold=True)])
        if not comparison.same_roadmap:
            sheet.append([sheet.cell(f"Предыдущий период — по дорожной карте «{prev.roadmap_title}»")])
        sheet.header(
            [
                "Показатель",
                prev.label,
                cur.label,
                "Изменение",
            ]
        )
        for label, getter, is_ratio in _comparison_rows():
            old, new = getter(prev.figures), getter(cur.figures)
            if is_ratio:
                delta = None if old is None or new is None else new - old
                sheet.append(
                    [
                        sheet.cell(label),
                        _ratio_cell(sheet, old),
                        _ratio_cell(sheet, new),
                        sheet.cell(delta, fmt="+0.0%;-0.0%;0.0%") if delta is not None else None,
                    ]
                )
            else:
                sheet.append([sheet.cell(label), old, new, sheet.cell(new - old, fmt="+0;-0;0")])

    if len(report.years) > 1:
        sheet.append([])
        sheet.append([sheet.cell("Показатели по годам", bold=True)])
        sheet.header(["Год", "Задач", "Выполнено", "Исполнение", "В срок", "Охват, всего"])
        for year in report.years:
            f = year.figures
            sheet.append(
                [
                    sheet.cell(plan_year_label(year.plan_year, year.year_type)),
                    f.total,
                    f.done,
                    _ratio_cell(sheet, f.done_ratio),
                    f.on_time,
                    f.coverage.total,
                ]
            )

    sheet.append([])
    sheet.append([sheet.cell("Исполнение по разделам", bold=True)])
    sheet.header(
        [
            "Раздел",
            "Задач",
            "Выполнено в срок",
            "С опозданием",
            "Срок истёк",
            "Срок не наступил",
            "Не применимо",
            "Исполнение",
            "Охват, всего",
        ]
    )
    rows = [(sheet.cell(section.heading, wrap=True), section.figures) for section in report.sections]
    rows.append((sheet.cell("Итого", bold=True), report.summary))
    for heading, f in rows:
        sheet.append(
            [
                heading,
                f.total,
                f.on_time,
                f.late,
                f.overdue,
                f.open,
                f.not_applicable,
                _ratio_cell(sheet, f.done_ratio),
                f.coverage.total,
            ]
        )


def _comparison_rows():
    return [
        ("Задач всего", lambda f: f.total, False),
        ("Выполнено", lambda f: f.done, False),
        ("Выполнено в срок", lambda f: f.on_time, False),
        ("Не выполнено", lambda f: f.not_done, False),
        ("Исполнение, %", lambda f: f.done_ratio, True),
        ("Охват участников, всего", lambda f: f.coverage.total, False),
        ("   обучающиеся", lambda f: f.coverage.students, False),
        ("   родители", lambda f: f.coverage.parents, False),
        ("   педагоги", lambda f: f.coverage.teachers, False),
    ]


MEASURE_COLUMNS = (
    ("№", 7),
    ("Раздел", 24),
    ("Мероприятие", 56),
    ("Срок", 22),
    ("Ответственный", 28),
    ("Исполнителей", 12),
    ("Выполнили", 11),
    ("Исполнение", 11),
    ("Задач", 8),
    ("В срок", 8),
    ("С опозданием", 10),
    ("Срок истёк", 9),
    ("Срок не наступил", 10),
    ("Не применимо", 10),
    ("Охват, всего", 10),
    ("Обучающиеся", 11),
    ("Родители", 10),
    ("Педагоги", 10),
    ("ОВЗ", 8),
    ("Примечание", 60),
)


def condensed_comments(comments: Sequence[str], more: int, *, limit: int = 160) -> str:
    from roadmap.russian import truncate

    clauses = [truncate(c, limit) for c in comments]
    text = "; ".join(c[:-1] if c.endswith(".") and not c.endswith("..") else c for c in clauses)
    if more:
        text += f"; и ещё {more}"
    return text


def _measures_sheet(wb: Workbook, report: MonitoringReport) -> None:
    sheet = _Sheet(wb.create_sheet("Мероприятия"))
    sheet.widths([w for _n, w in MEASURE_COLUMNS])
    sheet.freeze_below_header(1, first_columns=3)
    sheet.header([n for n, _w in MEASURE_COLUMNS])
    for section in report.sections:
        for m in section.measures:
            f = m.figures
            fill = None
            if m.executors_total:
                fill = (
                    "complete"
                    if m.executors_done == m.executors_total
                    else ("none" if m.executors_done == 0 and f.overdue else None)
                )
            note = condensed_comments(m.comments, m.more_comments)
            if not m.has_tasks:
                note = "Задачи не созданы: сроки или исполнители не определены." + (f" {note}" if note else "")
            sheet.append(
                [
                    sheet.cell(m.number),
                    sheet.cell(section.heading),
                    sheet.cell(m.title, wrap=True),
                    sheet.cell(m.deadline_text, wrap=True),
                    sheet.cell(m.responsible_text, wrap=True),
                    m.executors_total,
                    m.executors_done,
                    sheet.cell(m.executors_ratio, fmt=PERCENT_FORMAT, fill=fill)
                    if m.executors_ratio is not None
                    else None,
                    f.total,
                    f.on_time,
                    f.late,
                    f.overdue,
                    f.open,
                    f.not_applicable,
                    f.coverage.total,
                    f.coverage.students,
                    f.coverage.parents,
                    f.coverage.teachers,
                    f.coverage.disabled,
                    sheet.cell(note, wrap=True) if note else None,
                ]
            )
    sheet.finish_filter()


def _executors_sheet(wb: Workbook, report: MonitoringReport) -> None:
    sheet = _Sheet(wb.create_sheet("Исполнители"))
    columns = (
        ("Место", 7),
        ("Организация", 36),
        ("Задач", 8),
        ("Выполнено", 10),
        ("В срок", 8),
        ("С опозданием", 10),
        ("Срок истёк", 9),
        ("Срок не наступил", 10),
        ("Не применимо", 10),
        ("Исполнение", 11),
        ("Мероприятий", 11),
        ("Выполнено мероприятий", 12),
        ("Охват, всего", 10),
        ("Обучающиеся", 11),
        ("Родители", 10),
        ("Педагоги", 10),
        ("ОВЗ", 8),
    )
    sheet.widths([w for _n, w in columns])
    sheet.freeze_below_header(1, first_columns=2)
    sheet.header([n for n, _w in columns])
    ranked = report.executors_ranked
    rest = [e for e in report.executors if not e.figures.applicable]
    for place, e in enumerate(ranked + rest, start=1):
        f = e.figures
        sheet.append(
            [
                place if f.applicable else None,
                sheet.cell(e.name),
                f.total,
                f.done,
                f.on_time,
                f.late,
                f.overdue,
                f.open,
                f.not_applicable,
                _ratio_cell(sheet, f.done_ratio),
                e.measures_total,
                e.measures_done,
                f.coverage.total,
                f.coverage.students,
                f.coverage.parents,
                f.coverage.teachers,
                f.coverage.disabled,
            ]
        )
    sheet.finish_filter()


def _matrix_sheet(wb: Workbook, report: MonitoringReport) -> None:
    """Measures down, executors across; a cell shows the status of a single task or "x/y"."""
    sheet = _Sheet(wb.create_sheet("Матрица"))
    executors = report.executors
    sheet.widths([7, 50] + [14] * len(executors))
    sheet.freeze_below_header(1, first_columns=2)
    sheet.header(["№", "Мероприятие"] + [e.name for e in executors])
    for measure in report.measures:
        values: list[Any] = [sheet.cell(measure.number), sheet.cell(measure.title)]
        for e in executors:
            cell = report.cells.get((measure.id, e.id))
            if cell is None:
                values.append(None)
                continue
            status = cell.single_status
            if status is not None:
                values.append(sheet.cell(DISPLAY_LABELS[status], fill=status))
                continue
            f = cell.figures
            if not cell.is_applicable:
                values.append(sheet.cell(DISPLAY_LABELS["not_applicable"], fill="not_applicable"))
            else:
                fill = "complete" if cell.is_complete else ("none" if f.overdue else "partial")
                values.append(sheet.cell(f"{f.done}/{f.applicable}", fill=fill))
        sheet.append(values)
    sheet.finish_filter()


def roadmap_workbook(report: MonitoringReport, task_rows: Iterable[TaskRow], generated_on: date) -> bytes:
    """The coordinator's workbook: summary, measures, one sheet per section (task rows),
    executors ranked and the measures × executors matrix."""
    wb = Workbook(write_only=True)
    used = {"сводка", "мероприятия", "исполнители", "матрица"}
    _summary_sheet(wb, report, generated_on)
    _measures_sheet(wb, report)
    section_sheets: dict[int | None, _Sheet] = {}
    for section in report.sections:
        section_sheets[section.id] = _task_sheet(wb, _sheet_name(section.heading, used))
    for row in task_rows:
        sheet = section_sheets.get(row.section_id)
        if sheet is None:  # a section with tasks only outside this report's measures: not expected
            continue
        sheet.append(_task_values(sheet, row))
    for sheet in section_sheets.values():
        sheet.finish_filter()
    _executors_sheet(wb, report)
    _matrix_sheet(wb, report)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def executor_workbook(
    report: MonitoringReport, organization_name: str, task_rows: Iterable[TaskRow], generated_on: date
) -> bytes:
    """One organization's tasks, reports and coverage for the year."""
    wb = Workbook(write_only=True)
    roadmap, scope = report.roadmap, report.scope
    preface = [
        f"Отчёт об исполнении дорожной карты «{roadmap.title}»",
        f"Организация: {organization_name}",
        f"Отчётный период: {scope_caption(roadmap.year_type, scope.plan_year, scope.date_from, scope.date_to)}",
        f"Дата формирования: {format_date(generated_on)}",
    ]
    sheet = _task_sheet(wb, "Задачи", with_org=False, preface=preface)
    for row in task_rows:
        sheet.append(_task_values(sheet, row, with_org=False))
    sheet.finish_filter()

    summary = _Sheet(wb.create_sheet("Итоги"))
    summary.widths([44, 14, 14])
    summary.title(organization_name)
    summary.header(["Показатель", "Количество", "Доля"])
    for label, value, share in _figure_rows(report.summary):
        summary.append([summary.cell(label), value, _ratio_cell(summary, share)])
    for label, value in _coverage_rows(report.summary):
        summary.append([summary.cell(label), value])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
