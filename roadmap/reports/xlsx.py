"""XLSX exports with openpyxl in write-only mode (rows streamed, memory flat for big roadmaps).

Numbers are numbers, dates are dates shown as DD.MM.YYYY, percentages are fractions shown with
a % format, so that a methodologist can sum, filter and chart them in Excel. Text typed by
people is written as text even when it starts with "=" (no formula injection) and cleaned of
the control characters that Excel refuses.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

from roadmap.reports.charts import Chart
from roadmap.reports.compare import (
    Trend,
    YearsSideBySide,
    comparison_title,
    coverage_of,
    done_of,
    trend_chart,
    trend_sentences,
)
from roadmap.reports.layout import (
    COMPARISON_ROWS,
    CONTINGENT_LABEL,
    COVERAGE_ROWS,
    COVERAGE_SHARE_LABEL,
    FIGURE_COLUMNS,
    SUMMARY_ROWS,
    TARGET_COLUMNS,
    TASK_COLUMNS,
    FigureRow,
    contingent_note,
    coverage_label,
    organizations_below,
    target_values,
    targets_sentence,
    task_values,
)
from roadmap.reports.queries import COVERAGE_FIELDS, Cell, MonitoringReport, TaskRow
from roadmap.reports.typography import format_date, plan_year_label, typographed
from roadmap.russian import truncate
from roadmap.tasks.state import Timeliness, Workflow, state_label

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
TITLE_SIZE = 14
_TITLE = Font(bold=True, size=TITLE_SIZE)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TITLE_ALIGN = Alignment(wrap_text=True, vertical="top", horizontal="left")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_THIN = Side(style="thin", color="ADB5BD")
_HEADER_BORDER = Border(bottom=_THIN)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Row heights for wrapped text: Excel does not grow a row written by a program, so the writer
# estimates the lines a cell wraps into. A column of width w holds about w digits of the
# default 11 pt font; Cyrillic letters are wider than digits, hence the margin.
DEFAULT_WIDTH = 8.43
CHARS_PER_WIDTH = 0.92
LINE_POINTS = 15.0  # one line of 11 pt text
MAX_ROW_POINTS = 409.0  # Excel's limit
PAPER_A4 = 9


# --------------------------------------------------------------------------- cell helpers


def clean_text(value: str) -> str:
    """A data cell's text as entered (less what Excel refuses): names stay matchable with
    VLOOKUP and filters against other lists, and equal to the CSV's and the page's."""
    return _ILLEGAL.sub("", value)[:MAX_CELL]


def wrapped_lines(text: str, width: float, *, size: float = 11) -> int:
    """How many lines `text` takes in a wrapping cell `width` wide (Excel's units), word by word;
    a word longer than the line is broken as Excel breaks it."""
    capacity = max(1, int(width * CHARS_PER_WIDTH * 11 / size))
    lines = 0
    for paragraph in str(text).split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            length = len(word)
            if used and used + 1 + length > capacity:
                lines += 1
                used = 0
            if length > capacity:
                lines += (used + length - 1) // capacity
                used = (used + length) % capacity or capacity
            else:
                used += (1 if used else 0) + length
    return lines


class _Styled:
    """A value with a style of the sheet's few (`SheetWriter.cell`): the cell is written straight
    into the sheet's XML, its style id looked up once per style and sheet."""

    __slots__ = ("value", "style")

    def __init__(self, value: Any, style: tuple) -> None:
        self.value = value
        self.style = style


_LETTERS = ["", *(get_column_letter(column) for column in range(1, 703))]  # A … ZZ
_Key = tuple  # (number format, fill, bold, wrap, "title" | "header" | None)
_DATE_KEY: _Key = (DATE_FORMAT, None, False, False, None)


def _xml_text(text: str) -> str:
    # "\r" kept as a reference: a parser would turn a literal one into "\n".
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _number(value: Any) -> str:
    if type(value) is int:
        return str(value)
    value = float(value)
    return "" if math.isnan(value) or math.isinf(value) else f"{value:.16g}"


ROWS_IN_MEMORY = 2000  # a sheet's rows beyond these wait in a temporary file: memory stays flat


class _RowsWriter(WorksheetWriter):
    """openpyxl's worksheet writer with the rows of a `SheetWriter` written as the text they are:
    a cell object per value and its serialisation through openpyxl cost most of an export's
    time (issue 21). openpyxl still writes everything around the rows (properties, views,
    columns, filter, merges, print setup, drawings), when the workbook is saved, so freezing
    and print setup may be set at any time."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        super().__init__(ws)
        self.rows: list[str] = []
        self.spilled: IO[bytes] | None = None

    def spill(self) -> None:
        if self.spilled is None:
            self.spilled = tempfile.TemporaryFile()  # noqa: SIM115 - closed once copied (write_rows)
        self.spilled.write("".join(self.rows).encode())
        self.rows.clear()

    def get_stream(self):
        # openpyxl's stream (an lxml xmlfile) that writes text as it is: the rows' XML.
        with open(self.out, "wb") as out:
            out.write(f'<worksheet xmlns="{SHEET_MAIN_NS}">'.encode())
            try:
                while True:
                    element = yield
                    if isinstance(element, str):
                        out.write(element.encode())
                    elif hasattr(element, "read"):
                        element.seek(0)
                        shutil.copyfileobj(element, out)
                    elif element is not None and element is not True:
                        out.write(tostring(element))
            except GeneratorExit:
                pass
            out.write(b"</worksheet>")

    def write_rows(self) -> None:
        self.write_top()
        self.xf.send("<sheetData>")
        if self.spilled is not None:
            self.xf.send(self.spilled)
            self.spilled.close()
        self.xf.send(f"{''.join(self.rows)}</sheetData>")


class SheetWriter:
    """A write-only sheet with typed cells, a header row, widths, freeze and autofilter."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self.row = 0
        self.header_row: int | None = None
        self.columns = 0
        self.column_widths: list[float] = []
        self.spans: dict[int, float] = {}  # a merged row: its width
        self.style_ids: dict[_Key, int] = {}
        self.lines: dict[tuple[str, float, float], int] = {}
        self.serials: dict[date, str] = {}  # a date's number in Excel's calendar
        self.epoch = ws.parent.epoch
        self.writer = ws._writer = _RowsWriter(ws)
        self.rows = self.writer.rows

    def widths(self, widths: Sequence[float]) -> None:
        self.column_widths = list(widths)
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def width_of(self, column: int) -> float:
        return self.column_widths[column - 1] if column <= len(self.column_widths) else DEFAULT_WIDTH

    def print_ready(self, *, pages_wide: int = 1, title_columns: int = 0) -> None:
        """Landscape A4, `pages_wide` pages across and as many down as it takes, centred, the
        page number at the foot."""
        ws = self.ws
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = PAPER_A4
        ws.page_setup.fitToWidth = pages_wide
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "Страница &P из &N"
        if title_columns:
            ws.print_title_cols = f"A:{get_column_letter(title_columns)}"

    def repeat_rows(self, first: int, last: int | None = None) -> None:
        """These rows head every printed page."""
        self.ws.print_title_rows = f"{first}:{last or first}"

    def _height(self, values: Sequence[Any]) -> float | None:
        """The row's height in points when a wrapping cell needs more than one line."""
        lines_needed, points = 1, LINE_POINTS
        for column, value in enumerate(values, start=1):
            if type(value) is not _Styled or value.value is None:
                continue
            _fmt, _fill, _bold, wrap, special = value.style
            if not (wrap or special):  # titles and headers wrap
                continue
            size = TITLE_SIZE if special == "title" else 11
            width = self.spans.get(self.row + 1, self.width_of(column))
            key = (value.value, width, size)
            lines = self.lines.get(key)
            if lines is None:  # a measure's title and deadline repeat on each of its tasks' rows
                lines = self.lines[key] = wrapped_lines(value.value, width, size=size)
            if lines * LINE_POINTS * size / 11 > lines_needed * points:
                lines_needed, points = lines, LINE_POINTS * size / 11
        if lines_needed == 1 and points == LINE_POINTS:
            return None
        return min(MAX_ROW_POINTS, math.ceil(lines_needed * points + 3))

    def _style_id(self, key: _Key) -> int:
        """The workbook's id of a style, registered through openpyxl once per sheet."""
        known = self.style_ids.get(key)
        if known is not None:
            return known
        fmt, fill, bold, wrap, special = key
        cell = WriteOnlyCell(self.ws)
        if fmt:
            cell.number_format = fmt
        if fill:
            cell.fill = _FILL_CACHE[fill]
        if bold:
            cell.font = _BOLD
        if wrap:
            cell.alignment = _WRAP
        if special == "title":
            cell.font = _TITLE
            cell.alignment = _TITLE_ALIGN
        elif special == "header":
            cell.fill = _HEADER_FILL
            cell.alignment = _HEADER_ALIGN
            cell.border = _HEADER_BORDER
        known = self.style_ids[key] = cell.style_id if cell.has_style else 0
        return known

    def cell(self, value: Any, *, fmt: str | None = None, fill: str | None = None, bold=False, wrap=False):
        """A value to append: styled when asked (or a date), else the value itself. Text is
        always written as text, never as a formula or an error code (`append`)."""
        if isinstance(value, date) and not fmt:
            fmt = DATE_FORMAT
        if not (fmt or fill or bold or wrap):
            return value
        return _Styled(value, (fmt, fill if fill in FILLS else None, bool(bold), bool(wrap), None))

    def append(self, values: Iterable[Any]) -> None:
        values = list(values)
        height = self._height(values)
        self.row += 1
        number = str(self.row)
        if not values:
            self.rows.append(f'<row r="{number}"/>')
            return
        parts = [f'<row r="{number}" ht="{height:.16g}" customHeight="1">' if height else f'<row r="{number}">']
        add = parts.append
        for column, value in enumerate(values, start=1):
            kind = type(value)
            if kind is _Styled:
                style = self.style_ids.get(value.style)
                if style is None:
                    style = self._style_id(value.style)
                s = f' s="{style}"' if style else ""
                value = value.value
                kind = type(value)
            elif value is None:
                continue
            elif kind is str or kind is int or kind is float:
                s = ""
            elif isinstance(value, date):
                s = f' s="{self._style_id(_DATE_KEY)}"'
            else:
                s = ""
            ref = (_LETTERS[column] if column < len(_LETTERS) else get_column_letter(column)) + number
            if kind is str:
                text = value if value.isprintable() else clean_text(value)
                text = text if len(text) <= MAX_CELL else text[:MAX_CELL]
                if not text:
                    add(f'<c r="{ref}"{s} t="inlineStr"/>')
                    continue
                space = ' xml:space="preserve"' if text != text.strip() else ""
                add(f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>')
            elif kind is int:
                add(f'<c r="{ref}"{s} t="n"><v>{value}</v></c>')
            elif value is None:
                if s:
                    add(f'<c r="{ref}"{s}/>')
            elif isinstance(value, str):
                add(f'<c r="{ref}"{s} t="inlineStr"><is><t>{_xml_text(clean_text(str(value)))}</t></is></c>')
            elif isinstance(value, bool):
                add(f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, date):
                serial = self.serials.get(value)
                if serial is None:
                    serial = self.serials[value] = _number(to_excel(value, self.epoch))
                add(f'<c r="{ref}"{s} t="n"><v>{serial}</v></c>')
            else:
                add(f'<c r="{ref}"{s} t="n"><v>{_number(value)}</v></c>')
        add("</row>")
        self.rows.append("".join(parts))
        if len(self.rows) >= ROWS_IN_MEMORY:
            self.writer.spill()

    def merged(self, cell, span: int) -> None:
        """A row of one cell merged over the first `span` columns (a title, a caption): prose,
        so in the documents' typography (roadmap.reports.typography)."""
        if type(cell) is _Styled:
            if isinstance(cell.value, str):
                cell.value = typographed(cell.value)
        elif isinstance(cell, str):
            cell = typographed(cell)
        row = self.row + 1
        if span > 1:
            self.spans[row] = sum(self.width_of(c) for c in range(1, span + 1))
            self.ws.merged_cells.add(f"A{row}:{get_column_letter(span)}{row}")
        self.append([cell])

    def title(self, text: str, span: int | None = None) -> None:
        """The sheet's title, merged over the table's width and wrapped."""
        self.merged(
            _Styled(clean_text(text), (None, None, False, False, "title")), span or max(1, len(self.column_widths))
        )

    def finish_print_area(self) -> None:
        columns = max(self.columns, len(self.column_widths), 1)
        self.ws.print_area = f"A1:{get_column_letter(columns)}{max(self.row, 1)}"

    def header(self, names: Sequence[str]) -> None:
        self.append([_Styled(name, (None, None, True, False, "header")) for name in names])
        self.header_row = self.row
        self.columns = max(self.columns, len(names))

    def freeze_below_header(self, header_row: int, first_columns: int = 0) -> None:
        self.ws.freeze_panes = f"{get_column_letter(first_columns + 1)}{header_row + 1}"

    def finish_filter(self) -> None:
        if self.header_row is not None and self.columns:
            last = max(self.row, self.header_row)
            self.ws.auto_filter.ref = f"A{self.header_row}:{get_column_letter(self.columns)}{last}"
        self.finish_print_area()


def ratio_cell(sheet: SheetWriter, value: float | None):
    return sheet.cell(value, fmt=PERCENT_FORMAT) if value is not None else None


def unique_sheet_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", text).strip().strip("'") or "Лист"
    name = truncate(name, 31, ellipsis="")
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

TASK_WIDTHS = {
    "№": 7,
    "Мероприятие": 48,
    "Срок по плану": 22,
    "Исполнитель": 26,
    "Учебный/календарный год": 11,
    "Период": 18,
    "Комментарий": 50,
    "Ссылки": 30,
    "Статус": 16,
    "Соблюдение срока": 16,
}
_TASK_WRAPPED = {"Мероприятие", "Срок по плану", "Комментарий", "Ссылки"}
_TASK_FILLED = {"Статус": "workflow", "Соблюдение срока": "outcome"}


def _task_columns(with_org: bool) -> list[str]:
    return [name for name in TASK_COLUMNS if with_org or name != "Исполнитель"]


# Per task column: (shown with the executor only, wrapped, the TaskRow attribute naming its fill).
_TASK_PLAN = tuple((name == "Исполнитель", name in _TASK_WRAPPED, _TASK_FILLED.get(name)) for name in TASK_COLUMNS)
_WRAP_KEY: tuple = (None, None, False, True, None)


def _task_values(sheet: SheetWriter, row: TaskRow, *, with_org: bool = True) -> list[Any]:
    """A task row's cells (what `sheet.cell` would make of each, without a call per value:
    a region's export writes a million of them)."""
    values: list[Any] = []
    add = values.append
    for (executor, wrap, filled), value in zip(_TASK_PLAN, task_values(row), strict=True):
        if executor and not with_org:
            continue
        if value is None or value == "" or isinstance(value, int):
            add(value if value != "" else None)
        elif filled:
            key = getattr(row, filled)
            add(_Styled(value, (None, key if key in FILLS else None, False, False, None)))
        elif isinstance(value, date):
            add(_Styled(value, (DATE_FORMAT, None, False, wrap, None)))
        elif wrap:
            add(_Styled(value, _WRAP_KEY))
        else:
            add(value)
    return values


def _task_sheet(wb: Workbook, name: str, *, with_org: bool = True, preface: Sequence[str] = ()) -> SheetWriter:
    sheet = SheetWriter(wb.create_sheet(name))
    columns = _task_columns(with_org)
    sheet.widths([TASK_WIDTHS.get(name, 11) for name in columns])
    header_row = len(preface) + (1 if preface else 0) + 1
    sheet.freeze_below_header(header_row, first_columns=2)
    sheet.print_ready()
    for index, line in enumerate(preface):
        if index == 0:
            sheet.title(line)
        else:
            sheet.merged(sheet.cell(line, wrap=True), len(columns))
    if preface:
        sheet.append([])
    sheet.header(columns)
    sheet.repeat_rows(header_row)
    return sheet


def _label(row: FigureRow) -> str:
    return "   " * row.level + row.label


def _append_figures(sheet: SheetWriter, figures) -> None:
    """The summary rows (count and share) and the coverage rows of `figures`."""
    for row in SUMMARY_ROWS:
        share = row.share(figures) if row.share else None
        sheet.append([sheet.cell(_label(row)), row.value(figures), ratio_cell(sheet, share)])
    for row in COVERAGE_ROWS:
        sheet.append([sheet.cell(_label(row)), row.value(figures)])


def _figure_values(sheet: SheetWriter, figures) -> list[Any]:
    return [ratio_cell(sheet, c.value(figures)) if c.is_ratio else c.value(figures) for c in FIGURE_COLUMNS]


SUMMARY_WIDTHS = (44, *(12 for _ in FIGURE_COLUMNS))


def _summary_sheet(wb: Workbook, report: MonitoringReport, generated_on: date, charts: Sequence[Chart] = ()) -> None:
    roadmap, scope = report.roadmap, report.scope
    sheet = SheetWriter(wb.create_sheet("Сводка"))
    sheet.widths(SUMMARY_WIDTHS)
    sheet.print_ready()
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
    _append_figures(sheet, report.summary)
    _comparison(sheet, report)

    sheet.append([])
    sheet.append([sheet.cell("Исполнение по разделам", bold=True)])
    sheet.header(["Раздел", *(c.label for c in FIGURE_COLUMNS)])
    rows = [(sheet.cell(section.heading, wrap=True), section.figures) for section in report.sections]
    rows.append((sheet.cell("Итого", bold=True), report.summary))
    for heading, f in rows:
        sheet.append([heading, *_figure_values(sheet, f)])
    _chart_block(sheet, [c for c in charts if not c.is_empty])
    sheet.finish_print_area()


CHART_WIDTH_CM = 24.0
ROW_CM = LINE_POINTS * 2.54 / 72


def _chart_height_cm(chart: Chart) -> float:
    if not chart.horizontal:
        return 9.0
    return min(18.0, 4.0 + 0.75 * len(chart.categories))


def _chart_block(sheet: SheetWriter, charts: Sequence[Chart]) -> None:
    """The page's charts as native Excel charts, each above the table of the figures it draws
    (the same numbers as on the page: `roadmap.reports.charts`)."""
    if not charts:
        return
    sheet.append([])
    sheet.append([sheet.cell("Диаграммы", bold=True)])
    for number, chart in enumerate(charts, start=1):
        sheet.append([])
        sheet.merged(sheet.cell(f"Диаграмма {number}. {chart.title}", bold=True, wrap=True), len(sheet.column_widths))
        anchor = sheet.row + 1
        for _ in range(math.ceil(_chart_height_cm(chart) / ROW_CM) + 1):
            sheet.append([])
        unit = ", %" if chart.percent else ""
        header_row = sheet.row + 1
        sheet.header(["Категория", *(f"{s.name}{unit}" for s in chart.series)])
        for index, category in enumerate(chart.categories):
            sheet.append([sheet.cell(category), *(round(s.values[index], 1) for s in chart.series)])
        sheet.ws.add_chart(_native_chart(sheet, chart, header_row), f"A{anchor}")


def _native_chart(sheet: SheetWriter, chart: Chart, header_row: int) -> BarChart:
    native = BarChart()
    native.type = "bar" if chart.horizontal else "col"
    native.title = chart.title
    native.width, native.height = CHART_WIDTH_CM, _chart_height_cm(chart)
    last = header_row + len(chart.categories)
    data = Reference(sheet.ws, min_col=2, max_col=1 + len(chart.series), min_row=header_row, max_row=last)
    native.add_data(data, titles_from_data=True)
    native.set_categories(Reference(sheet.ws, min_col=1, min_row=header_row + 1, max_row=last))
    if len(chart.series) > 1:
        native.grouping = "stacked"
        native.overlap = 100
        native.legend.position = "b"
    else:
        native.legend = None
        native.dataLabels = DataLabelList()
        native.dataLabels.showVal = True
    for series, source in zip(native.series, chart.series, strict=True):
        series.graphicalProperties.solidFill = source.color.lstrip("#")
        series.graphicalProperties.line.solidFill = source.color.lstrip("#")
        for index, color in enumerate(chart.point_colors):
            point = DataPoint(idx=index)
            point.graphicalProperties.solidFill = color.lstrip("#")
            point.graphicalProperties.line.solidFill = color.lstrip("#")
            series.dPt.append(point)
    if chart.horizontal:
        native.x_axis.scaling.orientation = "maxMin"  # the first category on top, as on the page
    if chart.percent:
        native.y_axis.scaling.min = 0
        native.y_axis.scaling.max = 100
    native.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told otherwise
    native.y_axis.delete = False
    return native


def _comparison(sheet: SheetWriter, report: MonitoringReport) -> None:
    """The years side by side with the change to the previous one, as in the DOCX."""
    years = report.comparison_years
    if len(years) < 2:
        return
    sheet.append([])
    sheet.append([sheet.cell("Сравнение с предыдущими периодами", bold=True)])
    if years[-2].roadmap_id != report.roadmap.id:
        sheet.append([sheet.cell(f"Предыдущий период — по дорожной карте «{years[-2].roadmap_title}»")])
    sheet.header(["Показатель", *(y.label for y in years), "Изменение к предыдущему году"])
    for row in COMPARISON_ROWS:
        values = [row.value(y.figures) for y in years]
        old, new = values[-2], values[-1]
        if row.is_ratio:
            delta = None if old is None or new is None else new - old
            change = sheet.cell(delta, fmt="+0.0%;-0.0%;0.0%") if delta is not None else None
            shown = [ratio_cell(sheet, v) for v in values]
        else:
            change, shown = sheet.cell(new - old, fmt="+0;-0;0"), values
        sheet.append([sheet.cell(_label(row)), *shown, change])


MEASURE_COLUMNS = (
    ("№", 7),
    ("Раздел", 24),
    ("Мероприятие", 56),
    ("Срок", 22),
    ("Ответственный", 28),
    ("Исполнителей", 12),
    ("Выполнили", 11),
    ("Выполнили, %", 11),
    *((c.label, 10) for c in FIGURE_COLUMNS if c.label != "Охват, всего"),
    *((coverage_label(name), 10) for name in COVERAGE_FIELDS),
    (CONTINGENT_LABEL, 12),
    (COVERAGE_SHARE_LABEL, 12),
    ("Примечание", 60),
)
_MEASURE_FIGURES = tuple(c for c in FIGURE_COLUMNS if c.label != "Охват, всего")


def condensed_comments(comments: Sequence[str], more: int, *, limit: int = 160) -> str:

    clauses = [truncate(c, limit) for c in comments]
    text = "; ".join(c[:-1] if c.endswith(".") and not c.endswith("..") else c for c in clauses)
    if more:
        text += f"; и ещё {more}"
    return text


def _measures_sheet(wb: Workbook, report: MonitoringReport) -> None:
    sheet = SheetWriter(wb.create_sheet("Мероприятия"))
    sheet.widths([w for _n, w in MEASURE_COLUMNS])
    sheet.freeze_below_header(1, first_columns=3)
    sheet.print_ready()
    sheet.header([n for n, _w in MEASURE_COLUMNS])
    sheet.repeat_rows(1)
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
                why = m.no_tasks_reason or "сроки или исполнители не определены"
                note = f"Задачи не созданы: {why}." + (f" {note}" if note else "")
            levels = contingent_note(m)  # the share beside it is of a whole level somewhere
            if levels:
                note = " ".join(filter(None, (f"{levels[0].upper()}{levels[1:]}.", note)))
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
                    *(ratio_cell(sheet, c.value(f)) if c.is_ratio else c.value(f) for c in _MEASURE_FIGURES),
                    *(getattr(f.coverage, name) for name in COVERAGE_FIELDS),
                    m.contingent,
                    ratio_cell(sheet, m.coverage_share if f.reported else None),
                    sheet.cell(note, wrap=True) if note else None,
                ]
            )
    sheet.finish_filter()


def _executors_sheet(wb: Workbook, report: MonitoringReport) -> None:
    sheet = SheetWriter(wb.create_sheet("Исполнители"))
    columns = (
        ("Место", 7),
        ("Организация", 36),
        *((c.label, 10) for c in _MEASURE_FIGURES),
        ("Мероприятий", 11),
        ("Выполнено мероприятий", 12),
        *((coverage_label(name), 10) for name in COVERAGE_FIELDS),
    )
    sheet.widths([w for _n, w in columns])
    sheet.freeze_below_header(1, first_columns=2)
    sheet.print_ready()
    sheet.header([n for n, _w in columns])
    sheet.repeat_rows(1)
    ranked = report.executors_ranked
    rest = [e for e in report.executors if not e.figures.applicable]
    for place, e in enumerate(ranked + rest, start=1):
        f = e.figures
        sheet.append(
            [
                place if f.applicable else None,
                sheet.cell(e.name),
                *(ratio_cell(sheet, c.value(f)) if c.is_ratio else c.value(f) for c in _MEASURE_FIGURES),
                e.measures_total,
                e.measures_done,
                *(getattr(f.coverage, name) for name in COVERAGE_FIELDS),
            ]
        )
    sheet.finish_filter()


def _single_task_cell(sheet: SheetWriter, cell: Cell) -> _Styled:
    """Both axes of a cell's one task: «возвращено на доработку, просрочено»."""
    status = cell.single_status
    overdue = cell.figures.overdue > 0
    label = state_label(Workflow(status), Timeliness.OVERDUE if overdue else None)
    return sheet.cell(label, fill="overdue" if overdue else status)


def _matrix_sheet(wb: Workbook, report: MonitoringReport) -> None:
    """Measures down, executors across; a cell shows the status of a single task or "x/y"."""
    sheet = SheetWriter(wb.create_sheet("Матрица"))
    executors = report.executors
    sheet.widths([7, 50] + [14] * len(executors))
    sheet.freeze_below_header(1, first_columns=2)
    # A column per executor: a region's matrix is many pages wide, the measures on each.
    sheet.print_ready(pages_wide=max(1, math.ceil(len(executors) / MATRIX_COLUMNS_PER_PAGE)), title_columns=2)
    sheet.header(["№", "Мероприятие"] + [e.name for e in executors])
    sheet.repeat_rows(1)
    for measure in report.measures:
        values: list[Any] = [sheet.cell(measure.number), sheet.cell(measure.title)]
        for e in executors:
            cell = report.cells.get((measure.id, e.id))
            if cell is None:
                values.append(None)
                continue
            if cell.single_status is not None:
                values.append(_single_task_cell(sheet, cell))
                continue
            f = cell.figures
            if not cell.is_applicable:
                values.append(sheet.cell(Workflow.NOT_APPLICABLE.label, fill=cell.completion))
            else:
                values.append(sheet.cell(f"{f.done}/{f.applicable}", fill=cell.completion))
        sheet.append(values)
    sheet.finish_filter()


TARGET_WIDTHS = (7, 56, 40, 22, 14, 50)


def _targets_sheet(wb: Workbook, report: MonitoringReport) -> None:
    """«Целевые показатели»: the sentence of the order and one row per target."""
    if not report.targets:
        return
    sheet = SheetWriter(wb.create_sheet("Целевые показатели"))
    sheet.widths(TARGET_WIDTHS)
    sheet.title(targets_sentence(report.targets))
    sheet.append([])
    sheet.header([*TARGET_COLUMNS, "Ниже плана"])
    for result in report.targets:
        values = target_values(result)
        below = organizations_below(result)
        sheet.append([*(sheet.cell(v, wrap=i in (1, 2)) for i, v in enumerate(values)), sheet.cell(below, wrap=True)])


YEARS_SHEET = "Сравнение по годам"
CHANGE_FORMAT = '+0.0%;"−"0.0%;0.0%'  # the page's «+25,0 %», «−27,3 %»


def _years_sheet(wb: Workbook, history: YearsSideBySide | None) -> None:
    """«Сравнение по годам»: every section and measure over up to three plan years with the
    change against the year before, the page's and the DOCX's table (roadmap.reports.compare),
    as numbers; then native charts of the total and of the measures the DOCX draws."""
    if history is None or not history.is_comparison:
        return
    years = history.years
    sheet = SheetWriter(wb.create_sheet(YEARS_SHEET))
    sheet.widths([7, 60, *(12 for _ in years), 12, 12, 12])
    sheet.print_ready()
    sheet.title(comparison_title(years))
    for sentence in trend_sentences(history.total, years):
        sheet.merged(sheet.cell(sentence, wrap=True), len(sheet.column_widths))
    sheet.append([])
    sheet.header(
        [
            "№",
            "Раздел, мероприятие",
            *(f"Охват, {y.label}" for y in years),
            "Изменение охвата",
            f"Выполнено, {years[-1].label}",
            "Изменение выполненных",
        ]
    )
    sheet.repeat_rows(sheet.row)

    def line(trend: Trend, number: str, title: str, *, bold: bool = False) -> None:
        last = trend.values[-1]
        sheet.append(
            [
                sheet.cell(number, bold=bold),
                sheet.cell(title, bold=bold, wrap=True),
                *(None if f is None else coverage_of(f) for f in trend.values),
                _change_cell(sheet, trend.ratio_of_change(coverage_of)),
                None if last is None else done_of(last),
                _change_cell(sheet, trend.ratio_of_change(done_of)),
            ]
        )

    for section in history.sections:
        line(section, section.number.rstrip("."), section.title, bold=True)
        for measure in history.measures_of(section.section_id):
            line(measure, measure.number, measure.title)
    line(history.total, "", "Итого", bold=True)
    sheet.finish_filter()
    trends = [history.total, *history.charted_measures()]
    _chart_block(sheet, [chart for chart in (trend_chart(t, years) for t in trends) if not chart.is_empty])
    sheet.finish_print_area()


def _change_cell(sheet: SheetWriter, ratio: float | None):
    return sheet.cell(ratio, fmt=CHANGE_FORMAT) if ratio is not None else None


MATRIX_COLUMNS_PER_PAGE = 12


def roadmap_workbook(
    report: MonitoringReport,
    task_rows: Iterable[TaskRow],
    generated_on: date,
    charts: Sequence[Chart] = (),
    history: YearsSideBySide | None = None,
) -> bytes:
    """The coordinator's workbook: summary (with the page's charts), measures, one sheet per
    section (task rows), executors ranked, the measures × executors matrix, the targets and
    the years side by side (`history`: roadmap.reports.compare.years_side_by_side)."""
    wb = Workbook(write_only=True)
    used = {"сводка", "мероприятия", "исполнители", "матрица"}
    _summary_sheet(wb, report, generated_on, charts)
    _measures_sheet(wb, report)
    section_sheets: dict[int | None, SheetWriter] = {}
    for section in report.sections:
        section_sheets[section.id] = _task_sheet(wb, unique_sheet_name(section.heading, used))
    for row in task_rows:
        sheet = section_sheets.get(row.section_id)
        if sheet is None:  # a section with tasks only outside this report's measures: not expected
            continue
        sheet.append(_task_values(sheet, row))
    for sheet in section_sheets.values():
        sheet.finish_filter()
    _executors_sheet(wb, report)
    _matrix_sheet(wb, report)
    _targets_sheet(wb, report)
    _years_sheet(wb, history)
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

    summary = SheetWriter(wb.create_sheet("Итоги"))
    summary.widths([44, 14, 14])
    summary.print_ready()
    summary.title(organization_name)
    summary.header(["Показатель", "Количество", "Доля"])
    _append_figures(summary, report.summary)
    summary.finish_print_area()
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
