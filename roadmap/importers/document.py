"""``read_document``: any uploaded file → ParsedRoadmap, or ImportFailed with one sentence."""

from __future__ import annotations

import logging

from roadmap.importers.docx_reader import read_docx
from roadmap.importers.model import ImportFailed, ParsedRoadmap
from roadmap.importers.table import interpret
from roadmap.importers.text_reader import NOT_TEXT, decode, looks_like_text, read_text
from roadmap.importers.xlsx_reader import read_xlsx
from roadmap.importers.zipsafe import open_zip
from roadmap.russian import quantity

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The most measures one roadmap may have: what this machine imports, reviews and publishes
# well inside gunicorn's 60 s timeout (docs/performance.md, «Большие документы»). 3,000
# measures take about 5 s per step; 10,000 took over 60 s to publish on SQLite.
MAX_MEASURES = 5000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NOT_OOXML = "Файл повреждён или не является документом Word или Excel"


def _size_label(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    return f"{megabytes:g} МБ" if megabytes >= 1 else f"{max_bytes // 1024} КБ"


def _ole2(data: bytes) -> ImportFailed:
    # Encrypted OOXML is an OLE2 compound file with these two streams (names in UTF-16).
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return ImportFailed("Документ защищён паролем: снимите защиту и загрузите снова")
    return ImportFailed("Формат .doc/.xls не поддерживается: сохраните файл как .docx или .xlsx")


def _unsupported(data: bytes) -> ImportFailed | None:
    head = data[:1024].lstrip().lower()
    if head.startswith(b"{\\rtf"):
        return ImportFailed("Формат RTF не поддерживается: сохраните файл как .docx")
    if head.startswith(b"%pdf"):
        return ImportFailed("Формат PDF не поддерживается: загрузите исходный документ Word (.docx)")
    if head.startswith((b"<html", b"<!doctype html", b"mime-version:")) or b"<html" in head[:300]:
        return ImportFailed("Веб-страница не поддерживается: сохраните документ как .docx")
    if head.startswith(b"<?xml") and b"w:wordDocument" in data[:4096]:
        return ImportFailed("Формат Word XML 2003 не поддерживается: сохраните документ как .docx")
    return None


def _read_zip(data: bytes) -> ParsedRoadmap:
    archive = open_zip(data, NOT_OOXML)
    names = set(archive.namelist())
    if "word/document.xml" in names or any(name.startswith("word/") for name in names):
        return interpret(read_docx(archive))
    if "xl/workbook.xml" in names or any(name.startswith("xl/") for name in names):
        return interpret(read_xlsx(data))
    if "mimetype" in names or "content.xml" in names:
        raise ImportFailed("Формат OpenDocument (.odt/.ods) не поддерживается: сохраните файл как .docx или .xlsx")
    raise ImportFailed(NOT_OOXML)


def check_measure_limit(parsed: ParsedRoadmap) -> ParsedRoadmap:
    """The parsed roadmap, or ImportFailed naming the limit when it has too many measures."""
    if len(parsed.measures) > MAX_MEASURES:
        raise ImportFailed(
            f"В документе {quantity(len(parsed.measures), 'мероприятие', 'мероприятия', 'мероприятий')}, "
            "а в одной дорожной карте может быть не больше "
            f"{MAX_MEASURES}: разделите документ на несколько дорожных карт"
        )
    return parsed


def read_document(data: bytes, filename: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedRoadmap:
    """Read an uploaded roadmap: DOCX, XLSX, CSV/TSV or plain text, recognised by content.

    The file name is only used for messages about formats told apart by name; the
    content decides. Raises :class:`ImportFailed` — and nothing else — for bad input.
    """
    try:
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        if not isinstance(data, bytes):
            raise ImportFailed(NOT_TEXT)
        if len(data) > max_bytes:
            raise ImportFailed(f"Файл больше {_size_label(max_bytes)}: загрузите файл поменьше")
        if not data.strip():
            raise ImportFailed("Файл пустой")
        if data.startswith(OLE2):
            raise _ole2(data)
        if data.startswith(b"PK"):
            return check_measure_limit(_read_zip(data))
        problem = _unsupported(data)
        if problem is not None:
            raise problem
        text = decode(data)
        if not looks_like_text(text):
            raise ImportFailed(NOT_TEXT)
        return read_text(text)
    except ImportFailed:
        raise
    except RecursionError as error:
        raise ImportFailed("Документ слишком сложно устроен, чтобы его прочитать") from error
    except Exception as error:
        # A last line of defence: a reader bug must reach the user as a message, not a 500.
        log.exception("import of %r failed unexpectedly", filename)
        raise ImportFailed("Файл повреждён или имеет неизвестный формат") from error
