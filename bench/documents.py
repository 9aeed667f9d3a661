"""Big roadmap documents built on the spot: a CSV and a DOCX of N measures, padded to a size.

The rows look like a real plan's: sections every 50 measures, numbering that restarts in each
section, deadlines of the usual kinds and responsible cells naming groups. Padding goes into a
«Примечание» column, so a file can reach 10 MB without more measures than the limit allows.
The DOCX is written as raw WordprocessingML (runs with properties, as Word saves them), which
is much faster than python-docx for thousands of rows.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from xml.sax.saxutils import escape

HEADER = ["№ п/п", "Мероприятие", "Сроки исполнения", "Ответственный", "Примечание"]
DEADLINES = [
    "сентябрь, ежегодно",
    "ежеквартально",
    "до 25 мая 2023 г.",
    "в течение года",
    "октябрь 2023 г.",
    "ежемесячно",
    "декабрь, март",
    "по отдельному плану",
]
RESPONSIBLE = ["ОО г. Т", "МКУ КНМЦ", "СОШ 1, СОШ 2", "ДО АМУ", "ОО г. Т, МКУ КНМЦ"]
WORDS = [
    "проведение",
    "мониторинга",
    "организация",
    "участия",
    "обучающихся",
    "родителей",
    "педагогов",
    "профессиональной",
    "ориентации",
    "методических",
    "семинаров",
    "классных",
    "часов",
    "экскурсий",
    "предприятия",
    "региона",
    "занятости",
    "результатов",
    "анализ",
    "работы",
    "совещания",
    "информирование",
    "конкурса",
    "проекта",
    "центров",
]
SECTION_EVERY = 50
LETTERS = "абвгдежзиклмнопрстуфхцчшщыэюя"


def rows(
    measures: int, *, note_chars: int = 0, seed: int = 15, responsible: list[str] | None = None
) -> list[tuple[str, list[str]]]:
    """("section", [number, title]) and ("row", [number, title, deadline, responsible, note])."""
    responsible = responsible or RESPONSIBLE
    rng = random.Random(seed)
    out: list[tuple[str, list[str]]] = []
    for index in range(measures):
        section, item = divmod(index, SECTION_EVERY)
        if item == 0:
            out.append(("section", [f"{section + 1}.", f"Раздел {section + 1}. " + " ".join(rng.sample(WORDS, 4))]))
        title = f"Мероприятие {index + 1}: " + " ".join(rng.choice(WORDS) for _ in range(14))
        note = _padding(rng, note_chars)
        out.append(
            (
                "row",
                [
                    f"{section + 1}.{item + 1}",
                    title,
                    DEADLINES[index % len(DEADLINES)],
                    responsible[index % len(responsible)],
                    note,
                ],
            )
        )
    return out


def _padding(rng: random.Random, chars: int) -> str:
    # Words of random letters: they compress about as badly as real prose with its formatting
    # does, so a padded DOCX keeps Word's ratio of XML to file (about 6 to 1), not 50 to 1.
    words: list[str] = []
    length = 0
    while length < chars:
        word = "".join(rng.choices(LETTERS, k=rng.randint(3, 11)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def _note_chars(measures: int, target_bytes: int | None, per_row: int) -> int:
    if not target_bytes:
        return 0
    return max(0, target_bytes // max(measures, 1) - per_row)


def big_csv(
    measures: int,
    *,
    target_bytes: int | None = None,
    title: str = "План мероприятий на 2023 год",
    responsible: list[str] | None = None,
) -> bytes:
    """A UTF-8 CSV (";" as Russian Excel writes it) of ``measures`` measures, about ``target_bytes``;
    ``responsible`` replaces the default responsible cells (taken in turn)."""
    # Cyrillic is two bytes a character in UTF-8; a row without padding is about 260 bytes.
    note = _note_chars(measures, target_bytes, 260) // 2
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([title, "", "", "", ""])
    writer.writerow(HEADER)
    for kind, values in rows(measures, note_chars=note, responsible=responsible):
        writer.writerow(values if kind == "row" else [values[0], values[1], "", "", ""])
    return buffer.getvalue().encode("utf-8")


_DOC_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>'
)
_RPR = '<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/><w:sz w:val="24"/></w:rPr>'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def _paragraph(text: str) -> str:
    # Word splits a paragraph into runs at every edit, each with its revision id and properties:
    # that is why its XML is several times the text (and compresses about 6 to 1).
    words = text.split(" ")
    runs = [" ".join(words[i : i + 6]) for i in range(0, len(words), 6)] or [""]
    body = "".join(
        f'<w:r w:rsidR="00{index % 97:02d}A1{index % 89:02d}F">{_RPR}<w:t xml:space="preserve">'
        f"{escape(run)}{' ' if index < len(runs) - 1 else ''}</w:t></w:r>"
        for index, run in enumerate(runs)
    )
    return f'<w:p w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3"><w:pPr><w:spacing w:after="0"/></w:pPr>{body}</w:p>'


def _cell(text: str, span: int = 1) -> str:
    props = f'<w:tcPr><w:tcW w:w="2000" w:type="dxa"/>{f"<w:gridSpan w:val={chr(34)}{span}{chr(34)}/>" if span > 1 else ""}</w:tcPr>'
    return f"<w:tc>{props}{_paragraph(text)}</w:tc>"


def docx_xml(measures: int, *, note_chars: int = 0, title: str = "План мероприятий на 2023 год") -> str:
    parts = [
        _DOC_HEAD,
        _paragraph(title),
        "<w:tbl><w:tblGrid>",
        '<w:gridCol w:w="2000"/>' * len(HEADER),
        "</w:tblGrid>",
    ]
    parts.append("<w:tr>" + "".join(_cell(text) for text in HEADER) + "</w:tr>")
    for kind, values in rows(measures, note_chars=note_chars):
        if kind == "section":
            parts.append(f"<w:tr>{_cell(values[0] + ' ' + values[1], span=len(HEADER))}</w:tr>")
        else:
            parts.append("<w:tr>" + "".join(_cell(text) for text in values) + "</w:tr>")
    parts.append("</w:tbl><w:sectPr/></w:body></w:document>")
    return "".join(parts)


def big_docx(measures: int, *, target_bytes: int | None = None) -> bytes:
    """A DOCX of ``measures`` measures; with ``target_bytes`` padded until the file is about that big."""
    note = 0
    if target_bytes:
        # Random words compress about 3x; measure one guess and scale the padding to the target.
        sample = _zip(docx_xml(measures, note_chars=400))
        base = _zip(docx_xml(measures))
        per_char = (len(sample) - len(base)) / (400 * measures)
        note = max(0, int((target_bytes - len(base)) / max(per_char * measures, 1e-9)))
    return _zip(docx_xml(measures, note_chars=note))


def _zip(document_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def big_xlsx(measures: int, *, target_bytes: int | None = None) -> bytes:
    """An XLSX of ``measures`` measures (section rows merged across), padded to about ``target_bytes``."""
    import openpyxl

    # Shared strings of random letters compress about 1.6 to 1 in UTF-8.
    note = _note_chars(measures, target_bytes, 150) * 5 // 8
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["План мероприятий на 2023 год"])
    sheet.append(HEADER)
    for kind, values in rows(measures, note_chars=note):
        if kind == "section":
            sheet.append([f"{values[0]} {values[1]}"])
            row = sheet.max_row
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADER))
        else:
            sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
