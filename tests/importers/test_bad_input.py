"""Bad input gets one clear Russian sentence (ImportFailed), never a traceback."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from roadmap.importers import ImportFailed, read_document, read_text
from tests.importers.fixtures import krasnodar_docx, krasnodar_xlsx

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _fails(data: bytes, filename: str = "x.docx", **kwargs) -> str:
    with pytest.raises(ImportFailed) as caught:
        read_document(data, filename, **kwargs)
    message = caught.value.message
    assert message == str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    return message


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
    return buffer.getvalue()


def _document(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_empty_file():
    assert _fails(b"") == "Файл пустой"
    assert _fails(b"  \n\r\n ") == "Файл пустой"


def test_over_the_size_limit():
    data = krasnodar_docx()
    assert _fails(data, max_bytes=len(data) - 1).startswith("Файл больше")
    assert _fails(b"x" * (10 * 1024 * 1024 + 1), "x.csv") == "Файл больше 10 МБ: загрузите файл поменьше"


def test_not_a_document():
    assert "таблица мероприятий" in _fails(b"Just some words, nothing else.", "notes.docx")


def test_random_binary():
    assert _fails(bytes(range(256)) * 40, "x.docx") == "Файл не является документом Word, книгой Excel или таблицей CSV"


def test_truncated_docx():
    data = krasnodar_docx()
    assert _fails(data[: len(data) // 2]) == "Файл повреждён или не является документом Word или Excel"


def test_docx_with_broken_xml():
    data = _rezip(krasnodar_docx(), {"word/document.xml": b"<w:document><w:body><w:p>"})
    assert _fails(data) == "Файл повреждён или не является документом Word"


def test_docx_with_corrupted_deflate_stream():
    data = bytearray(krasnodar_docx())
    start = data.find(b"word/document.xml") + 200
    data[start : start + 64] = b"\x00" * 64
    assert "повреждён" in _fails(bytes(data))


def test_xlsx_with_broken_workbook():
    data = _rezip(krasnodar_xlsx(), {"xl/workbook.xml": b"garbage"})
    assert _fails(data, "x.xlsx") == "Файл повреждён или не является книгой Excel"


def test_password_protected_ooxml():
    # An encrypted .docx/.xlsx is an OLE2 compound file with these streams.
    data = OLE2 + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100
    data += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1000
    assert _fails(data) == "Документ защищён паролем: снимите защиту и загрузите снова"


def test_legacy_doc_and_xls():
    data = OLE2 + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 2000
    assert _fails(data, "x.doc") == "Формат .doc/.xls не поддерживается: сохраните файл как .docx или .xlsx"


def test_zip_with_encrypted_members():
    data = bytearray(krasnodar_docx())
    # set the "encrypted" flag in every local and central header
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        while position != -1:
            data[position + offset] |= 0x01
            position = data.find(signature, position + 4)
    assert _fails(bytes(data)) == "Документ защищён паролем: снимите защиту и загрузите снова"


def test_zip_bomb_big_total():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as stream:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                stream.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    assert _fails(data) == "Архив подозрительно сильно сжат (zip-бомба): файл не обработан"


def test_zip_bomb_absurd_ratio():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (20 * 1024 * 1024))
    assert "zip-бомба" in _fails(buffer.getvalue())


def test_zip_that_is_not_an_office_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    assert _fails(buffer.getvalue(), "x.zip") == "Файл повреждён или не является документом Word или Excel"


def test_opendocument():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    assert ".odt" in _fails(buffer.getvalue(), "x.odt")


@pytest.mark.parametrize(
    ("data", "word"),
    [(b"%PDF-1.7\n...", "PDF"), (b"{\\rtf1\\ansi ...}", "RTF"), (b"<html><body><table></table></body></html>", "Веб")],
)
def test_other_formats_are_named(data, word):
    assert word in _fails(data)


def test_docx_without_a_table():
    data = _document("Дорожная карта на 2023 год", "Мероприятия будут определены позднее.")
    assert _fails(data) == "В документе не найдена таблица мероприятий"


def test_docx_with_an_unrelated_table():
    data = _document("Список", table=[["Фамилия", "Имя"], ["Иванов", "Иван"]])
    assert _fails(data) == "В документе не найдена таблица мероприятий"


def test_table_without_a_deadline_column():
    data = _document(
        "Дорожная карта на 2023 год",
        table=[["№", "Мероприятие", "Ответственный"], ["1.1", "Составить план", "МКУ КНМЦ"]],
    )
    assert _fails(data).startswith("В таблице не найден столбец сроков")


def test_table_with_a_header_and_no_measures():
    data = _document(table=[["№", "Мероприятие", "Срок", "Ответственный"], ["", "", "", ""]])
    assert _fails(data) == "В таблице мероприятий не найдено ни одного мероприятия"


def test_pasted_text_problems():
    with pytest.raises(ImportFailed, match="Текст пустой"):
        read_text("   ")
    with pytest.raises(ImportFailed, match="не найден"):
        read_text("просто текст без таблицы")
    with pytest.raises(ImportFailed, match="столбец сроков"):
        read_text("№\tМероприятие\tОтветственный\n1\tПлан\tКНМЦ\n")
