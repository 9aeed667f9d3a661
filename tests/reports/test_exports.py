"""The generated files, opened with openpyxl / python-docx / csv and checked against the data."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, datetime

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from roadmap.models import Role
from roadmap.reports.service import build_scope, executor_export, roadmap_export
from roadmap.reports.typography import NBSP

from .conftest import TODAY, submit, tasks_of, utc


@pytest.fixture(autouse=True)
def cheap_pictures(monkeypatch, tiny_png):
    """Charts are drawn by tests of their own; here each picture is one small real PNG."""
    from roadmap.reports import docx as docx_module

    monkeypatch.setattr(docx_module, "to_png", lambda chart, **kw: tiny_png)


def export(data, fmt, **kw):
    return roadmap_export(data.roadmap, build_scope(data.roadmap, 2023, today=TODAY, **kw), fmt)


def workbook(data, **kw):
    return openpyxl.load_workbook(io.BytesIO(export(data, "xlsx", **kw).data))


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def find_row(sheet, first):
    return next(row for row in sheet.iter_rows() if row[0].value == first)


# --------------------------------------------------------------------------- XLSX


def test_xlsx_sheets(data):
    wb = workbook(data)
    assert wb.sheetnames == ["Сводка", "Мероприятия", "1. Раздел 1", "2. Раздел 2", "Исполнители", "Матрица"]


def test_xlsx_summary_numbers_and_dates(data):
    ws = workbook(data)["Сводка"]
    assert ws["A1"].value.startswith("Отчёт о реализации дорожной карты «Тестовая")
    formed = find_row(ws, "Дата формирования")[1]
    assert isinstance(formed.value, datetime) and formed.value.date() == TODAY
    assert formed.number_format == "DD.MM.YYYY"
    total = find_row(ws, "Задач всего")
    assert total[1].value == 7 and isinstance(total[1].value, int)
    done = find_row(ws, "Выполнено (отчёт принят)")
    assert done[1].value == 1 and done[2].value == pytest.approx(1 / 6) and done[2].number_format == "0%"
    reported = find_row(ws, "Выполнено, включая на проверке")
    assert reported[1].value == 4 and reported[2].value == pytest.approx(4 / 6)
    assert find_row(ws, "Охват участников, всего")[1].value == 525
    assert find_row(ws, "   обучающиеся")[1].value == 205
    itogo = find_row(ws, "Итого")
    # total, done, reported, on time, late, overdue, not due, not applicable
    assert [c.value for c in itogo[1:9]] == [7, 1, 4, 3, 1, 1, 1, 1]


def test_xlsx_measures_sheet(data):
    ws = workbook(data)["Мероприятия"]
    header = [c.value for c in ws[1]]
    assert header[:8] == [
        "№",
        "Раздел",
        "Мероприятие",
        "Срок",
        "Ответственный",
        "Исполнителей",
        "Выполнили",
        "Выполнили, %",
    ]
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == f"A1:Y{ws.max_row}"  # with the contingent and its share
    column = {name: i for i, name in enumerate(header)}
    row = find_row(ws, "1.1")
    assert [c.value for c in row[5:8]] == [3, 0, 0]  # executors, done (accepted), share: all on review
    assert row[column["Включая на проверке"]].value == 2
    assert row[column["Охват участников, всего"]].value == 200  # coverage of reports on review or accepted
    assert "Семинар проведён" in row[column["Примечание"]].value
    assert find_row(ws, "1.2")[7].fill.start_color.rgb.endswith("D1E7DD")  # complete → green
    assert "Задачи не созданы" in find_row(ws, "2.2")[column["Примечание"]].value


def test_xlsx_section_sheet_has_task_rows_with_real_dates(data):
    ws = workbook(data)["1. Раздел 1"]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:U{ws.max_row}"  # with the contingent
    assert ws.max_row == 1 + 5  # 1.1 × 3 schools, 1.2 × 2 schools
    header = [c.value for c in ws[1]]
    from roadmap.reports.layout import TASK_COLUMNS

    assert tuple(header) == TASK_COLUMNS  # the CSV's columns, in the same order
    rows = {(r[0].value, r[3].value): {h: c for h, c in zip(header, r, strict=True)} for r in ws.iter_rows(min_row=2)}
    a = rows[("1.1", "МБОУ СОШ № 1")]
    assert a["Срок"].value == datetime(2023, 9, 1) and a["Срок"].number_format == "DD.MM.YYYY"
    assert a["Дата проведения"].value == datetime(2023, 8, 30)
    assert a["Статус"].value == "на проверке" and a["Статус"].fill.start_color.rgb.endswith("CFE2FF")
    assert a["Соблюдение срока"].value == "в срок"
    assert a["Охват: всего"].value == 120 and a["Охват: обучающиеся"].value == 100
    assert a["Охват: обучающиеся с ОВЗ"].value == 3
    c = rows[("1.1", "МБОУ СОШ № 3")]
    assert c["Статус"].value == "запланировано"
    assert c["Соблюдение срока"].value == "просрочено" and c["Соблюдение срока"].fill.start_color.rgb.endswith("F8D7DA")
    assert c["Дата отчёта"].value is None
    assert rows[("1.2", "МБОУ СОШ № 1")]["Срок с учётом выходных"].value == datetime(2023, 10, 2)
    assert ws.column_dimensions["B"].width == 48


def test_xlsx_matrix(data):
    ws = workbook(data)["Матрица"]
    assert [c.value for c in ws[1]] == ["№", "Мероприятие", "МБОУ СОШ № 1", "МБОУ СОШ № 2", "МБОУ СОШ № 3"]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:E5"
    row = find_row(ws, "1.1")
    assert [c.value for c in row[2:]] == ["на проверке", "на проверке", "просрочено"]
    row = find_row(ws, "2.1")
    assert row[2].value == "0/2" and row[3].value is None  # one on review, one not due: none accepted


def test_xlsx_executors_ranked(data):
    ws = workbook(data)["Исполнители"]
    assert [(r[0], r[1], r[3]) for r in rows_of(ws)[1:]] == [
        (1, "МБОУ СОШ № 1", 1),
        (2, "МБОУ СОШ № 2", 0),
        (3, "МБОУ СОШ № 3", 0),
    ]


def test_xlsx_text_is_never_a_formula_and_long_text_survives(app, make_org, make_user, make_roadmap):
    org = make_org(short_name='=HYPERLINK("http://evil")')
    user = make_user(role=Role.EXECUTOR, organization=org)
    long_title = ("Организация профориентационной работы " * 300)[:10_000]
    roadmap = make_roadmap(
        [("1.1", long_title, "сентябрь, ежегодно", [org]), ("1.2", "=1+2", "декабрь, ежегодно", [org])]
    )
    submit(tasks_of(roadmap, "1.1")[0], user, utc(2023, 9, 5), comment="=cmd|' /C calc'!A0\x0bконец")
    data = roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "xlsx").data
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet = wb["1. Раздел 1"]
    values = {c.value for row in sheet.iter_rows() for c in row}
    assert long_title in values
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    assert "=cmd|' /C calc'!A0конец" in values  # control character dropped, text kept
    assert wb["Матрица"]["C1"].data_type == "s"


def test_xlsx_text_with_markup_characters_survives(app, make_org, make_user, make_roadmap):
    """The rows are written as XML text by hand (roadmap.reports.xlsx.SheetWriter.append): what XML
    gives a meaning to and line breaks come back as typed."""
    org = make_org(short_name="СОШ <№ 1> & «Лицей»")
    user = make_user(role=Role.EXECUTOR, organization=org)
    roadmap = make_roadmap([("1.1", "#N/A &amp; <b>жирный</b>", "сентябрь, ежегодно", [org])])
    comment = "  строка 1\r\nстрока 2 ]]> \"кавычки\" 'апостроф'  "
    stored = submit(tasks_of(roadmap, "1.1")[0], user, utc(2023, 9, 5), comment=comment).comment
    assert "\r\n" in stored  # kept by the service: a parser would read a bare "\r" as "\n"
    data = roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "xlsx").data
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = {c.value: c for row in wb["1. Раздел 1"].iter_rows() for c in row if c.value is not None}
    assert cells["#N/A &amp; <b>жирный</b>"].data_type == "s"
    assert "СОШ <№ 1> & «Лицей»" in cells
    assert stored in cells
    assert wb["Матрица"]["C1"].value == "СОШ <№ 1> & «Лицей»"


def test_xlsx_rows_spilled_to_disk_are_the_same_workbook(data, monkeypatch):
    """A big sheet's rows wait in a temporary file (memory stays flat): the cells, their styles
    and row heights are those of a sheet held in memory."""
    from roadmap.reports import xlsx

    def cells(wb):
        return [
            (
                ws.title,
                c.coordinate,
                c.value,
                c.number_format,
                c.font.b,
                c.fill.fgColor.rgb,
                ws.row_dimensions[c.row].height,
            )
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
        ]

    in_memory = cells(workbook(data))
    monkeypatch.setattr(xlsx, "ROWS_IN_MEMORY", 2)
    spilled = cells(workbook(data))
    assert len(in_memory) > 100
    assert spilled == in_memory


def test_xlsx_empty_roadmap(app, make_roadmap):
    roadmap = make_roadmap([])
    wb = openpyxl.load_workbook(
        io.BytesIO(roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "xlsx").data)
    )
    assert wb.sheetnames == ["Сводка", "Мероприятия", "Исполнители", "Матрица"]
    assert find_row(wb["Сводка"], "Задач всего")[1].value == 0


def test_xlsx_comparison_block(app, make_org, make_user, make_roadmap):
    org = make_org()
    user = make_user(role=Role.EXECUTOR, organization=org)
    roadmap = make_roadmap(
        [("1.1", "Собрание", "сентябрь, ежегодно", [org])], period=(date(2022, 1, 1), date(2023, 12, 31))
    )
    first = next(t for t in tasks_of(roadmap) if t.plan_year == 2022)
    submit(first, user, utc(2022, 9, 10), coverage_total=50)
    ws = openpyxl.load_workbook(
        io.BytesIO(roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "xlsx").data)
    )["Сводка"]
    values = rows_of(ws)
    header = next(
        i for i, r in enumerate(values) if r[:4] == ["Показатель", "2022", "2023", "Изменение к предыдущему году"]
    )
    rows = {r[0].strip(): r[1:4] for r in values[header + 1 : header + 14] if r[0]}
    assert rows["Выполнено (отчёт принят)"] == [0, 0, 0]
    assert rows["Выполнено, включая на проверке"] == [1, 0, -1]
    assert rows["Охват участников, всего"] == [50, 0, -50]


def test_executor_workbook_only_has_own_tasks(data):
    org = data.orgs["B"]
    scope = build_scope(data.roadmap, 2023, today=TODAY, organization_id=org.id)
    wb = openpyxl.load_workbook(io.BytesIO(executor_export(data.roadmap, org, scope, "xlsx").data))
    ws = wb["Задачи"]
    assert ws["A1"].value.startswith("Отчёт об исполнении")
    assert ws["A2"].value == f"Организация: МБОУ СОШ №{NBSP}2"  # prose above the table: typographed
    header_row = next(r for r in ws.iter_rows() if r[0].value == "№")
    assert ws.freeze_panes == f"C{header_row[0].row + 1}"
    tasks = [r for r in ws.iter_rows(min_row=header_row[0].row + 1, values_only=True)]
    status = [c.value for c in header_row].index("Статус")
    assert [(t[0], t[status]) for t in tasks] == [("1.1", "на проверке"), ("1.2", "на проверке")]
    assert find_row(wb["Итоги"], "Задач всего")[1].value == 2


# --------------------------------------------------------------------------- CSV


def test_csv_bytes(data):
    raw = export(data, "csv").data
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and text.count("\r\n") >= 8
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][:3] == ["Раздел", "№", "Мероприятие"]
    assert len(rows) == 1 + 7
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["№"] == '="1.1"'  # kept as text by Russian Excel, not read as 1 January
    assert first["Срок"] == "01.09.2023"
    assert first["Охват: всего"] == "120"
    assert first["Соблюдение срока"] == "в срок"


def test_csv_neutralises_formulas(app, make_org, make_user, make_roadmap):
    org = make_org(short_name="@SUM(1+1)")
    user = make_user(role=Role.EXECUTOR, organization=org)
    roadmap = make_roadmap([("1.1", "=2+5", "сентябрь, ежегодно", [org])])
    submit(tasks_of(roadmap)[0], user, utc(2023, 9, 5), comment="+7 999 000-00-00")
    text = roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "csv").data.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1]
    assert "'=2+5" in row and "'@SUM(1+1)" in row and "'+7 999 000-00-00" in row


# --------------------------------------------------------------------------- DOCX


def document(data_bytes):
    return docx.Document(io.BytesIO(data_bytes))


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def section_tables(doc):
    return [t for t in doc.tables if t.rows[0].cells[0].text == "№" and t.rows[0].cells[1].text == "Мероприятие"]


def test_docx_title_period_and_typography(data):
    doc = document(export(data, "docx").data)
    text = all_text(doc)
    assert "ОТЧЁТ" in text
    assert f"о реализации дорожной карты «Тестовая дорожная карта на 2023{NBSP}г.»" in text
    assert f"за 2023{NBSP}год" in text
    assert "Период реализации дорожной карты: 01.01.2023 – 31.12.2023." in text
    assert "Дата формирования отчёта: 15.10.2023." in text
    assert f"Выполнено (отчёт принят) 1 из 6 (16,7{NBSP}%); выполнено, включая на проверке — 4 (66,7{NBSP}%)" in text
    assert "Общий охват участников мероприятий (по отчётам, принятым и на проверке) составил 525 чел." in text
    assert doc.sections[0].page_width > doc.sections[0].page_height  # landscape


def test_docx_section_tables(data):
    doc = document(export(data, "docx").data)
    tables = section_tables(doc)
    assert len(tables) == 2
    header = [c.text for c in tables[0].rows[0].cells]
    assert header == [
        "№",
        "Мероприятие",
        "Срок",
        "Ответственный",
        f"Исполнение (x{NBSP}из{NBSP}y,{NBSP}%)",  # "(x из y, %)" is not broken across lines
        "Охват",
        "Примечание",
    ]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in tables[0].rows[1:]}
    assert rows["1.1"][2] == "до 1 сентября, ежегодно"
    assert rows["1.1"][3] == "МБОУ СОШ № 1, МБОУ СОШ № 2, МБОУ СОШ № 3".replace("№ ", f"№{NBSP}")
    assert rows["1.1"][4].startswith(f"0{NBSP}из{NBSP}3 (0{NBSP}%)")  # on review: not yet done
    assert rows["1.1"][5].startswith("200")
    assert "Семинар проведён; Проведён с опозданием" in rows["1.1"][6]
    assert "Просрочено: 1" in rows["1.1"][6]
    assert rows["1.2"][1] == "Родительское собрание «Выбор профессии»"  # straight quotes → ёлочки
    assert "не применимо: 1" in rows["1.2"][4]
    assert "Собрание «Выбор профессии» проведено" in rows["1.2"][6]
    total = [c.text for c in tables[0].rows[-1].cells]
    assert total[1] == "Итого по разделу" and total[4] == f"задач: 1{NBSP}из{NBSP}4 (25{NBSP}%)"
    second = {r.cells[0].text: [c.text for c in r.cells] for r in tables[1].rows[1:]}
    assert second["2.2"][4] == "задачи не созданы"


def test_docx_executors_charts_and_signature(data):
    doc = document(export(data, "docx").data)
    executors = next(t for t in doc.tables if t.rows[0].cells[1].text == "Организация")
    assert [r.cells[1].text for r in executors.rows[1:]] == [f"МБОУ СОШ №{NBSP}{n}" for n in (1, 2, 3)]
    assert len(doc.inline_shapes) == 4  # the four charts as pictures
    text = all_text(doc)
    assert "Рисунок 1. Исполнение мероприятий по разделам" in text
    assert "Рисунок 4. Исполнение по организациям" in text
    assert "Директор МКУ КНМЦ" in text and "________________ / ______________________" in text


def test_docx_empty_and_unreported(app, make_org, make_roadmap):
    empty = make_roadmap([], title="Пустая")
    doc = document(roadmap_export(empty, build_scope(empty, 2023, today=TODAY), "docx").data)
    assert "задач по дорожной карте не запланировано" in all_text(doc)
    assert len(doc.inline_shapes) == 0
    org = make_org()
    quiet = make_roadmap([("1.1", "А", "сентябрь, ежегодно", [org])], title="Без отчётов")
    doc = document(roadmap_export(quiet, build_scope(quiet, 2023, today=TODAY), "docx").data)
    rows = section_tables(doc)[0].rows
    assert rows[1].cells[4].text.startswith(f"0{NBSP}из{NBSP}1 (0{NBSP}%)") and rows[1].cells[5].text == "—"


def test_docx_long_measure_text(app, make_org, make_roadmap):
    org = make_org()
    long_title = ("Проведение профориентационных мероприятий «Билет в будущее» " * 200)[:10_000]
    roadmap = make_roadmap([("1.1", long_title, "сентябрь, ежегодно", [org])])
    doc = document(roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "docx").data)
    assert section_tables(doc)[0].rows[1].cells[1].text == long_title


def test_docx_comparison_table(app, make_org, make_user, make_roadmap):
    org = make_org()
    user = make_user(role=Role.EXECUTOR, organization=org)
    roadmap = make_roadmap(
        [("1.1", "Собрание", "сентябрь, ежегодно", [org])], period=(date(2021, 1, 1), date(2023, 12, 31))
    )
    for task in tasks_of(roadmap):
        if task.plan_year < 2023:
            submit(task, user, utc(task.plan_year, 9, 10), coverage_total=10 * (task.plan_year - 2020))
    doc = document(roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "docx").data)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Показатель")
    assert [c.text for c in table.rows[0].cells] == [
        "Показатель",
        "2021",
        "2022",
        "2023",
        "Изменение к предыдущему году",
    ]
    coverage = next(r for r in table.rows if r.cells[0].text == "Охват участников, всего")
    assert [c.text for c in coverage.cells[1:]] == ["10", "20", "0", "−20"]


def test_docx_rows_stay_whole_and_signature_stays_together(data):
    doc = document(export(data, "docx").data)
    tables = section_tables(doc)
    for table in tables:
        for row in table.rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
    signature = next(t for t in doc.tables if "________________ / ______________________" in t.rows[0].cells[1].text)
    assert signature.rows[1].cells[1].text.startswith("(подпись)")  # captions in the same table
    assert signature.rows[0].cells[0].paragraphs[0].paragraph_format.keep_with_next
    # The last paragraph of the report is not the signature's captions left on their own.
    assert not doc.paragraphs[-1].text.startswith("(подпись)")


def test_docx_condensed_comments_read_as_one_sentence(app, make_org, make_user, make_roadmap):
    orgs = [make_org(short_name=f"Школа {n}") for n in range(2)]
    roadmap = make_roadmap(
        [("1.1", "Собрание", "сентябрь, ежегодно", orgs), ("1.2", "Семинар", "сентябрь, ежегодно", orgs)]
    )
    for n, org in enumerate(orgs):
        user = make_user(role=Role.EXECUTOR, organization=org)
        for task in tasks_of(roadmap):
            if task.organization_id == org.id:
                submit(task, user, utc(2023, 9, 10 + n), comment=f"Проведено в школе {n}.", coverage_total=5)
    doc = document(roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "docx").data)
    note = section_tables(doc)[0].rows[1].cells[6].text
    assert note == "Проведено в школе 0; Проведено в школе 1"
    wb = openpyxl.load_workbook(
        io.BytesIO(roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "xlsx").data)
    )
    assert find_row(wb["Мероприятия"], "1.1")[-1].value == "Проведено в школе 0; Проведено в школе 1"


def test_file_name_is_cut_at_a_word(app, make_roadmap):
    title = "Дорожная карта по самоопределению и профессиональной ориентации обучающихся в образовательных организациях"
    roadmap = make_roadmap([], title=title)
    name = roadmap_export(roadmap, build_scope(roadmap, 2023, today=TODAY), "csv").filename
    assert name == "Отчёт Дорожная карта по самоопределению и профессиональной ориентации обучающихся 2023.csv"


def test_executor_docx(data):
    org = data.orgs["A"]
    scope = build_scope(data.roadmap, 2023, today=TODAY, organization_id=org.id)
    doc = document(executor_export(data.roadmap, org, scope, "docx").data)
    text = all_text(doc)
    assert "Средняя школа № 5" not in text and "Средняя школа №\xa01" in text
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Мероприятие")
    numbers = [r.cells[0].text for r in table.rows[1:]]
    assert numbers == ["1.1", "1.2", "2.1", "2.1"]
    assert table.rows[1].cells[4].text == "30.08.2023"
    assert f"Директор МБОУ СОШ №{NBSP}1" in text
    assert "МБОУ СОШ № 2" not in text


def test_docx_opens_in_libreoffice(data, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice (soffice) is not installed: the DOCX-to-PDF check needs it")
    source = tmp_path / "report.docx"
    source.write_bytes(export(data, "docx").data)
    result = subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), result.stderr.decode(errors="replace")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_xlsx_sheet_names_are_cut_after_a_word():
    from roadmap.reports.xlsx import unique_sheet_name

    used: set[str] = set()
    assert unique_sheet_name("2. Работа с педагогическими кадрами", used) == "2. Работа с педагогическими"
    assert (
        unique_sheet_name("3. Проведение мероприятий, направленных на формирование", used)
        == "3. Проведение мероприятий"
    )
    assert unique_sheet_name("2. Работа с педагогическими кадрами", used) == "2. Работа с педагогическими (2)"
    assert len(unique_sheet_name("Раздел: " + "а" * 40, used)) == 31  # no word boundary: cut at the limit
