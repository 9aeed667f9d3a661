"""The analysis parts of the Word files: years side by side per measure, the coordinator's
conclusions (placed by roadmap.reports.docx), and the monitoring order draft (its own document).

The year-end report's layout is roadmap.reports.docx's; this module only adds its parts to a
document it is handed, through `add_years_side_by_side` and `add_conclusion`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from roadmap.reports.compare import (
    Trend,
    YearsSideBySide,
    comparison_title,
    coverage_of,
    done_of,
    trend_chart,
    trend_sentences,
)
from roadmap.reports.docx import clean, set_fonts, text_paragraph
from roadmap.reports.order import OrderDraft
from roadmap.reports.typography import NBSP, format_date, format_int

logger = logging.getLogger(__name__)
CONCLUSION_LABEL = "Выводы"
CHART_WIDTH_CM = 14.0


def _para(document, text: str = "", *, bold=False, size: float | None = None, align=None, indent=False, after=0):
    """The report's paragraph (roadmap.reports.docx), with the order's first-line indent."""
    paragraph = text_paragraph(document, text, bold=bold, size=size, align=align, space_after=after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.25)
    return paragraph


# --------------------------------------------------------------------------- conclusions


def add_conclusion(document, text: str | None, *, label: str = CONCLUSION_LABEL) -> None:
    """The coordinator's text, a paragraph per line, under a bold «Выводы»."""
    if not text or not text.strip():
        return
    if label:
        heading = _para(document, label, bold=True, after=3)
        heading.paragraph_format.space_before = Pt(6)
        heading.paragraph_format.keep_with_next = True
    for line in text.splitlines():
        if line.strip():
            _para(document, line.strip(), indent=True, after=3).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


# --------------------------------------------------------------------------- years side by side


def _value(figures, getter) -> str:
    return "—" if figures is None else format_int(getter(figures))


def _trend_table(document, years, trends: Sequence[Trend], first: str) -> None:
    from roadmap.reports.docx import append_row, grid_table

    columns = [(first, 9.0)] + [(f"Охват, {y.label}", 2.6) for y in years] + [("Изменение охвата", 2.6)]
    columns += [(f"Выполнено задач, {years[-1].label}", 2.6), ("Изменение выполненных", 2.6)]
    widths = [w for _n, w in columns]
    table = grid_table(document, columns)

    for trend in trends:
        append_row(
            table,
            [
                trend.heading,
                *(_value(f, coverage_of) for f in trend.values),
                trend.change(coverage_of),
                _value(trend.values[-1], done_of),
                trend.change(done_of),
            ],
            widths,
            centered=range(1, len(columns)),
        )


def add_years_side_by_side(document, history: YearsSideBySide | None, heading, charts_from: int = 1) -> int:
    """Sections and measures over the years: a table per section, the change in words and a
    chart «в разрезе 3-х лет» for the measures with the most participants. Returns the next
    picture number."""
    if history is None or not history.is_comparison:
        return charts_from
    years = history.years
    heading(comparison_title(years))
    for sentence in trend_sentences(history.total, years):
        _para(document, sentence, indent=True)
    _trend_table(document, years, history.sections, "Раздел")
    for section in history.sections:
        measures = history.measures_of(section.section_id)
        if not measures:
            continue
        _para(document, section.heading, bold=True, after=3).paragraph_format.keep_with_next = True
        _trend_table(document, years, measures, "Мероприятие")
        for trend in measures:
            for sentence in trend_sentences(trend, years):
                _para(document, f"{trend.number}{NBSP}— {sentence}", size=11)
    charted = history.charted_measures()
    number = charts_from
    try:
        from roadmap.reports.charts import to_png

        for trend in [history.total, *charted]:
            chart = trend_chart(trend, years)
            if chart.is_empty:
                continue
            document.add_picture(io.BytesIO(to_png(chart, width_in=6.5, title=False)), width=Cm(CHART_WIDTH_CM))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            document.paragraphs[-1].paragraph_format.keep_with_next = True
            _para(document, f"Рисунок {number}. {chart.title}", size=11, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
            number += 1
    except ImportError:  # matplotlib missing: the tables say it all
        logger.warning("matplotlib is not installed: the comparison goes out without charts")
    return number


# --------------------------------------------------------------------------- the order


def _order_document() -> Document:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = document.styles["Normal"]
    set_fonts(normal)
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(0)
    return document


def _two_sides(document, left: str, right: str, *, widths=(Cm(9.0), Cm(7.5))) -> None:
    from roadmap.reports.docx import remove_borders, set_cell_text

    table = document.add_table(rows=1, cols=2)
    remove_borders(table)
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    cells = table.rows[0].cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = width
    set_cell_text(cells[0], left, size=14)
    set_cell_text(cells[1], right, size=14, align=WD_ALIGN_PARAGRAPH.RIGHT)


def order_document(draft: OrderDraft) -> bytes:
    """«ПРИКАЗ» on the results of monitoring: the authority, date and number, the title, the
    preamble and findings, «ПРИКАЗЫВАЮ:» with the numbered instructions, the signature."""
    document = _order_document()
    document.core_properties.title = clean(draft.title)[:250]
    if draft.authority:
        document.core_properties.author = clean(draft.authority)[:250]
        _para(document, draft.authority.upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=18)
    _para(document, "ПРИКАЗ", bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    number = draft.number.strip() or "______"
    _two_sides(document, format_date(draft.order_date) or "«____» ____________ 20___ г.", f"№{NBSP}{number}")
    if draft.city:
        _para(document, draft.city, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document)
    _para(document, draft.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    for text in [draft.preamble, *draft.results]:
        if text.strip():
            _para(document, text.strip(), indent=True).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _para(document)
    lead = _para(
        document, "В целях совершенствования системы работы по профессиональной ориентации обучающихся ", indent=True
    )
    lead.add_run("ПРИКАЗЫВАЮ:").bold = True
    for number, instruction in enumerate((i for i in draft.instructions if i.items), start=1):
        items = [item.strip().rstrip(";.") for item in instruction.items if item.strip()]
        if instruction.body.strip():
            _para(document, f"{number}. {instruction.body.strip().rstrip(':')}:", indent=True)
            for index, item in enumerate(items, start=1):
                end = "." if index == len(items) else ";"
                _para(document, f"{number}.{index}. {item}{end}", indent=True).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        else:
            _para(document, f"{number}. {' '.join(i + '.' for i in items)}", indent=True)
    _para(document)
    _para(document)
    _two_sides(document, draft.signer_position or "Руководитель", draft.signer_name or "________________")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
