"""Word (.docx) reader.

The body XML is walked directly with lxml (the parser python-docx itself uses) rather than
through python-docx's table objects: those skip rows wrapped in content controls and
rebuild the whole cell grid for every row, which is quadratic on long tables. Merges are
read from ``w:gridSpan`` / ``w:hMerge`` (horizontal) and ``w:vMerge`` (vertical).
"""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from roadmap.importers.model import ImportFailed
from roadmap.importers.table import Block, Cell, Row, Table
from roadmap.importers.text import collapse
from roadmap.importers.zipsafe import read_member

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "/officeDocument"
CORRUPT = "Файл повреждён или не является документом Word"
MAX_ROWS = 20000

_P, _TBL, _TR, _TC = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}tr", f"{{{W}}}tc"
# Wrappers whose children belong to the parent's flow: content controls, custom XML, etc.
_WRAPPERS = {
    f"{{{W}}}sdt",
    f"{{{W}}}sdtContent",
    f"{{{W}}}customXml",
    f"{{{W}}}smartTag",
    f"{{{MC}}}AlternateContent",
    f"{{{MC}}}Choice",
}
_SKIP = {
    f"{{{MC}}}Fallback",
    f"{{{W}}}sdtPr",
    f"{{{W}}}sdtEndPr",
    f"{{{W}}}del",
    f"{{{W}}}moveFrom",
    f"{{{W}}}txbxContent",
}


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _main_part(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(read_member(archive, "_rels/.rels"), safe_parser())
            for rel in rels.iter(f"{{{REL}}}Relationship"):
                if (rel.get("Type") or "").endswith(OFFICE_DOCUMENT):
                    target = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
                    if target in names:
                        return target
        except etree.XMLSyntaxError:
            pass
    if "word/document.xml" in names:
        return "word/document.xml"
    raise ImportFailed(CORRUPT)


def _flow(element: etree._Element):
    """Children of a body or cell in reading order, looking through wrappers."""
    for child in element:
        tag = child.tag
        if tag in _WRAPPERS:
            yield from _flow(child)
        elif tag in (_P, _TBL, _TR, _TC):
            yield child


def _text(element: etree._Element) -> str:
    """Text of a paragraph: runs, tabs and breaks as spaces, deletions and fallbacks skipped."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            local = tag.rpartition("}")[2]
            if local == "t":
                parts.append(child.text or "")
            elif local in ("tab", "br", "cr", "ptab"):
                parts.append(" ")
            elif local == "noBreakHyphen":
                parts.append("-")
            elif local == "tbl":
                continue  # nested tables are read as tables of their own
            else:
                walk(child)

    walk(element)
    return "".join(parts)


def _cell_text(cell: etree._Element) -> str:
    return collapse(" ".join(_text(p) for p in _flow(cell) if p.tag == _P))


def _int_attr(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return max(1, min(int(element.get(f"{{{W}}}val", default)), 64))
    except (TypeError, ValueError):
        return default


def _table(tbl: etree._Element, counter: list[int], nested: list[etree._Element]) -> Table:
    rows: list[Row] = []
    above: dict[int, str] = {}  # grid column → text of the cell that a vertical merge continues
    for tr in _flow(tbl):
        if tr.tag != _TR:
            continue
        counter[0] += 1
        if counter[0] > MAX_ROWS:
            raise ImportFailed("В документе слишком много строк таблиц")
        cells: list[Cell] = []
        trpr = tr.find(f"{{{W}}}trPr")
        before = _int_attr(trpr.find(f"{{{W}}}gridBefore") if trpr is not None else None, 0)
        cells.extend(Cell() for _ in range(before))
        for tc in _flow(tr):
            if tc.tag != _TC:
                continue
            nested.extend(child for child in _flow(tc) if child.tag == _TBL)
            tcpr = tc.find(f"{{{W}}}tcPr")
            span = _int_attr(tcpr.find(f"{{{W}}}gridSpan") if tcpr is not None else None, 1)
            vmerge = tcpr.find(f"{{{W}}}vMerge") if tcpr is not None else None
            hmerge = tcpr.find(f"{{{W}}}hMerge") if tcpr is not None else None
            column = len(cells)
            if vmerge is not None and vmerge.get(f"{{{W}}}val", "continue") == "continue":
                text = above.get(column, "")
                first = Cell(text, v_merged=True)
            else:
                text = _cell_text(tc)
                first = Cell(text)
                if hmerge is not None and hmerge.get(f"{{{W}}}val", "continue") == "continue" and cells:
                    first = Cell(cells[-1].text, h_merged=True)
            cells.append(first)
            for _ in range(1, span):
                cells.append(Cell(first.text, h_merged=True, v_merged=first.v_merged))
            for offset in range(span):
                above[column + offset] = first.text
        rows.append(Row(cells, source_row=counter[0]))
    grid = tbl.find(f"{{{W}}}tblGrid")
    width = len(grid.findall(f"{{{W}}}gridCol")) if grid is not None else 0
    return Table(rows, width=min(width, 64))


def read_docx(archive: zipfile.ZipFile) -> list[Block]:
    """Paragraphs and tables of the document body, in order."""
    try:
        root = etree.fromstring(read_member(archive, _main_part(archive)), safe_parser())
    except etree.XMLSyntaxError as error:
        raise ImportFailed(CORRUPT) from error
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise ImportFailed(CORRUPT)
    blocks: list[Block] = []
    counter = [0]
    pending = list(_flow(body))
    pending.reverse()
    while pending:
        element = pending.pop()
        if element.tag == _P:
            blocks.append(collapse(_text(element)))
        elif element.tag == _TBL:
            nested: list[etree._Element] = []
            blocks.append(_table(element, counter, nested))
            pending.extend(reversed(nested))
    return blocks
