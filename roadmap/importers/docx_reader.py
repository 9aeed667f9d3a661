"""Word (.docx) reader.

The body XML is walked directly with lxml (the parser python-docx itself uses) rather than
through python-docx's table objects: those skip rows wrapped in content controls and
rebuild the whole cell grid for every row, which is quadratic on long tables. Merges are
read from ``w:gridSpan`` / ``w:hMerge`` (horizontal) and ``w:vMerge`` (vertical).
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib

from lxml import etree

from roadmap.importers.model import ImportFailed
from roadmap.importers.table import Block, Cell, Row, Table
from roadmap.importers.text import collapse
from roadmap.importers.zipsafe import BOMB, MAX_MEMBER, read_member

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "/officeDocument"
CORRUPT = "Файл повреждён или не является документом Word"
MAX_ROWS = 20000

_P, _TBL, _TR, _TC = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}tr", f"{{{W}}}tc"
_BODY_TAG, _TGRID = f"{{{W}}}body", f"{{{W}}}tblGrid"
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


def _row(tr: etree._Element, counter: list[int], nested: list[etree._Element], above: dict[int, str]) -> Row:
    """One table row; nested tables of its cells are detached into ``nested`` to be read after."""
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
    return Row(cells, source_row=counter[0])


def _grid_width(grid: etree._Element | None) -> int:
    return min(len(grid.findall(f"{{{W}}}gridCol")) if grid is not None else 0, 64)


def _table(tbl: etree._Element, counter: list[int], nested: list[etree._Element]) -> Table:
    """A (nested) table already in memory: nested tables are small, read whole."""
    above: dict[int, str] = {}  # grid column → text of the cell that a vertical merge continues
    rows = [_row(tr, counter, nested, above) for tr in _flow(tbl) if tr.tag == _TR]
    return Table(rows, width=_grid_width(tbl.find(f"{{{W}}}tblGrid")))


class _Limited:
    """A zip member as a stream that refuses to give more than ``limit`` bytes (lying headers)."""

    def __init__(self, stream, limit: int) -> None:
        self.stream, self.left = stream, limit

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size if size and size > 0 else 64 * 1024)
        self.left -= len(data)
        if self.left < 0:
            raise ImportFailed(BOMB)
        return data


def _flow_parent(element: etree._Element) -> etree._Element | None:
    """The body, table or cell whose flow ``element`` belongs to, looking through wrappers."""
    parent = element.getparent()
    while parent is not None and parent.tag in _WRAPPERS:
        parent = parent.getparent()
    return parent


def _is_body(element: etree._Element | None) -> bool:
    return (
        element is not None
        and element.tag == _BODY_TAG
        and element.getparent() is not None
        and (element.getparent().getparent() is None)
    )


def _release(element: etree._Element) -> None:
    """Free a handled element and the handled siblings before it (iterparse keeps the tree)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _blocks(stream) -> list[Block]:
    """Body paragraphs and top-level table rows are handled when they end, then freed; what
    they hold (cell paragraphs, nested tables) is read by their handler. lxml filters the
    events by tag in C, so Python sees only these elements."""
    blocks: list[Block] = []
    counter = [0]
    table: etree._Element | None = None
    rows: list[Row] = []
    nested: list[etree._Element] = []
    above: dict[int, str] = {}
    width = 0
    seen_body = False
    parser = etree.iterparse(
        stream,
        events=("end",),
        tag=(_P, _TR, _TBL, _BODY_TAG),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for _, element in parser:
        tag = element.tag
        if tag == _BODY_TAG:
            seen_body = seen_body or _is_body(element)
            continue
        owner = _flow_parent(element)
        if tag == _P:
            if _is_body(owner):
                blocks.append(collapse(_text(element)))
                _release(element)
        elif tag == _TR:
            if owner is None or owner.tag != _TBL or not _is_body(_flow_parent(owner)):
                continue  # a nested table's row: read with the row that holds it
            if owner is not table:
                table, rows, nested, above = owner, [], [], {}
                width = _grid_width(owner.find(_TGRID))
            found: list[etree._Element] = []
            rows.append(_row(element, counter, found, above))
            for inner in found:  # detached, so that freeing the row keeps them
                inner.getparent().remove(inner)
            nested.extend(found)
            _release(element)
        elif element is table:
            blocks.append(Table(rows, width=width))
            pending = list(reversed(nested))
            while pending:
                inner_found: list[etree._Element] = []
                blocks.append(_table(pending.pop(), counter, inner_found))
                pending.extend(reversed(inner_found))
            table, rows, nested = None, [], []
            _release(element)
        elif _is_body(owner):
            blocks.append(Table([], width=_grid_width(element.find(_TGRID))))  # a table without rows
            _release(element)
    if not seen_body:
        raise ImportFailed(CORRUPT)
    return blocks


def read_docx(archive: zipfile.ZipFile) -> list[Block]:
    """Paragraphs and tables of the document body, in order.

    The body XML is streamed: a 10 MB document may hold 60 MB of XML, and a tree of it takes
    over a gigabyte; each paragraph and table row is read when it ends and then freed.
    """
    name = _main_part(archive)
    try:
        with archive.open(name) as member:
            return _blocks(_Limited(member, MAX_MEMBER))
    except KeyError as error:
        raise ImportFailed("Файл повреждён: в архиве нет нужной части") from error
    except etree.XMLSyntaxError as error:
        raise ImportFailed(CORRUPT) from error
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as error:
        raise ImportFailed(CORRUPT) from error
