"""Whatever arrives, the importers answer with a result or ImportFailed — nothing else."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.importers import (
    Directory,
    DirectoryEntry,
    ImportFailed,
    ParsedRoadmap,
    match_parties,
    normalize_party,
    read_document,
    read_text,
    split_parties,
)
from tests.importers.fixtures import krasnodar_csv, krasnodar_docx, krasnodar_xlsx

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DOCX = krasnodar_docx(page_split=True)
XLSX = krasnodar_xlsx()
CSV = krasnodar_csv()

WORDS = st.sampled_from(
    [
        "№",
        "№ п/п",
        "Мероприятие",
        "Сроки",
        "Ответственный",
        "Примечание",
        "1.",
        "1.1.",
        "I.",
        "2",
        "-------",
        "",
        "",
        "август-",
        "сентябрь",
        "ОО МО г. Краснодар",
        "1. Методическая работа",
        "ориентации.",
        '"',
        "«",
        ";",
        "\t",
        "\n",
        "МКУ КНМЦ",
    ]
)
DIRECTORY = Directory(
    [
        DirectoryEntry("organization", 1, ["МКУ КНМЦ", "КНМЦ"]),
        DirectoryEntry("group", 2, ["ОО МО г. Краснодар", "ОО"]),
        DirectoryEntry("group", 3, ["СПО"]),
        DirectoryEntry("organization", 4, ["", "  ", "и", ","]),
    ]
)


def _read(data: bytes, name: str = "x") -> None:
    try:
        assert isinstance(read_document(data, name), ParsedRoadmap)
    except ImportFailed as error:
        assert error.message


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    _read(data)


@FUZZ
@given(st.binary(min_size=1, max_size=4000))
def test_random_bytes_behind_magic_numbers(tail):
    for head in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe"):
        _read(head + tail)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_mutated_docx(changes):
    data = bytearray(DOCX)
    for position, value in changes:
        data[position] = value
    _read(bytes(data), "x.docx")


@FUZZ
@given(
    st.integers(1, len(XLSX) - 1), st.lists(st.tuples(st.integers(0, len(XLSX) - 1), st.integers(0, 255)), max_size=4)
)
def test_mutated_or_truncated_xlsx(cut, changes):
    data = bytearray(XLSX)
    for position, value in changes:
        data[position] = value
    _read(bytes(data[: max(cut, len(data) - cut)]), "x.xlsx")


@FUZZ
@given(st.integers(0, len(CSV) - 1), st.binary(max_size=20))
def test_mutated_csv(position, insert):
    _read(CSV[:position] + insert + CSV[position:], "x.csv")


def _zip_with_document_xml(xml: str) -> bytes:
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(DOCX))
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = xml.encode() if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info.filename, data)
    return buffer.getvalue()


@FUZZ
@given(st.data())
def test_mutated_document_xml(data):
    xml = zipfile.ZipFile(io.BytesIO(DOCX)).read("word/document.xml").decode()
    start = data.draw(st.integers(0, len(xml) - 1))
    length = data.draw(st.integers(0, 400))
    _read(_zip_with_document_xml(xml[:start] + xml[start + length :]), "x.docx")


@FUZZ
@given(st.lists(st.lists(WORDS, min_size=1, max_size=6), max_size=30))
def test_random_tables_as_text(rows):
    text = "\n".join("\t".join(row) for row in rows)
    try:
        parsed = read_text(text)
    except ImportFailed as error:
        assert error.message
    else:
        assert all(measure.number for measure in parsed.measures)
    _read(text.encode("cp1251", errors="replace"), "x.csv")


@FUZZ
@given(st.lists(st.lists(WORDS, min_size=4, max_size=4), min_size=1, max_size=15))
def test_random_tables_as_docx(rows):
    from docx import Document

    document = Document()
    table = document.add_table(rows=0, cols=4)
    for values in [["№", "Мероприятие", "Сроки", "Ответственный"], *rows]:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    _read(buffer.getvalue(), "x.docx")


@FUZZ
@given(st.text(max_size=300) | st.lists(WORDS, max_size=12).map(" ".join))
def test_parties_never_raise(text):
    for match in match_parties(text, DIRECTORY):
        assert match.text and match.text in text
    assert all(part in text for part in split_parties(text))
    assert isinstance(normalize_party(text), str)
