"""Office quality of the files (issue 21): the XLSX prints on landscape pages one page wide with
its headers repeated and no overlapping rows, and carries the page's charts natively; the DOCX
has Word's headings, a contents field, page numbers, the owner as author and Russian
non-breaking spaces. Every check opens the real file with openpyxl / python-docx."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from roadmap.reports.service import build_scope, executor_export, report_charts, roadmap_export
from roadmap.reports.typography import NBSP, initials, typographed, year_word
from roadmap.reports.xlsx import LINE_POINTS, wrapped_lines

from .conftest import TODAY


@pytest.fixture(autouse=True)
def cheap_pictures(monkeypatch, tiny_png):
    from roadmap.reports import docx as docx_module

    monkeypatch.setattr(docx_module, "to_png", lambda chart, **kw: tiny_png)


def export(data, fmt):
    return roadmap_export(data.roadmap, build_scope(data.roadmap, 2023, today=TODAY), fmt)


def workbook(data):
    return openpyxl.load_workbook(io.BytesIO(export(data, "xlsx").data))


# --------------------------------------------------------------------------- typography


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Отчёт за 2026 г. готов", f"Отчёт за 2026{NBSP}г. готов"),
        ("на 2026г.", f"на 2026{NBSP}г."),
        ("2025–2026 гг.", f"2025–2026{NBSP}гг."),
        ("в 2026 году", f"в 2026{NBSP}году"),
        ("12345 год", "12345 год"),  # not a year
    ],
)
def test_year_keeps_its_word(text, expected):
    assert year_word(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("И. И. Иванов", f"И.{NBSP}И.{NBSP}Иванов"),
        ("И.И. Иванов", f"И.{NBSP}И.{NBSP}Иванов"),
        ("Иванов И.И.", f"Иванов{NBSP}И.{NBSP}И."),
        ("Иванов И. И., директор", f"Иванов{NBSP}И.{NBSP}И., директор"),
        ("В. Петров", f"В.{NBSP}Петров"),
        ("МБОУ СОШ. Иванов пришёл", "МБОУ СОШ. Иванов пришёл"),  # an abbreviation, not an initial
    ],
)
def test_initials_stay_with_the_surname(text, expected):
    assert initials(text) == expected


def test_typographed_does_everything_once():
    text = 'Приказ №5 от 2026г. "О мониторинге", директор А.Б. Петрова, г.Краснодар'
    once = typographed(text)
    assert once == (
        f"Приказ №{NBSP}5 от 2026{NBSP}г. «О мониторинге», директор А.{NBSP}Б.{NBSP}Петрова, г.{NBSP}Краснодар"
    )
    assert typographed(once) == once


# --------------------------------------------------------------------------- XLSX


def test_wrapped_lines_counts_words_and_breaks():
    assert wrapped_lines("", 10) == 1
    assert wrapped_lines("слово", 10) == 1
    assert wrapped_lines("слово слово слово", 10) == 3  # 9 characters a line
    assert wrapped_lines("один\nдва", 40) == 2
    assert wrapped_lines("а" * 30, 10) == 4  # one long word broken as Excel breaks it


def test_xlsx_every_sheet_prints_landscape_one_page_wide(data):
    wb = workbook(data)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert setup.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth == 1 and setup.fitToHeight == 0, ws.title
        assert ws.print_area, ws.title
        assert "&P" in ws.oddFooter.center.text, ws.title


def test_xlsx_tables_repeat_their_header_on_every_page(data):
    wb = workbook(data)
    for name in ("Мероприятия", "1. Раздел 1", "Исполнители", "Матрица"):
        ws = wb[name]
        assert ws.print_title_rows == "$1:$1", name
        assert ws["A1"].value == "№" or ws["A1"].value == "Место", name
    assert wb["Матрица"].print_title_cols == "$A:$B"


def test_xlsx_title_is_merged_over_the_table_and_wrapped(data):
    ws = workbook(data)["Сводка"]
    merged = [str(r) for r in ws.merged_cells.ranges if r.min_row == 1]
    assert merged == [f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}1"]
    assert ws["A1"].alignment.wrap_text
    assert ws["A1"].value.startswith("Отчёт о реализации дорожной карты «Тестовая")


def _column_width(ws, column: int) -> float:
    letter = openpyxl.utils.get_column_letter(column)
    return ws.column_dimensions[letter].width or 8.43


def test_xlsx_wrapped_rows_are_tall_enough(data, app, make_org, make_roadmap):
    long_title = "Организация и проведение " + "профориентационных мероприятий для обучающихся " * 6
    org = make_org(short_name="МБОУ СОШ № 9", full_name="Средняя школа № 9")
    roadmap = make_roadmap([("1.1", long_title, "до 1 сентября, ежегодно", [org])])
    data_bytes = roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "xlsx").data
    wb = openpyxl.load_workbook(io.BytesIO(data_bytes))
    checked = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                    continue
                width = _column_width(ws, cell.column)
                for merged in ws.merged_cells.ranges:
                    if cell.coordinate in merged:
                        width = sum(_column_width(ws, c) for c in range(merged.min_col, merged.max_col + 1))
                size = cell.font.sz or 11
                lines = wrapped_lines(cell.value, width, size=size)
                if lines > 1:
                    height = ws.row_dimensions[cell.row].height
                    assert height is not None and height >= lines * LINE_POINTS * size / 11, (
                        ws.title,
                        cell.coordinate,
                    )
                    checked += 1
    assert checked >= 3  # the long title on the measures and the section sheet at least


def test_xlsx_summary_has_the_pages_charts_natively(data):
    wb = workbook(data)
    ws = wb["Сводка"]
    expected = [c for c in report_charts_of(data) if not c.is_empty]
    assert len(ws._charts) == len(expected) == 4
    for native, chart in zip(ws._charts, expected, strict=True):
        title = "".join(run.t for p in native.title.tx.rich.p for run in (p.r or []))
        assert title == chart.title
        assert len(native.series) == len(chart.series)
        # The series read the figures the page draws, from cells of the same sheet.
        ref = native.series[0].val.numRef.f
        sheet_part, cells = ref.rsplit("!", 1)
        assert sheet_part.strip("'") == "Сводка"
        first, last = cells.replace("$", "").split(":")
        values = [c.value for row in ws[f"{first}:{last}"] for c in row]
        assert values == [round(v, 1) for v in chart.series[0].values]
    with zipfile.ZipFile(io.BytesIO(export(data, "xlsx").data)) as archive:
        assert len([n for n in archive.namelist() if n.startswith("xl/charts/chart")]) == 4


def report_charts_of(data):
    from roadmap.reports.queries import monitoring_report

    return report_charts(monitoring_report(data.roadmap, build_scope(data.roadmap, 2023, today=TODAY)))


def test_xlsx_titles_are_typographed_data_cells_as_entered(data):
    wb = workbook(data)
    assert wb["Сводка"]["A1"].value == f"Отчёт о реализации дорожной карты «Тестовая дорожная карта на 2023{NBSP}г.»"
    # Names stay as entered: a VLOOKUP against another list of schools still finds them.
    names = [row[1] for row in wb["Исполнители"].iter_rows(min_row=2, values_only=True)]
    assert names == [f"МБОУ СОШ № {n}" for n in (1, 2, 3)]


# --------------------------------------------------------------------------- DOCX


def document(data_bytes):
    return docx.Document(io.BytesIO(data_bytes))


def test_docx_headings_are_words_own(data):
    doc = document(export(data, "docx").data)
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Общие показатели") in headings
    assert ("Heading 1", "Исполнение мероприятий по разделам") in headings
    assert ("Heading 2", "1. Раздел 1") in headings and ("Heading 2", "2. Раздел 2") in headings
    heading = doc.styles["Heading 1"]
    assert heading.font.name == "Times New Roman" and heading.font.bold
    assert str(heading.font.color.rgb) == "000000"
    # No heading is a bold Normal paragraph any more.
    assert not [p.text for p in doc.paragraphs if p.text == "Общие показатели" and p.style.name == "Normal"]


def _instructions(element) -> list[str]:
    return [t.text.strip() for t in element.iter(qn("w:instrText"))]


def test_docx_contents_field_before_the_first_heading(data):
    doc = document(export(data, "docx").data)
    body = doc.element.body
    toc = next(p for p in body.iter(qn("w:p")) if any(i.startswith("TOC") for i in _instructions(p)))
    paragraphs = list(body.iter(qn("w:p")))
    first_heading = next(p for p in doc.paragraphs if p.style.name == "Heading 1")._p
    assert paragraphs.index(toc) < paragraphs.index(first_heading)
    assert '\\o "1-2"' in _instructions(toc)[0]
    # Until Word updates it, the field shows the headings themselves.
    lines = [p.text for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert "Общие показатели" in lines and "1. Раздел 1" in lines
    settings = doc.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    order = [child.tag.split("}")[1] for child in settings]
    assert order.index("updateFields") < order.index("compat")  # the schema's order, as Word wants it


def test_docx_page_numbers_in_the_footer(data):
    doc = document(export(data, "docx").data)
    for section in doc.sections:
        assert "PAGE" in _instructions(section.footer._element)


def test_docx_author_is_the_owner_and_title_set(data):
    doc = document(export(data, "docx").data)
    properties = doc.core_properties
    assert properties.author == "МКУ «Краснодарский научно-методический центр»"
    assert "python-docx" not in (properties.author + properties.last_modified_by + properties.comments)
    assert properties.title == f"Отчёт о реализации дорожной карты «Тестовая дорожная карта на 2023{NBSP}г.»"


def test_executor_docx_author_is_the_school(data):
    org = data.orgs["A"]
    scope = build_scope(data.roadmap, 2023, today=TODAY, organization_id=org.id)
    doc = document(executor_export(data.roadmap, org, scope, "docx").data)
    assert doc.core_properties.author == f"Средняя школа №{NBSP}1"
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "Общие показатели",
        "Исполнение мероприятий",
    ]


def test_docx_non_breaking_spaces(data):
    doc = document(export(data, "docx").data)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"2023{NBSP}г." in text and "2023 г." not in text
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert f"МБОУ СОШ №{NBSP}1" in cells and "№ 1" not in cells


# --------------------------------------------------------------------------- CSV in Windows-1251


@pytest.fixture
def unusual_comment(data):
    from .conftest import submit, tasks_of, utc

    task = next(t for t in tasks_of(data.roadmap, "1.1") if t.organization_id == data.orgs["C"].id)
    submit(task, data.users["C"], utc(2023, 10, 1, 9), comment="Café −5 °C, ≥ 10 😀; «ёлки» № 5")
    return task


def test_csv_in_windows_1251_replaces_what_it_lacks_and_says_so(data, unusual_comment):
    import csv

    scope = build_scope(data.roadmap, 2023, today=TODAY)
    exported = roadmap_export(data.roadmap, scope, "csv", encoding="cp1251")
    assert exported.mimetype == "text/csv; charset=windows-1251"
    assert not exported.data.startswith(b"\xef\xbb\xbf")
    text = exported.data.decode("cp1251")  # strict: fails on any byte outside the code page
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][:2] == ["Раздел", "№"]
    comments = [row[rows[0].index("Комментарий")] for row in rows[1:-1]]
    assert "Cafe -5 °C, >= 10 ?; «ёлки» № 5" in comments  # é, −, ≥ and 😀 replaced; the rest kept
    assert exported.replaced == 4
    assert rows[-1][0].startswith("Примечание: знаков, которых нет в кодировке Windows-1251, заменено: 4")
    # UTF-8 keeps every character and has no note.
    utf8 = roadmap_export(data.roadmap, scope, "csv")
    assert "Café −5 °C, ≥ 10 😀" in utf8.data.decode("utf-8-sig") and utf8.replaced == 0
    assert len(list(csv.reader(io.StringIO(utf8.data.decode("utf-8-sig"), newline=""), delimiter=";"))) == len(rows) - 1


def test_csv_in_windows_1251_without_replacements_has_no_note(data):
    exported = roadmap_export(data.roadmap, build_scope(data.roadmap, 2023, today=TODAY), "csv", encoding="cp1251")
    assert exported.replaced == 0 and "Примечание" not in exported.data.decode("cp1251")


def test_csv_encoding_choice_on_the_report_page(client, auth, data, unusual_comment):
    auth.login(data.coordinator.login)
    page = client.get(f"/roadmaps/{data.roadmap.id}/report?year=2023").get_data(as_text=True)
    assert "export.csv?year=2023&amp;encoding=cp1251" in page or "export.csv?encoding=cp1251&amp;year=2023" in page
    assert "Windows-1251" in page and "UTF-8" in page
    response = client.get(f"/roadmaps/{data.roadmap.id}/export.csv?year=2023&encoding=cp1251")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=windows-1251"
    assert response.headers["X-Replaced-Characters"] == "4"
    response.data.decode("cp1251")
    wrong = client.get(f"/roadmaps/{data.roadmap.id}/export.csv?year=2023&encoding=koi8")
    assert wrong.status_code == 400 and "Кодировка CSV не распознана" in wrong.get_data(as_text=True)


# --------------------------------------------------------------------------- one chart renderer


def test_page_and_document_draw_the_same_figure_in_the_documents_typeface():
    import xml.etree.ElementTree as ET

    import matplotlib

    from roadmap.reports import charts
    from roadmap.reports.charts import SERIF_FONTS

    chart = charts.status_distribution({"planned": 3, "accepted": 5})
    markup = charts.to_svg(chart)
    png = charts.to_png(chart)
    assert png.startswith(b"\x89PNG")
    # One drawing: both come from matplotlib with the serif family set up once.
    assert matplotlib.rcParams["font.family"] == ["serif"]
    assert matplotlib.rcParams["font.serif"][0] in SERIF_FONTS
    root = ET.fromstring(markup)
    assert root.get("font-family").startswith("'Times New Roman'")
    # Fit for the page's Content-Security-Policy and for screen readers.
    assert "style" not in markup and "<script" not in markup and "xlink" not in markup
    assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}desc").text == chart.description
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids and all(i.startswith(chart.element_id) for i in ids)  # unique among the page's charts
    texts = "".join(root.itertext())
    assert all(label in texts for label in chart.labels)


def test_a_chart_is_drawn_once():
    from roadmap.reports import charts

    chart = charts.status_distribution({"planned": 2, "submitted": 7})
    assert charts.to_png(chart) is charts.to_png(chart)
    assert charts.to_svg(chart) is charts.to_svg(chart)
    other = charts.status_distribution({"planned": 2, "submitted": 8})
    assert charts.to_png(other) != charts.to_png(chart)
