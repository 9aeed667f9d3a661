"""Readers: every format of the Krasnodar roadmap gives the same sections and measures."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell

from roadmap.importers import ParsedRoadmap, read_document, read_text
from tests.importers.fixtures import (
    TITLE,
    expected_measures,
    expected_sections,
    krasnodar_csv,
    krasnodar_docx,
    krasnodar_pasted,
    krasnodar_xlsx,
    summary,
)

EXPECTED = (expected_sections(), expected_measures())

KRASNODAR_FILES = {
    "docx": lambda: read_document(krasnodar_docx(), "roadmap.docx"),
    "docx-page-split": lambda: read_document(krasnodar_docx(page_split=True), "roadmap.docx"),
    "xlsx": lambda: read_document(krasnodar_xlsx(), "roadmap.xlsx"),
    "csv-cp1251-semicolon": lambda: read_document(krasnodar_csv(), "roadmap.csv"),
    "csv-utf8-bom-comma": lambda: read_document(krasnodar_csv(encoding="utf-8-sig", delimiter=","), "roadmap.csv"),
    "csv-utf8-semicolon": lambda: read_document(krasnodar_csv(encoding="utf-8"), "roadmap.csv"),
    "tsv-utf8": lambda: read_document(krasnodar_csv(encoding="utf-8", delimiter="\t"), "roadmap.tsv"),
    "tsv-utf16": lambda: read_document(krasnodar_csv(encoding="utf-16", delimiter="\t"), "roadmap.txt"),
    "pasted": lambda: read_text(krasnodar_pasted()),
    "docx-named-txt": lambda: read_document(krasnodar_docx(), "roadmap.txt"),
}


@pytest.mark.parametrize("kind", KRASNODAR_FILES)
def test_every_format_gives_the_same_roadmap(kind):
    parsed = KRASNODAR_FILES[kind]()
    assert isinstance(parsed, ParsedRoadmap)
    assert summary(parsed) == EXPECTED
    assert len(parsed.sections) == 6
    assert len(parsed.measures) == 48
    assert parsed.title == TITLE
    assert (parsed.period_start, parsed.period_end, parsed.year_type) == (
        date(2023, 1, 1),
        date(2023, 12, 31),
        "calendar",
    )
    assert parsed.warnings == []


@pytest.mark.parametrize("kind", ["docx", "docx-page-split", "pasted"])
def test_rows_continued_after_a_page_break_are_glued(kind):
    measures = {m.number: m for m in KRASNODAR_FILES[kind]().measures}
    assert measures["1.7"].title.endswith("по вопросам профессиональной ориентации.")
    assert measures["1.7"].deadline == "май-август ежегодно"
    assert measures["1.7"].responsible == "МКУ КНМЦ"
    assert measures["3.10"].title.endswith(
        "ранней профессиональной ориентации обучающихся 6 – 11 классов «Билет в будущее»"
    )
    assert measures["5.2"].deadline == "август-сентябрь, ежегодно"
    assert measures["5.2"].responsible == "ДО АМУ г.Краснодар ОО МО г. Краснодара"
    assert measures["3.6"].responsible == ""


def test_positions_sections_and_source_rows():
    parsed = read_document(krasnodar_docx(), "roadmap.docx")
    assert [s.position for s in parsed.sections] == list(range(1, 7))
    assert [m.position for m in parsed.measures] == list(range(1, 49))
    rows = [m.source_row for m in parsed.measures]
    assert rows == sorted(rows) and rows[0] == 3  # header, section row, then 1.1


def test_source_rows_of_a_csv_are_its_lines():
    parsed = read_document(krasnodar_csv(), "roadmap.csv")
    assert parsed.measures[0].source_row == 5  # title, empty line, header, section "1."


# ------------------------------------------------------------------ header by meaning


def _docx(rows: list[list[str]], *, before: list[str] = (), merges: dict[int, tuple[int, int]] | None = None) -> bytes:
    document = Document()
    for text in before:
        document.add_paragraph(text)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            table.cell(r, c).text = text
    for r, (first, last) in (merges or {}).items():
        table.cell(r, first).merge(table.cell(r, last)).text = rows[r][first]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("number", "title", "deadline", "responsible"),
    [
        ("№", "Мероприятие", "Сроки", "Ответственный"),
        ("№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственные исполнители"),
        ("N", "Мероприятия", "Срок проведения", "Исполнитель"),
        ("п/п", "Содержание работы", "Сроки проведения", "Исполнители"),
        ("№п/п", "Содержание деятельности", "Сроки реализации", "Ответственный исполнитель"),
        ("№ п.п.", "Направление деятельности, мероприятия", "Дата проведения", "Ответственные"),
        ("No", "Наименование мероприятий", "Период", "Соисполнители"),
    ],
)
def test_header_synonyms(number, title, deadline, responsible):
    rows = [
        [number, title, deadline, responsible],
        ["1.", "Планирование", "", ""],
        ["1.1.", "Составить план", "сентябрь", "МКУ КНМЦ"],
    ]
    parsed = read_document(_docx(rows), "x.docx")
    assert summary(parsed) == ([("1", "Планирование")], [("1.1", "1", "Составить план", "сентябрь", "МКУ КНМЦ")])


def test_any_column_order_with_extra_columns_kept_as_notes():
    rows = [
        ["Ответственные исполнители", "Ожидаемый результат", "Срок исполнения", "№ п/п", "Мероприятие", "Примечание"],
        ["МКУ КНМЦ", "План утверждён", "до 1 сентября", "1.1.", "Разработка плана", ""],
        ["ОО МО г. Краснодар", "Охват 90%", "в течение года", "1.2", "Консультации", "по запросу"],
    ]
    parsed = read_document(_docx(rows), "x.docx")
    first, second = parsed.measures
    assert (first.number, first.title, first.deadline, first.responsible) == (
        "1.1",
        "Разработка плана",
        "до 1 сентября",
        "МКУ КНМЦ",
    )
    assert first.section_number is None
    assert first.notes == {"Ожидаемый результат": "План утверждён", "Примечание": ""}
    assert second.notes == {"Ожидаемый результат": "Охват 90%", "Примечание": "по запросу"}
    assert parsed.sections == []


def test_header_over_two_rows_and_numbering_row_are_skipped():
    rows = [
        ["№ п/п", "Мероприятие", "Сроки", "Ответственные"],
        ["", "", "исполнения", "исполнители"],
        ["1", "2", "3", "4"],
        ["1.1", "Составить план", "сентябрь", "МКУ КНМЦ"],
    ]
    parsed = read_document(_docx(rows), "x.docx")
    assert summary(parsed)[1] == [("1.1", None, "Составить план", "сентябрь", "МКУ КНМЦ")]


def test_header_split_over_rows_without_deadline_in_the_first():
    rows = [
        ["№", "Наименование мероприятия", "Срок", "Ответственный"],
        ["", "", "исполнения", ""],
        ["1.", "Составить план", "май", "КНМЦ"],
    ]
    parsed = read_document(_docx(rows), "x.docx")
    assert summary(parsed)[1] == [("1", None, "Составить план", "май", "КНМЦ")]


def test_rows_above_the_header_give_the_title_when_there_is_no_paragraph():
    rows = [
        ["План мероприятий на 2023-2024 учебный год", "", "", ""],
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["1", "Составить план", "сентябрь", "КНМЦ"],
    ]
    parsed = read_document(_docx(rows, merges={0: (0, 3)}), "x.docx")
    assert parsed.title == "План мероприятий на 2023-2024 учебный год"
    assert (parsed.period_start, parsed.period_end, parsed.year_type) == (
        date(2023, 9, 1),
        date(2024, 8, 31),
        "academic",
    )


def test_title_spread_over_paragraphs_before_the_table():
    rows = [["№", "Мероприятие", "Срок", "Ответственный"], ["1", "Составить план", "сентябрь", "КНМЦ"]]
    before = [
        "УТВЕРЖДАЮ",
        "Директор МКУ КНМЦ",
        "",
        "ДОРОЖНАЯ КАРТА",
        "по профориентации",
        "на 2022–2024 годы",
        "Пояснения.",
    ]
    parsed = read_document(_docx(rows, before=before), "x.docx")
    assert parsed.title == "ДОРОЖНАЯ КАРТА по профориентации на 2022–2024 годы"
    assert (parsed.period_start, parsed.period_end) == (date(2022, 1, 1), date(2024, 12, 31))


# ------------------------------------------------------------------ rows


def test_numbering_with_and_without_trailing_dots_and_roman_sections():
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["I.", "Организационная работа", "", ""],
        ["1.1", "Первое", "май", "КНМЦ"],
        ["1.2.", "Второе", "июнь", "КНМЦ"],
        ["II", "Методическая работа", "", ""],
        ["2.1.1.", "Третье", "июль", "КНМЦ"],
    ]
    parsed = read_document(_docx(rows), "x.docx")
    assert summary(parsed) == (
        [("I", "Организационная работа"), ("II", "Методическая работа")],
        [
            ("1.1", "I", "Первое", "май", "КНМЦ"),
            ("1.2", "I", "Второе", "июнь", "КНМЦ"),
            ("2.1.1", "II", "Третье", "июль", "КНМЦ"),
        ],
    )


def test_section_rows_without_numbers_get_generated_numbers():
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["Методическая работа", "", "", ""],
        ["1", "Первое", "май", "КНМЦ"],
        ["Работа с родителями", "Работа с родителями", "Работа с родителями", "Работа с родителями"],
        ["2", "Второе", "июнь", "КНМЦ"],
    ]
    parsed = read_document(_docx(rows, merges={1: (0, 3)}), "x.docx")
    assert summary(parsed) == (
        [("1", "Методическая работа"), ("2", "Работа с родителями")],
        [("1", "1", "Первое", "май", "КНМЦ"), ("2", "2", "Второе", "июнь", "КНМЦ")],
    )
    assert any("без номера" in warning for warning in parsed.warnings)


def test_section_number_in_its_own_cell():
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["1.", "Методическая работа", "", ""],
        ["1.1.", "Первое", "май", "КНМЦ"],
    ]
    parsed = read_document(_docx(rows), "x.docx")
    assert summary(parsed)[0] == [("1", "Методическая работа")]


def test_flat_numbering_is_not_mistaken_for_sections():
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["1", "Первое", "май", "КНМЦ"],
        ["2", "Второе без срока", "", ""],
        ["3", "Третье", "июнь", "КНМЦ"],
    ]
    parsed = read_document(_docx(rows), "x.docx")
    assert parsed.sections == []
    assert [m.number for m in parsed.measures] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("август-", "сентябрь, ежегодно", "август-сентябрь, ежегодно"),
        ("август -", "сентябрь", "август - сентябрь"),
        ("сентябрь–", "октябрь", "сентябрь–октябрь"),
        ("май", "ежегодно", "май ежегодно"),
    ],
)
def test_continuation_join(first, second, joined):
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["1.1", "Первое", first, "КНМЦ"],
        ["", "", second, ""],
    ]
    assert read_document(_docx(rows), "x.docx").measures[0].deadline == joined


def test_artefacts_and_empty_rows_are_ignored():
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["", "", "", ""],
        ["1.1", "Первое", "май", "КНМЦ"],
        ["______", "|", "---", "==="],
        ["-------", "---", "---------------------", "------------------------"],
    ]
    parsed = read_document(_docx(rows), "x.docx")
    assert len(parsed.measures) == 1 and parsed.warnings == []


def test_whitespace_and_line_breaks_inside_cells_collapse():
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["1.1", "Первое\nмероприятие  с\tпробелами", " май ", "МКУ\nКНМЦ"],
    ]
    measure = read_document(_docx(rows), "x.docx").measures[0]
    assert (measure.title, measure.deadline, measure.responsible) == (
        "Первое мероприятие с пробелами",
        "май",
        "МКУ КНМЦ",
    )


def test_vertically_merged_responsible_applies_to_every_row():
    document = Document()
    table = document.add_table(rows=4, cols=4)
    for c, text in enumerate(["№", "Мероприятие", "Срок", "Ответственный"]):
        table.cell(0, c).text = text
    for r, (number, title) in enumerate([("1.1", "Первое"), ("1.2", "Второе"), ("1.3", "Третье")], start=1):
        table.cell(r, 0).text, table.cell(r, 1).text, table.cell(r, 2).text = number, title, "май"
    table.cell(1, 3).merge(table.cell(3, 3)).text = "ОО МО г. Краснодар"
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = read_document(buffer.getvalue(), "x.docx")
    assert [m.responsible for m in parsed.measures] == ["ОО МО г. Краснодар"] * 3


def test_vertically_merged_number_continues_the_measure():
    document = Document()
    table = document.add_table(rows=3, cols=4)
    for c, text in enumerate(["№", "Мероприятие", "Срок", "Ответственный"]):
        table.cell(0, c).text = text
    table.cell(1, 0).merge(table.cell(2, 0)).text = "1.1"
    table.cell(1, 1).text, table.cell(2, 1).text = "Начало названия", "и его конец"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "май"
    table.cell(1, 3).text = "КНМЦ"
    buffer = io.BytesIO()
    document.save(buffer)
    (measure,) = read_document(buffer.getvalue(), "x.docx").measures
    assert (measure.number, measure.title, measure.deadline, measure.responsible) == (
        "1.1",
        "Начало названия и его конец",
        "май",
        "КНМЦ",
    )


def test_rows_inside_content_controls_are_read():
    data = _docx([["№", "Мероприятие", "Срок", "Ответственный"], ["1.1", "Первое", "май", "КНМЦ"]])
    document = Document(io.BytesIO(data))
    tr = document.tables[0]._tbl.tr_lst[1]
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    tr.addprevious(sdt)
    sdt.append(content)
    content.append(tr)
    assert document.element.body.find(qn("w:tbl")).find(qn("w:sdt")) is not None
    buffer = io.BytesIO()
    document.save(buffer)
    assert [m.number for m in read_document(buffer.getvalue(), "x.docx").measures] == ["1.1"]


def test_table_after_the_roadmap_with_another_layout_is_skipped():
    document = Document(io.BytesIO(krasnodar_docx()))
    other = document.add_table(rows=2, cols=2)
    other.cell(0, 0).text, other.cell(0, 1).text = "Согласовано", "Подпись"
    other.cell(1, 0).text, other.cell(1, 1).text = "Директор", "Иванов"
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = read_document(buffer.getvalue(), "x.docx")
    assert summary(parsed) == EXPECTED
    assert any("Таблица 2 пропущена" in warning for warning in parsed.warnings)


def test_a_500_row_document_reads_whole():
    # How fast is `make bench`'s business (bench/documents.py); here: every row of a large table.
    document = Document()
    table = document.add_table(rows=0, cols=5)

    def add(values: list[str], *, span: bool = False) -> None:
        # Cells filled through the XML: python-docx's cell lookup is quadratic in the rows.
        tcs = table.add_row()._tr.tc_lst
        if span:
            for tc in tcs[1:]:
                tc.getparent().remove(tc)
            tcs[0].get_or_add_tcPr().append(OxmlElement("w:gridSpan"))
            tcs[0].tcPr[-1].set(qn("w:val"), str(len(tcs)))
            tcs = tcs[:1]
        for tc, text in zip(tcs, values, strict=False):
            _Cell(tc, table).text = text

    add(["№", "Мероприятие", "Срок", "Ответственный", "Примечание"])
    for section in range(1, 11):
        add([f"{section}. Раздел {section}"], span=True)
        for i in range(1, 50):
            add([f"{section}.{i}.", f"Мероприятие {section}.{i}", "сентябрь", "ОО МО г. Краснодар", ""])
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    parsed = read_document(data, "big.docx")
    assert len(parsed.measures) == 490 and len(parsed.sections) == 10


# ------------------------------------------------------------------ Excel specifics


def _xlsx(rows: list[list[object]], *, number_format: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if number_format:
        for cell in sheet["A"]:
            cell.number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_numbers_stored_as_numbers():
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        [1, "Раздел", None, None],
        *[[float(f"1.{i}"), f"Мероприятие {i}", "май", "КНМЦ"] for i in range(1, 11)],
        [2, "Второй раздел", None, None],
        [2.1, "Ещё", "июнь", "КНМЦ"],
    ]
    parsed = read_document(_xlsx(rows), "x.xlsx")
    assert [s.number for s in parsed.sections] == ["1", "2"]
    assert [m.number for m in parsed.measures] == [*(f"1.{i}" for i in range(1, 11)), "2.1"]
    assert any("1.10" in warning for warning in parsed.warnings)


def test_xlsx_number_turned_into_a_date_by_russian_excel():
    rows = [["№", "Мероприятие", "Срок", "Ответственный"], [date(2023, 10, 1), "Десятое", "май", "КНМЦ"]]
    assert read_document(_xlsx(rows), "x.xlsx").measures[0].number == "1.10"


def test_xlsx_dates_in_the_deadline_column_read_as_russian_dates():
    rows = [["№", "Мероприятие", "Срок", "Ответственный"], ["1.1", "Первое", date(2023, 9, 1), "КНМЦ"]]
    assert read_document(_xlsx(rows), "x.xlsx").measures[0].deadline == "01.09.2023"


# ------------------------------------------------------------------ text specifics


def test_csv_with_quoted_line_breaks_and_quotes():
    text = 'Мероприятие;Срок;Ответственный\n"Встреча ""Билет в будущее""\nдля 9 классов";"сентябрь,\nежегодно";"МКУ КНМЦ; ОО"\n'
    (measure,) = read_document(text.encode("cp1251"), "x.csv").measures
    assert (measure.title, measure.deadline, measure.responsible) == (
        'Встреча "Билет в будущее" для 9 классов',
        "сентябрь, ежегодно",
        "МКУ КНМЦ; ОО",
    )
    assert measure.number == "1"  # no number column: generated


def test_pasted_text_with_quotes_inside_cells():
    text = '№\tМероприятие\tСрок\tОтветственный\n1.1.\t"Билет в будущее" для школьников\tмай\tКНМЦ\n'
    assert read_text(text).measures[0].title == '"Билет в будущее" для школьников'


def test_text_with_columns_aligned_by_spaces():
    text = (
        "№ п/п   Мероприятие                      Сроки              Ответственный\n"
        "1.1.    Разработка плана работы          до 1 сентября      МКУ КНМЦ\n"
        "1.2.    Мониторинг                       ноябрь ежегодно    ОО МО г. Краснодар\n"
        "        школ города                      \n"
    )
    parsed = read_text(text)
    assert summary(parsed)[1] == [
        ("1.1", None, "Разработка плана работы", "до 1 сентября", "МКУ КНМЦ"),
        ("1.2", None, "Мониторинг школ города", "ноябрь ежегодно", "ОО МО г. Краснодар"),
    ]


def test_numbers_leading_the_title_when_there_is_no_number_column():
    text = (
        "Мероприятие;Срок;Ответственный\n1. Методическая работа;;\n1.1. Составить план;май;КНМЦ\nБез номера;июнь;КНМЦ\n"
    )
    parsed = read_document(text.encode("cp1251"), "x.csv")
    assert summary(parsed) == (
        [("1", "Методическая работа")],
        [("1.1", "1", "Составить план", "май", "КНМЦ"), ("1.2", "1", "Без номера", "июнь", "КНМЦ")],
    )


def test_a_csv_without_a_title_row_has_no_title_and_is_named_after_its_file(app):
    from roadmap.importers import read_document
    from roadmap.plans.service import create_roadmap

    data = "№;Мероприятие;Сроки;Ответственный\n1.1;Семинар;сентябрь;ОО\n1.2;Собрание;октябрь;ОО\n".encode()
    parsed = read_document(data, "План профориентации.csv")
    assert parsed.title is None  # the header cell «№» is not a title
    roadmap = create_roadmap(parsed, user=None, filename="План профориентации.csv")
    assert roadmap.title == "План профориентации"
    titled = read_document("План мероприятий на 2024 год;;;\n".encode() + data, "x.csv")
    assert titled.title == "План мероприятий на 2024 год"


def test_numbering_restarting_in_each_section_is_kept_with_its_section():
    from roadmap.importers import read_document

    rows = [
        ["№ п/п", "Мероприятие", "Сроки", "Ответственный"],
        ["I.", "Методическая работа", "", ""],
        ["1.", "Семинар", "сентябрь", "ОО"],
        ["2.", "Собрание", "октябрь", "ОО"],
        ["II.", "Работа с родителями", "", ""],
        ["1.", "Лекторий", "ноябрь", "ОО"],
        ["2.", "Консультации", "декабрь", "ОО"],
        ["3.", "Встречи", "май", "ОО"],
        ["V.", "Другое", "", ""],
        ["3.", "Экскурсии", "май", "ОО"],
        ["3.", "Экскурсии ещё раз", "июнь", "ОО"],
    ]
    text = "План мероприятий на 2024 год\n" + "\n".join("\t".join(r) for r in rows)
    parsed = read_document(text.encode(), "plan.tsv")
    assert parsed.title == "План мероприятий на 2024 год"  # a title row is not a header row
    assert [s.number for s in parsed.sections] == ["I", "II", "V"]
    assert [m.number for m in parsed.measures] == ["I.1", "I.2", "II.1", "II.2", "II.3", "V.3", "V.3"]
    # restarting is normal; only the repeat inside section V is flagged
    assert parsed.warnings == ["Строка 12: номер мероприятия 3 повторяется в разделе (см. строку 11)"]


def test_numbering_running_on_across_sections_is_left_as_written():
    from roadmap.importers import read_document

    rows = [
        ["№", "Мероприятие", "Сроки", "Ответственный"],
        ["1.", "Раздел один", "", ""],
        ["1.1", "А", "май", "ОО"],
        ["1.2", "Б", "май", "ОО"],
        ["2.", "Раздел два", "", ""],
        ["2.1", "В", "май", "ОО"],
    ]
    parsed = read_document("\n".join("\t".join(r) for r in rows).encode(), "plan.tsv")
    assert [m.number for m in parsed.measures] == ["1.1", "1.2", "2.1"]
    assert parsed.warnings == []


def test_a_repeat_inside_a_section_is_told_apart_without_a_range_like_suffix(app):
    from roadmap.importers import read_document
    from roadmap.plans.service import create_roadmap

    rows = [["№", "Мероприятие", "Сроки", "Ответственный"], ["1.", "А", "май", "ОО"], ["1.", "Б", "июнь", "ОО"]]
    parsed = read_document("\n".join("\t".join(r) for r in rows).encode(), "plan.tsv")
    roadmap = create_roadmap(parsed, user=None, filename="plan.tsv")
    assert [m.number for m in roadmap.measures] == ["1", "1 (2)"]
