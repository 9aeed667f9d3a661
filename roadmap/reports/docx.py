"""Word reports in the official style (python-docx): title, period, date, a table per section,
totals, a comparison with the previous year, charts as pictures and a signature block.

Russian typography throughout: «ёлочки», "№ 5", "27 %" with a non-breaking space, dates
15.09.2023, thousands separated by non-breaking spaces.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from roadmap.reports.charts import Chart, to_png
from roadmap.reports.layout import (
    COMPARISON_ROWS,
    FIGURE_COLUMNS,
    TARGET_COLUMNS,
    contingent_note,
    coverage_share_text,
    organizations_below,
    target_values,
    targets_sentence,
)
from roadmap.reports.queries import Figures, MeasureRow, MonitoringReport, SectionRow, TaskRow
from roadmap.reports.typography import (
    NBSP,
    format_date,
    format_delta,
    format_int,
    format_percent,
    plan_year_label,
    typographed,
)
from roadmap.russian import truncate
from roadmap.tasks import coverage
from roadmap.tasks.state import COVERAGE_NOTE, REPORTED_LABEL, Workflow, state_label, timeliness_named

logger = logging.getLogger(__name__)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Widths add up to 25.8 cm of the 26.2 cm between the margins of a landscape A4 page. The
# non-breaking spaces keep "(x из y, %)" on one line under "Исполнение".
SECTION_COLUMNS = (
    ("№", 1.2),
    ("Мероприятие", 7.0),
    ("Срок", 3.0),
    ("Ответственный", 3.4),
    (f"Исполнение (x{NBSP}из{NBSP}y,{NBSP}%)", 3.4),
    ("Охват", 2.8),
    ("Примечание", 5.0),
)
CHART_WIDTH_CM = 21.0
COMMENTS_SHOWN = 3
COMMENT_LENGTH = 160


# --------------------------------------------------------------------------- document helpers


TOC_LEVELS = 2
TOC_PLACEHOLDER = "Содержание обновится при открытии документа (в Word: правой кнопкой — «Обновить поле»)."


def clean(text: str) -> str:
    """Text as it goes into the document: Russian typography applied, XML-illegal characters out."""
    return _XML_ILLEGAL.sub("", typographed(text))


def set_fonts(style, name: str = "Times New Roman") -> None:
    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def _heading_styles(document) -> None:
    """Word's own "Heading 1/2" (the navigation pane and the contents read them), dressed as the
    report's headings: Times New Roman, black, bold; "toc 1/2" for the contents' lines."""
    for level, size in ((1, 14), (2, 13)):
        style = document.styles[f"Heading {level}"]
        set_fonts(style)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    for level in range(1, TOC_LEVELS + 1):
        style = document.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        style.paragraph_format.space_after = Pt(2)


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (PAGE, TOC …) with `placeholder` shown until Word updates it."""

    def char(kind: str):
        run = OxmlElement("w:r")
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")
        run.append(element)
        return run

    code = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    code.append(text)
    paragraph._p.append(char("begin"))
    paragraph._p.append(code)
    paragraph._p.append(char("separate"))
    shown = OxmlElement("w:r")
    shown_text = OxmlElement("w:t")
    shown_text.text = placeholder or "1"
    shown.append(shown_text)
    paragraph._p.append(shown)
    paragraph._p.append(char("end"))


def _page_numbers(document) -> None:
    """The page number at the foot of every page, centred (a PAGE field)."""
    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(paragraph, "PAGE")


_AFTER_UPDATE_FIELDS = {
    qn(f"w:{name}")
    for name in (
        "hdrShapeDefaults",
        "footnotePr",
        "endnotePr",
        "compat",
        "docVars",
        "rsids",
        "attachedSchema",
        "themeFontLang",
        "clrSchemeMapping",
        "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures",
        "forceUpgrade",
        "captions",
        "readModeInkLockDown",
        "smartTagType",
        "shapeDefaults",
        "doNotEmbedSmartTags",
        "decimalSymbol",
        "listSeparator",
    )
} | {"{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr"}


def _update_fields_on_open(document) -> None:
    """Word fills the contents (and page numbers) in when the file is opened."""
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # Word reads settings in the schema's order: updateFields comes before these.
    later = [child for child in settings if child.tag in _AFTER_UPDATE_FIELDS]
    if later:
        later[0].addprevious(update)
    else:
        settings.append(update)


def _contents(document):
    """ "Содержание" and a TOC field over the Heading 1–2 paragraphs; returns the paragraph the
    field lives in (its shown text is filled with the headings at the end)."""
    title = text_paragraph(document, "Содержание", bold=True, size=13, space_after=6)
    title.paragraph_format.keep_with_next = True
    return text_paragraph(document)


def _fill_contents(document, holder) -> None:
    """The TOC field, shown as the list of headings until Word updates it with page numbers."""
    # By style id («Heading1»), not by name: resolving a paragraph's style object is slow.
    levels = {f"Heading{n}": n for n in range(1, TOC_LEVELS + 1)}
    headings = [(levels[p._p.style], p.text) for p in document.paragraphs if p._p.style in levels]
    _field(holder, f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u', TOC_PLACEHOLDER)
    style_ids = {level: document.styles[f"toc {level}"].style_id for level in range(1, TOC_LEVELS + 1)}
    holder._p.get_or_add_pPr().style = style_ids[1]
    anchor = holder
    for level, text in headings:
        line = parse_xml(f'<w:p {_W}><w:pPr><w:pStyle w:val="{style_ids[level]}"/></w:pPr>{_run_xml(text)}</w:p>')
        anchor._p.addnext(line)
        anchor = Paragraph(line, holder._parent)
    # The field's end moves after the last line, so the whole list is the field's result.
    end = holder._p.xpath("./w:r[w:fldChar[@w:fldCharType='end']]")[0]
    if headings:
        placeholder = holder._p.xpath("./w:r[w:t]")[-1]
        holder._p.remove(placeholder)
        anchor._p.append(end)
    _paragraph_after(anchor)


def _paragraph_after(paragraph) -> None:
    blank = OxmlElement("w:p")
    paragraph._p.addnext(blank)


def _properties(document, title: str, author: str | None) -> None:
    """File › Properties: the report's title and the organization that issues it."""
    properties = document.core_properties
    properties.title = clean(title)[:250]
    properties.author = clean(author or "")[:250]
    properties.last_modified_by = properties.author
    properties.comments = ""
    properties.subject = ""
    properties.keywords = ""


def new_report_document() -> Document:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = Cm(2.0)
    section.right_margin = Cm(1.5)
    section.top_margin = Cm(1.5)
    section.bottom_margin = Cm(1.5)
    normal = document.styles["Normal"]
    set_fonts(normal)
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(0)
    _heading_styles(document)
    _page_numbers(document)
    _update_fields_on_open(document)
    return document


# Paragraphs, runs and table rows are written as XML strings and parsed once each: python-docx
# looks every property element up child by child (and a style up by name with an XPath over the
# styles part), which made the demo report's tables and paragraphs take about a second.
_W = nsdecls("w")
_CENTER_JC = '<w:jc w:val="center"/>'
_JC = {WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right", WD_ALIGN_PARAGRAPH.JUSTIFY: "both"}


def _run_xml(text: str, *, bold: bool | None = None, size: float | None = None, opening: str = "<w:r>") -> str:
    """One run of cleaned `text`; line breaks and tabs as python-docx writes them. `bold=False`
    writes an explicit «not bold» (as python-docx's `run.bold = False`)."""
    properties = ""
    if bold is not None:
        properties += "<w:b/>" if bold else '<w:b w:val="0"/>'
    if size:
        properties += f'<w:sz w:val="{round(size * 2)}"/>'
    parts = [f"<w:rPr>{properties}</w:rPr>"] if properties else []
    for number, line in enumerate(clean(text).split("\n")):
        if number:
            parts.append("<w:br/>")
        for piece_number, piece in enumerate(line.split("\t")):
            if piece_number:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{xml_escape(piece)}</w:t>')
    return f"{opening}{''.join(parts)}</w:r>"


def _append_block(document, xml: str):
    """Parse one body-level element (w:p or w:tbl) and put it at the end of the document."""
    element = parse_xml(xml)
    body = document.element.body
    body._insert_tbl(element) if element.tag == qn("w:tbl") else body._insert_p(element)
    return element


def text_paragraph(document, text: str = "", *, bold=False, size: float | None = None, align=None, space_after=0):
    after = round(space_after * 20)  # points → twentieths of a point
    jc = f'<w:jc w:val="{_JC[align]}"/>' if align is not None else ""
    run = _run_xml(text, bold=bold, size=size) if text else ""
    element = _append_block(document, f'<w:p {_W}><w:pPr><w:spacing w:after="{after}"/>{jc}</w:pPr>{run}</w:p>')
    return Paragraph(element, document._body)


def heading_paragraph(document, text: str, level: int = 1) -> None:
    """Word's "Heading N" paragraph, by its style id (the navigation pane and contents read it)."""
    _append_block(document, f'<w:p {_W}><w:pPr><w:pStyle w:val="Heading{level}"/></w:pPr>{_run_xml(text)}</w:p>')


def set_cell_text(cell, text: str, *, bold=False, size: float = 10, align=None) -> None:
    """One run of text in a python-docx cell's paragraph (the few cells outside `grid_table`)."""
    paragraph = cell._tc.p_lst[0]
    paragraph.append(parse_xml(_run_xml(text, bold=bold or None, size=size, opening=f"<w:r {_W}>")))
    if align is not None:
        Paragraph(paragraph, cell).alignment = align


def _keep_row_whole(row) -> None:
    """A row is not split between two pages."""
    properties = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    properties.append(cant_split)


def _twips(width_cm: float) -> int:
    return Cm(width_cm).twips


def _cell_xml(text: str, twips: int, *, bold: bool, centered: bool, span: int = 1) -> str:
    properties = f'<w:tcW w:type="dxa" w:w="{twips}"/>'
    if span > 1:
        properties += f'<w:gridSpan w:val="{span}"/>'
    paragraph = f"<w:pPr>{_CENTER_JC}</w:pPr>" if centered else ""
    run = _run_xml(text, bold=bold or None, size=10)
    return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p>{paragraph}{run}</w:p></w:tc>"


def _row_xml(
    values: Sequence[str],
    widths: Sequence[float],
    *,
    bold=False,
    centered: Iterable[int] = (),
    header=False,
    spans: dict[int, int] | None = None,
    namespaces=True,
) -> str:
    """A row that is never split between pages. `spans`: column → how many columns its cell
    spans (no values are given for the columns it covers)."""
    centered = set(centered)
    spans = spans or {}
    cells, column = [], 0
    for value in values:
        span = spans.get(column, 1)
        cells.append(
            _cell_xml(
                value,
                sum(map(_twips, widths[column : column + span])),
                bold=bold,
                centered=column in centered,
                span=span,
            )
        )
        column += span
    if column != len(widths):
        raise ValueError(f"a row of {column} columns in a table of {len(widths)}")
    properties = '<w:cantSplit w:val="true"/>' + ('<w:tblHeader w:val="true"/>' if header else "")
    opening = f"<w:tr {_W}>" if namespaces else "<w:tr>"
    return f"{opening}<w:trPr>{properties}</w:trPr>{''.join(cells)}</w:tr>"


def grid_table(document, columns: Sequence[tuple[str, float]]):
    """A "Table Grid" table, centred, with fixed column widths (LibreOffice reads them from
    the grid) and its header row repeated on every page; the w:tbl element, for `append_row`."""
    widths = [width for _name, width in columns]
    grid = "".join(f'<w:gridCol w:w="{_twips(width)}"/>' for width in widths)
    header = _row_xml(
        [name for name, _w in columns], widths, bold=True, centered=range(len(columns)), header=True, namespaces=False
    )
    return _append_block(
        document,
        f"<w:tbl {_W}><w:tblPr>"
        '<w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" '
        'w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{header}</w:tbl>",
    )


def append_row(
    table,
    values: Sequence[str],
    widths: Sequence[float],
    *,
    bold=False,
    centered: Iterable[int] = (),
    spans: dict[int, int] | None = None,
) -> None:
    table.append(parse_xml(_row_xml(values, widths, bold=bold, centered=centered, spans=spans)))


def remove_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _signature(document, position: str) -> None:
    """Position, signature line and the captions under it: one borderless table whose rows stay
    together on a page (the captions once ended up alone on a page of their own)."""
    text_paragraph(document).paragraph_format.keep_with_next = True
    text_paragraph(document).paragraph_format.keep_with_next = True
    table = document.add_table(rows=2, cols=2)
    remove_borders(table)
    table.autofit = False
    for column, width in zip(table.columns, (Cm(14), Cm(11)), strict=True):
        column.width = width
    (left, right), (_blank, captions) = table.rows[0].cells, table.rows[1].cells
    for row in table.rows:
        _keep_row_whole(row)
        for cell, width in zip(row.cells, (Cm(14), Cm(11)), strict=True):
            cell.width = width
    set_cell_text(left, position, size=12)
    set_cell_text(right, "________________ / ______________________", size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    set_cell_text(captions, "(подпись)" + NBSP * 14 + "(расшифровка подписи)" + NBSP * 6, size=8)
    captions.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell in (left, right):
        cell.paragraphs[0].paragraph_format.keep_with_next = True


def _charts(document, charts: Sequence[Chart], first_number: int = 1) -> None:
    number = first_number
    for chart in charts:
        if chart.is_empty:
            continue
        try:
            picture = to_png(chart, title=False)  # the caption under the picture names it
        except ImportError:  # matplotlib missing: a report without pictures beats no report
            logger.warning("matplotlib is not installed: the DOCX report goes out without charts")
            return
        document.add_picture(io.BytesIO(picture), width=Cm(CHART_WIDTH_CM))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        document.paragraphs[-1].paragraph_format.keep_with_next = True
        text_paragraph(
            document, f"Рисунок {number}. {chart.title}", size=11, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12
        )
        number += 1


def document_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def period_phrase(year_type: str, plan_year: int | None, date_from: date | None, date_to: date | None) -> str:
    """ "за 2023 год", "за 2023/2024 учебный год", "за период с 01.01.2023 по 30.06.2023"."""
    if date_from or date_to:
        text = "за период"
        if date_from:
            text += f" с {format_date(date_from)}"
        if date_to:
            text += f" по {format_date(date_to)}"
        return text
    if plan_year is not None:
        return "за " + plan_year_label(plan_year, year_type)
    return "за весь период реализации"


# --------------------------------------------------------------------------- text of the report


def of(part: int, whole: int) -> str:
    """ "3 из 7" that a line never breaks."""
    return f"{format_int(part)}{NBSP}из{NBSP}{format_int(whole)}"


def execution_text(measure: MeasureRow) -> str:
    """ "2 из 3 (67 %)" — executors who did everything of the measure, of those it applies to."""
    if not measure.has_tasks:
        return f"без задач: {measure.no_tasks_reason}" if measure.no_tasks_reason else "задачи не созданы"
    if not measure.executors_total and not measure.executors_not_applicable:
        return "—"
    lines = []
    if measure.executors_total:
        lines.append(
            f"{of(measure.executors_done, measure.executors_total)} ({format_percent(measure.executors_ratio)})"
        )
    f = measure.figures
    if f.applicable != measure.executors_total and f.applicable:
        lines.append(f"задач: {of(f.done, f.applicable)}")
    if measure.executors_not_applicable:
        lines.append(f"не применимо: {measure.executors_not_applicable}")
    return "\n".join(lines)


def coverage_text(figures: Figures) -> str:
    c = figures.coverage
    if not figures.reported:
        return "—"
    text = format_int(c.total)
    details = [
        f"{category.short}{NBSP}{format_int(value)}"
        for category in coverage.DETAILS
        if (value := getattr(c, category.name))
    ]
    if details:
        text += "\n(" + ", ".join(details) + ")"
    return text


def _clause(comment: str) -> str:
    """A comment as one of several joined with "; ": without its closing full stop."""
    text = truncate(comment, COMMENT_LENGTH)
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def note_text(measure: MeasureRow) -> str:
    parts = [typographed(_clause(comment)) for comment in measure.comments[:COMMENTS_SHOWN]]
    more = measure.more_comments + max(0, len(measure.comments) - COMMENTS_SHOWN)
    text = "; ".join(parts)
    if more:
        text += f"; и ещё {more}"
    f = measure.figures
    if f.overdue:
        text = (text + "\n" if text else "") + f"Просрочено: {f.overdue}"
    return text


def summary_sentences(figures: Figures) -> list[str]:
    f = figures
    c = f.coverage
    sentences = [
        f"Запланировано задач: {format_int(f.total)}, из них не применимо к исполнителям: "
        f"{format_int(f.not_applicable)}.",
        f"Выполнено (отчёт принят) {format_int(f.done)} из {format_int(f.applicable)} "
        f"({format_percent(f.done_ratio, places=1)}); {REPORTED_LABEL} — {format_int(f.reported)} "
        f"({format_percent(f.reported_ratio, places=1)}), из них в срок — {format_int(f.on_time)}, "
        f"с опозданием — {format_int(f.late)}. На проверке у координатора: {format_int(f.in_review)}.",
        f"Не сдано: {format_int(f.not_done)} (просрочено — {format_int(f.overdue)}, "
        f"срок не наступил — {format_int(f.open)}); возвращено на доработку — {format_int(f.returned)}.",
    ]
    if f.reported:
        sentences.append(
            f"Общий охват участников мероприятий ({COVERAGE_NOTE}) составил {format_int(c.total)} чел., "
            f"в том числе обучающихся — "
            f"{format_int(c.students)}, родителей (законных представителей) — {format_int(c.parents)}, "
            f"педагогов — {format_int(c.teachers)}; обучающихся с ОВЗ — {format_int(c.disabled)}."
        )
    return sentences


def _section_table(document, section: SectionRow) -> None:
    widths = [w for _n, w in SECTION_COLUMNS]
    table = grid_table(document, SECTION_COLUMNS)
    for measure in section.measures:
        append_row(
            table,
            [
                measure.number,
                typographed(measure.title),
                measure.deadline_text,
                typographed(measure.responsible_text),
                execution_text(measure),
                "\n".join(
                    filter(
                        None, (coverage_text(measure.figures), coverage_share_text(measure), contingent_note(measure))
                    )
                ),
                note_text(measure),
            ],
            widths,
            centered=(0, 4, 5),
        )
    f = section.figures
    append_row(
        table,
        [
            "",
            "Итого по разделу",
            f"задач: {of(f.done, f.applicable)} ({format_percent(f.done_ratio)})",
            coverage_text(f),
            "",
        ],
        widths,
        bold=True,
        centered=(4, 5),
        spans={1: 3},  # «Итого по разделу» over the measure, its deadline and who is responsible
    )


def _comparison(document, report: MonitoringReport) -> None:
    years = report.comparison_years
    if len(years) < 2:
        return
    heading_paragraph(document, "Сравнение с предыдущими периодами")
    columns = [("Показатель", 8.0)] + [
        (y.label, 3.5 if y.plan_year is not None and not y.date_from else 4.2) for y in years
    ]
    columns.append(("Изменение к предыдущему году", 4.5))
    widths = [w for _n, w in columns]
    table = grid_table(document, columns)
    for row in COMPARISON_ROWS:
        values = [row.value(y.figures) for y in years]
        shown = [format_percent(v, places=1) if row.is_ratio else format_int(v) for v in values]
        old, new = values[-2], values[-1]
        if row.is_ratio:
            delta = format_delta(None if old is None or new is None else new - old, percent=True)
        else:
            delta = format_delta(new - old)
        append_row(table, [row.label, *shown, delta], widths, centered=range(1, len(columns)))
    previous = years[-2]
    if previous.roadmap_id != report.roadmap.id:
        text_paragraph(
            document, f"Предыдущий период — по дорожной карте «{typographed(previous.roadmap_title)}».", size=10
        )


TARGET_WIDTHS = (1.2, 6.4, 4.6, 3.6, 3.6)


def _targets(document, report: MonitoringReport) -> None:
    """«Целевые показатели»: the sentence of the order («… выполнены, кроме: …») and the table."""
    if not report.targets:
        return
    heading_paragraph(document, "Целевые показатели")
    text_paragraph(document, typographed(targets_sentence(report.targets))).paragraph_format.first_line_indent = Cm(
        1.25
    )
    table = grid_table(document, tuple(zip(TARGET_COLUMNS, TARGET_WIDTHS, strict=True)))
    for result in report.targets:
        number, title, target, fact, met = target_values(result)
        below = organizations_below(result)
        if below:
            met += f"\nниже плана: {below}"
        append_row(table, [number, typographed(title), target, fact, met], TARGET_WIDTHS, centered=(0,))


def _executors(document, report: MonitoringReport) -> None:
    ranked = report.executors_ranked
    if not ranked:
        return
    heading_paragraph(document, "Исполнение по организациям")
    shown = [c for c in FIGURE_COLUMNS if c.label not in {"Срок не наступил", "Не применимо"}]
    columns = (("№", 1.0), ("Организация", 6.0), *((c.label, 2.0) for c in shown))
    widths = [w for _n, w in columns]
    table = grid_table(document, columns)
    for place, e in enumerate(ranked, start=1):
        f = e.figures
        values = [format_percent(c.value(f)) if c.is_ratio else format_int(c.value(f)) for c in shown]
        append_row(table, [str(place), typographed(e.name), *values], widths, centered=range(2, len(columns)))


def _title_block(document, owner_name: str | None, heading: str, subject: str, period: str, lines: Sequence[str]):
    if owner_name:
        text_paragraph(document, typographed(owner_name), size=12, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    text_paragraph(document, heading, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    text_paragraph(document, subject, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    text_paragraph(document, period, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    for line in lines:
        text_paragraph(document, line, size=12)
    text_paragraph(document)


def roadmap_document(
    report: MonitoringReport,
    charts: Sequence[Chart],
    generated_on: date,
    *,
    owner_name: str | None = None,
    owner_full_name: str | None = None,
    signer: str | None = None,
    history=None,
    conclusions: dict[str, str] | None = None,
) -> bytes:
    """The year-end report of a roadmap. `history` (roadmap.reports.compare.YearsSideBySide)
    and `conclusions` (part → the coordinator's text) are roadmap.reports.analysis_docx's parts."""
    from roadmap.models.conclusion import WHOLE_REPORT, part_of
    from roadmap.reports import analysis_docx

    conclusions = conclusions or {}
    roadmap, scope = report.roadmap, report.scope
    document = new_report_document()
    _properties(document, f"Отчёт о реализации дорожной карты «{roadmap.title}»", owner_full_name or owner_name)
    _title_block(
        document,
        owner_name,
        "ОТЧЁТ",
        f"о реализации дорожной карты «{typographed(roadmap.title)}»",
        period_phrase(roadmap.year_type, scope.plan_year, scope.date_from, scope.date_to),
        [
            f"Период реализации дорожной карты: {format_date(roadmap.period_start)} – "
            f"{format_date(roadmap.period_end)}.",
            f"Данные по состоянию на {format_date(scope.today)}. Дата формирования отчёта: {format_date(generated_on)}.",
        ],
    )
    contents = _contents(document)
    heading_paragraph(document, "Общие показатели")
    if report.is_empty:
        text_paragraph(document, "За отчётный период задач по дорожной карте не запланировано.")
    for sentence in summary_sentences(report.summary):
        text_paragraph(document, sentence).paragraph_format.first_line_indent = Cm(1.25)
    _comparison(document, report)
    _targets(document, report)
    if report.sections:
        heading_paragraph(document, "Исполнение мероприятий по разделам")
    for section in report.sections:
        heading_paragraph(document, section.heading, level=2)
        _section_table(document, section)
        analysis_docx.add_conclusion(document, conclusions.get(part_of(section.id)))  # analysis: section
    if report.sections:
        heading_paragraph(document, "Итого по дорожной карте")
        f = report.summary
        text_paragraph(
            document,
            f"Выполнено задач (отчёт принят): {format_int(f.done)} из {format_int(f.applicable)} "
            f"({format_percent(f.done_ratio, places=1)}); {REPORTED_LABEL} — {format_int(f.reported)}, "
            f"из них в срок — {format_int(f.on_time)} ({format_percent(f.on_time_ratio, places=1)}). "
            f"Охват участников: {format_int(f.coverage.total)} чел.",
        )
    _executors(document, report)
    visible = [c for c in charts if not c.is_empty]
    if visible:
        heading_paragraph(document, "Графические материалы")
        _charts(document, visible)
    # analysis: years side by side, then the conclusions on the whole report
    analysis_docx.add_years_side_by_side(
        document, history, lambda text: heading_paragraph(document, text), len(visible) + 1
    )
    if conclusions.get(WHOLE_REPORT):
        heading_paragraph(document, "Выводы")
        analysis_docx.add_conclusion(document, conclusions[WHOLE_REPORT], label="")
    _signature(document, signer or _default_signer(owner_name))
    _fill_contents(document, contents)
    return document_bytes(document)


def _default_signer(owner_name: str | None) -> str:
    return f"Директор {owner_name}" if owner_name else "Руководитель"


EXECUTOR_COLUMNS = (
    ("№", 1.3),
    ("Мероприятие", 7.0),
    ("Срок", 3.2),
    ("Статус", 2.8),
    ("Дата проведения", 2.6),
    ("Охват", 2.3),
    ("Комментарий", 7.0),
)


def _executor_coverage(row: TaskRow) -> str:
    if row.coverage_total is None:
        return "—"
    parts = [
        f"{category.short}{NBSP}{format_int(value)}"
        for category in coverage.DETAILS
        if (value := getattr(row, coverage.column(category.name)))
    ]
    text = format_int(row.coverage_total)
    return text + (f"\n({', '.join(parts)})" if parts else "")


def executor_document(
    report: MonitoringReport,
    organization_name: str,
    organization_full_name: str,
    rows: Iterable[TaskRow],
    generated_on: date,
) -> bytes:
    """One organization's report for the year: its tasks, what it reported, its coverage."""
    roadmap, scope = report.roadmap, report.scope
    document = new_report_document()
    _properties(document, f"Отчёт об исполнении мероприятий дорожной карты «{roadmap.title}»", organization_full_name)
    _title_block(
        document,
        organization_full_name,
        "ОТЧЁТ",
        f"об исполнении мероприятий дорожной карты «{typographed(roadmap.title)}»",
        period_phrase(roadmap.year_type, scope.plan_year, scope.date_from, scope.date_to),
        [f"Данные по состоянию на {format_date(scope.today)}. Дата формирования отчёта: {format_date(generated_on)}."],
    )
    heading_paragraph(document, "Общие показатели")
    for sentence in summary_sentences(report.summary):
        text_paragraph(document, sentence).paragraph_format.first_line_indent = Cm(1.25)
    heading_paragraph(document, "Исполнение мероприятий")
    widths = [w for _n, w in EXECUTOR_COLUMNS]
    table = grid_table(document, EXECUTOR_COLUMNS)
    count = 0
    for row in rows:
        count += 1
        status = state_label(Workflow(row.workflow), timeliness_named(row.outcome))
        comment = typographed(truncate(row.comment, 600)) if row.comment else ""
        append_row(
            table,
            [
                row.measure_number,
                typographed(row.measure_title),
                row.label or format_date(row.due_on),
                status,
                format_date(row.held_on) or "—",
                _executor_coverage(row),
                comment,
            ],
            widths,
            centered=(0, 3, 4, 5),
        )
    if not count:
        text_paragraph(document, "Задач за отчётный период нет.")
    _signature(document, f"Директор {organization_name}")
    return document_bytes(document)
