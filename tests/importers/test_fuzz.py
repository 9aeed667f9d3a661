"""Every importer under fuzzing: random bytes and mutated real documents (bytes flipped, files cut,
zip entries shuffled or dropped, the XML inside edited) give a result or ImportFailed — never
another exception. `read_document` has a last line of defence that turns any reader bug into
ImportFailed and logs it; these tests also demand that it stays unused, so a bug is not hidden.
"""

from __future__ import annotations

import io
import logging
import random
import zipfile
from contextlib import contextmanager, suppress

import openpyxl
import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.importers import ImportFailed, ParsedRoadmap, read_document, read_text
from tests.importers.fixtures import krasnodar_csv, krasnodar_docx, krasnodar_xlsx

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Rebuilding a package costs a few milliseconds: fewer examples keep these under two seconds.
FUZZ_ZIP = settings(FUZZ, max_examples=60)
HEADER = ["№ п/п", "Мероприятие", "Сроки исполнения", "Ответственный"]
ROWS = [
    ["1. Методическая работа", "", "", ""],
    ["1.1", "План профориентационной работы", "до 1 сентября, ежегодно", "МКУ КНМЦ"],
    ["1.2", "Совещание ответственных", "когда получится", "ООО Ромашка"],
    ["", "(продолжение после разрыва страницы)", "", ""],
    ["2. Работа с родителями", "", "", ""],
    ["2.1", "Родительские собрания", "1 раз в четверть", "ОО МО г. Краснодара, СПО"],
]


def make_docx() -> bytes:
    document = Document()
    document.add_paragraph("Дорожная карта по профориентации на 2025-2026 учебный год")
    table = document.add_table(rows=1 + len(ROWS), cols=4)
    for r, values in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(1, 3))  # a section row spanning the table
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Дорожная карта на 2025 год"])
    for values in [HEADER, *ROWS]:
        sheet.append(values)
    sheet.merge_cells("A3:D3")
    book.create_sheet("Справочник").append(["ОО", "школы"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DOCX = make_docx()
XLSX = make_xlsx()
CSV = "\n".join(";".join(values) for values in [HEADER, *ROWS]).encode("cp1251")
# The Krasnodar roadmap as issued (a table split across pages), in each format.
REAL = [(krasnodar_docx(page_split=True), "x.docx"), (krasnodar_xlsx(), "x.xlsx"), (krasnodar_csv(), "x.csv")]
WORDS = st.sampled_from(
    ["№", "№ п/п", "Мероприятие", "Сроки", "Ответственный", "Примечание", "1.", "1.1.", "I.", "2", "-------",
     "", "август-", "сентябрь", "ОО МО г. Краснодар", "1. Методическая работа", "ориентации.", '"', "«", ";",
     "\t", "\n", "МКУ КНМЦ"]
)  # fmt: skip
XML_SNIPPETS = [
    b"<", b">", b"</w:tc>", b"<w:tc>", b"</w:tr>", b"<w:tr>", b"<w:tbl>", b'<w:gridSpan w:val="-1"/>',
    b'<w:gridSpan w:val="99999999"/>', b'<w:vMerge w:val="restart"/>', b"<w:vMerge/>", b"&", b"&amp;",
    b"&#0;", b"&#xD800;", b"\x00", b"\xff", b"]]>", b"<![CDATA[", b"<?xml?>", b'"', b"<c r=\"XFD1048576\">",
    b"<v>1e309</v>", b"<v>NaN</v>", b'<c t="s"><v>99999</v></c>', b'<mergeCell ref="A1:XFD1048576"/>',
    b'<c t="d"><v>not a date</v></c>', b'<row r="-5">', b'<row r="1048577">',
]  # fmt: skip


@contextmanager
def no_hidden_bugs():
    """Fail when read_document's catch-all swallowed an unexpected exception."""
    records: list[logging.LogRecord] = []

    class Collector(logging.Handler):
        def emit(self, record):
            records.append(record)

    logger = logging.getLogger("roadmap.importers.document")
    handler = Collector(level=logging.ERROR)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    bugs = [f"{r.getMessage()}: {r.exc_info[1]!r}" for r in records if r.exc_info]
    assert not bugs, bugs


def read(data: bytes, name: str = "file") -> None:
    with no_hidden_bugs():
        try:
            result = read_document(data, name)
        except ImportFailed as error:
            assert error.message and isinstance(error.message, str)
        else:
            assert isinstance(result, ParsedRoadmap)


def rezip(data: bytes, transform) -> bytes:
    """Rebuild an OOXML package after `transform(list of (name, bytes))`."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, body in transform(members):
            target.writestr(name, body)
    return out.getvalue()


def test_the_real_documents_are_read():
    for data, name in ((DOCX, "карта.docx"), (XLSX, "карта.xlsx"), (CSV, "карта.csv")):
        parsed = read_document(data, name)
        numbers = [m.number for m in parsed.measures]
        assert {"1.1", "1.2", "2.1"} <= set(numbers), (name, numbers)


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["x.docx", "x.xlsx", "x.csv", "x.txt", "x.pdf", ""]))
def test_random_bytes(data, name):
    read(data, name)


@FUZZ
@given(st.binary(min_size=1, max_size=3000))
def test_random_bytes_behind_magic_numbers(tail):
    for head in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe"):
        read(head + tail)


@FUZZ
@given(
    st.sampled_from([(DOCX, "x.docx"), (XLSX, "x.xlsx"), (CSV, "x.csv"), *REAL]),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6),
    st.floats(0.05, 1),
)
def test_flipped_bytes_and_truncation(document, flips, keep):
    data, name = document
    mutated = bytearray(data)
    for where, value in flips:
        mutated[int(where * len(mutated))] = value
    read(bytes(mutated[: max(1, int(len(mutated) * keep))]), name)


@FUZZ_ZIP
@given(st.sampled_from([DOCX, XLSX]), st.randoms(use_true_random=False), st.integers(0, 3))
def test_shuffled_dropped_and_duplicated_zip_entries(data, rng, mode):
    def transform(members):
        members = list(members)
        rng.shuffle(members)
        if mode == 1 and members:
            members.pop(rng.randrange(len(members)))
        if mode == 2 and members:
            members.append(rng.choice(members))  # a duplicate name: zipfile warns, readers must cope
        if mode == 3:
            members = [(name.upper() if rng.random() < 0.3 else name, body) for name, body in members]
        return members

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name" when building the test file
        mutated = rezip(data, transform)
    read(mutated, "x.docx" if data is DOCX else "x.xlsx")


MAIN_PARTS = {
    id(DOCX): ["word/document.xml", "[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"],
    id(XLSX): ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml"],
}


@FUZZ_ZIP
@given(
    st.sampled_from([DOCX, XLSX]),
    st.integers(0, 3),
    st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(XML_SNIPPETS), st.integers(0, 40)),
        min_size=1,
        max_size=5,
    ),
)
def test_edited_xml_inside_the_package(data, part_index, edits):
    """Mutations of the decompressed XML get past the zip checks and reach the XML readers."""
    parts = MAIN_PARTS[id(data)]
    target = parts[part_index % len(parts)]

    def transform(members):
        result = []
        for name, body in members:
            if name == target:
                body = bytearray(body)
                for where, snippet, delete in edits:
                    position = int(where * len(body))
                    body[position : position + delete] = snippet
                body = bytes(body)
            result.append((name, body))
        return result

    read(rezip(data, transform), "x.docx" if data is DOCX else "x.xlsx")


@FUZZ
@given(st.text(max_size=1000))
def test_pasted_text(text):
    with no_hidden_bugs(), suppress(ImportFailed):
        read_text(text)


@FUZZ
@given(st.lists(st.lists(WORDS, min_size=1, max_size=6), max_size=30))
def test_random_tables_as_text(rows):
    text = "\n".join("\t".join(row) for row in rows)
    with no_hidden_bugs():
        try:
            parsed = read_text(text)
        except ImportFailed as error:
            assert error.message
        else:
            assert all(measure.number for measure in parsed.measures)
    read(text.encode("cp1251", errors="replace"), "x.csv")


@FUZZ
@given(st.lists(st.lists(WORDS, min_size=4, max_size=4), min_size=1, max_size=15))
def test_random_tables_as_docx(rows):
    document = Document()
    table = document.add_table(rows=0, cols=4)
    for values in [["№", "Мероприятие", "Сроки", "Ответственный"], *rows]:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    read(buffer.getvalue(), "x.docx")


@pytest.mark.parametrize("document", ["docx", "xlsx"])
def test_entity_expansion_is_not_performed(document):
    """A "billion laughs" DOCTYPE must neither hang the server nor expand."""
    laughs = '<!DOCTYPE r [<!ENTITY a "haha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">' for i in range(9)
    )
    laughs += "]>"

    def inject(members):
        result = []
        for name, body in members:
            if name in ("word/document.xml", "xl/worksheets/sheet1.xml"):
                text = body.decode("utf-8")
                head, _sep, rest = text.partition("?>")
                text = head + "?>" + laughs + rest.replace("План профориентационной", "План &j; профориентационной")
                body = text.encode("utf-8")
            result.append((name, body))
        return result

    data = rezip(DOCX if document == "docx" else XLSX, inject)
    with no_hidden_bugs():
        try:
            parsed = read_document(data, f"x.{document}")
        except ImportFailed:
            parsed = None
    if parsed is not None:
        assert all("haha" not in m.title for m in parsed.measures)


def test_deeply_nested_tables_are_refused_or_read():
    inner = "<w:tbl><w:tr><w:tc><w:p/>{}</w:tc></w:tr></w:tbl>"
    nested = "{}"
    for _ in range(300):
        nested = nested.format(inner)
    nested = nested.format("")

    def transform(members):
        return [
            (name, body.replace(b"<w:body>", b"<w:body>" + nested.encode(), 1) if name == "word/document.xml" else body)
            for name, body in members
        ]

    read(rezip(DOCX, transform), "x.docx")


def test_seeded_smoke_over_many_random_mutations():
    """A cheap deterministic sweep beyond hypothesis' examples: 200 single-byte flips of the DOCX."""
    rng = random.Random(2026)
    for _ in range(200):
        mutated = bytearray(DOCX)
        mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        read(bytes(mutated), "x.docx")
