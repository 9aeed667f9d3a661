"""From raw table rows to sections and measures: the part every reader shares.

A reader turns its file into a list of blocks in document order — paragraphs (str) and
tables (:class:`Table`, rows of grid cells that remember horizontal and vertical merges) —
and :func:`interpret` does the rest: finds the header by meaning, carries the column
mapping over tables split across pages, tells section rows from measures, glues rows
continued after a page break and skips border artefacts and repeated headers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from roadmap.importers.model import ImportFailed, ParsedMeasure, ParsedRoadmap, ParsedSection
from roadmap.importers.period import detect_period, period_from_deadlines, year_slips
from roadmap.importers.text import collapse, is_lower_start, join_parts

# How many rows from the top of a table may stand above its header (a merged title row,
# "Приложение 1", an empty row...).
HEADER_SEARCH_ROWS = 8
MAX_HEADER_CELL = 90


@dataclass
class Cell:
    text: str = ""
    h_merged: bool = False  # the grid position is covered by the cell on the left
    v_merged: bool = False  # covered by the cell above; text is the text of that cell
    numeric: bool = False  # an XLSX number: "1.10" may have arrived as 1.1


@dataclass
class Row:
    cells: list[Cell]
    source_row: int | None = None


@dataclass
class Table:
    rows: list[Row]
    width: int = 0
    # Word tables carry their header on top; a text file or a sheet may start with the
    # whole preamble of the document before it.
    header_search: int = HEADER_SEARCH_ROWS

    def __post_init__(self) -> None:
        self.width = max([self.width, *(len(row.cells) for row in self.rows)])
        for row in self.rows:
            row.cells.extend(Cell() for _ in range(self.width - len(row.cells)))


Block = str | Table


# ---------------------------------------------------------------- header by meaning


def _plain(text: str) -> str:
    text = collapse(text).lower().replace("ё", "е")
    return re.sub(r"\s+", " ", re.sub(r"[^\w№\s]", " ", text)).strip()


_NUMBER_HEADER = re.compile(r"(?:№|n|no|nо|номер)?\s*(?:п\s*п|пп|п)?|№\s*(?:мероприятия|строки|раздела)")
_EXTRA_WORDS = (
    "результат",
    "показател",
    "индикатор",
    "примечан",
    "отчет",
    "отчёт",
    "целев",
    "участник",
    "охват",
    "финансир",
    "источник",
    "форма",
    "документ",
    "контрол",
    "отметк",
    "выполнен",
    "уровень",
    "место",
)
_TITLE_WORDS = (
    ("мероприят", 4),
    ("наименован", 3),
    ("содержан", 3),
    ("направлен", 2),
    ("деятельност", 2),
    ("названи", 2),
    ("вид", 1),
    ("работ", 1),
    ("тема", 1),
    ("действи", 1),
    ("задач", 1),
    ("план", 1),
)


def header_role(text: str) -> tuple[str, int] | None:
    """The meaning of a header cell: (role, score) with role number/title/deadline/responsible/extra."""
    plain = _plain(text)
    if not plain and "№" not in text:
        return None
    compact = plain.replace(" ", "")
    if "№" in text and len(plain) <= 12:
        return ("number", 1)
    if compact not in {"", "п"} and _NUMBER_HEADER.fullmatch(plain):
        return ("number", 1)
    if re.search(r"\bсрок|\bдат[аыу]\b|\bпериод|время (?:проведения|исполнения|реализации)|^когда$", plain):
        return ("deadline", 1)
    if re.search(r"ответствен|исполнител|соисполн|исполняющ|^кто\b", plain):
        return ("responsible", 1)
    if any(word in plain for word in _EXTRA_WORDS):
        return ("extra", 1)
    score = max((weight for word, weight in _TITLE_WORDS if word in plain), default=0)
    if score:
        return ("title", score)
    return None


@dataclass
class Columns:
    """Which grid column holds what; ``extras`` maps a column to its header text."""

    width: int
    title: int
    deadline: int | None
    number: int | None = None
    responsible: int | None = None
    extras: dict[int, str] = field(default_factory=dict)
    header: tuple[str, ...] = ()

    def role_of(self, index: int) -> str | None:
        for role in ("number", "title", "deadline", "responsible"):
            if getattr(self, role) == index:
                return role
        return "extra" if index in self.extras else None


def _own_texts(row: Row) -> list[str]:
    return [cell.text if not (cell.h_merged or cell.v_merged) else "" for cell in row.cells]


def _aligned_texts(row: Row, columns: Columns) -> tuple[list[str], list[str]]:
    """Own texts and values (vertical merges filled in) of a data row on the header's grid.

    A cell whose span covers a header column while starting in a column without a role (a
    grid misaligned by a converter) is moved into that header column.
    """
    own = _own_texts(row)
    values = [cell.text if not cell.h_merged else "" for cell in row.cells]
    for index, cell in enumerate(row.cells):
        if not cell.h_merged or columns.role_of(index) is None:
            continue
        origin = index
        while origin > 0 and row.cells[origin].h_merged:
            origin -= 1
        if columns.role_of(origin) is None and values[origin]:
            own[index], own[origin] = own[origin], ""
            values[index], values[origin] = values[origin], ""
    return own, values


def _header_texts(rows: list[Row]) -> list[str]:
    """Texts of one or more header rows combined per column (a header split over rows)."""
    width = len(rows[0].cells)
    texts = [""] * width
    for row in rows:
        for index, cell in enumerate(row.cells):
            if cell.h_merged or cell.v_merged or not cell.text:
                continue
            if cell.text not in texts[index]:
                texts[index] = f"{texts[index]} {cell.text}".strip()
    return texts


def _columns_from(texts: list[str]) -> tuple[Columns | None, set[str]]:
    """A column mapping from header texts, or None; also the set of roles that were seen."""
    if any(len(text) > MAX_HEADER_CELL for text in texts):
        return None, set()
    if any(text and parse_number(text) is not None for text in texts):
        return None, set()
    best: dict[str, tuple[int, int]] = {}
    roles: dict[int, tuple[str, int]] = {}
    for index, text in enumerate(texts):
        role = header_role(text) if text else None
        if role is None:
            continue
        roles[index] = role
        name, score = role
        if name != "extra" and (name not in best or score > best[name][1]):
            best[name] = (index, score)
    seen = set(best)
    if len(seen & {"title", "deadline", "responsible"}) < 2:
        return None, seen
    if "title" not in best:
        return None, seen
    chosen = {index for index, _ in best.values()}
    extras = {index: text for index, text in enumerate(texts) if text and index not in chosen}
    columns = Columns(
        width=len(texts),
        title=best["title"][0],
        deadline=best["deadline"][0] if "deadline" in best else None,
        number=best["number"][0] if "number" in best else None,
        responsible=best["responsible"][0] if "responsible" in best else None,
        extras=extras,
        header=tuple(_plain(text) for text in texts),
    )
    return columns, seen


def find_header(rows: list[Row], search: int = HEADER_SEARCH_ROWS) -> tuple[Columns | None, int, set[str]]:
    """Look for the header among the first rows: (columns, index of the first data row, roles seen)."""
    seen_roles: set[str] = set()
    limit = min(len(rows), search)
    for start in range(limit):
        for count in (1, 2, 3):
            if start + count > len(rows):
                break
            if count > 1 and len({text for text in _own_texts(rows[start]) if text}) < 2:
                break  # one text across the table is a title above the header, not its first row
            texts = _header_texts(rows[start : start + count])
            columns, seen = _columns_from(texts)
            if len(seen) > len(seen_roles):
                seen_roles = seen
            if columns is not None and (columns.deadline is not None or count == 3):
                # A second header row finishing the first ("Сроки" / "исполнения").
                while start + count < len(rows) and _is_subheader(rows[start + count]):
                    wider, _ = _columns_from(_header_texts(rows[start : start + count + 1]))
                    if wider is None or wider.deadline is None:
                        break
                    columns, count = wider, count + 1
                return columns, start + count, seen_roles
            if columns is not None and count < 3:
                # Title found but no deadline yet: the next row may finish the header.
                nxt = rows[start + count] if start + count < len(rows) else None
                if nxt is None or not _is_headerish(nxt):
                    return columns, start + count, seen_roles
    return None, 0, seen_roles


def _is_subheader(row: Row) -> bool:
    """Header words on a row of their own: lowercase tails or more header names."""
    texts = list(dict.fromkeys(text for text in _own_texts(row) if text))
    if not texts or not _is_headerish(row) or _is_numbering_row(_own_texts(row)):
        return False
    if any(parse_section_text(text) for text in texts):
        return False
    return all(is_lower_start(text) or header_role(text) is not None for text in texts) and (
        len(texts) > 1 or is_lower_start(texts[0])
    )


def _is_headerish(row: Row) -> bool:
    texts = [text for text in _own_texts(row) if text]
    if not texts:
        return False
    return all(len(text) <= MAX_HEADER_CELL and parse_number(text) is None for text in texts)


# ---------------------------------------------------------------- numbers and sections

_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_CYR_ROMAN = str.maketrans({"І": "I", "Х": "X", "С": "C", "М": "M"})


def parse_number(text: str) -> str | None:
    """A measure or section number without the trailing dot ("1.1." → "1.1", "I." → "I"), or None."""
    value = collapse(text)
    if not value or len(value) > 24:
        return None
    value = re.sub(r"^(?:№|N[oо]?\b\.?)\s*", "", value)
    value = re.sub(r"\s*([.,])\s*", r"\1", value)
    match = re.fullmatch(r"(\d{1,3}(?:[.,]\d{1,3})*)[.,]?\)?", value)
    if match:
        return match.group(1).replace(",", ".")
    roman = value.rstrip(".)").translate(_CYR_ROMAN)
    if roman and len(roman) <= 6 and _ROMAN.fullmatch(roman) and value[-1:] in ".)" + roman[-1:]:
        return roman
    return None


_SECTION_ARABIC = re.compile(r"(?:раздел|блок)?\s*(?:№\s*)?(\d{1,3})\s*[.)]?\s+(.+)", re.I | re.S)
_SECTION_ROMAN = re.compile(r"(?:раздел|блок)?\s*([IVXLCІХ]{1,6})\s*[.)]\s*(.+)", re.I | re.S)
_SECTION_WORD = re.compile(r"(?:раздел|блок)\s+([IVXLCІХ]{1,6}|\d{1,3})\s*[.):]?\s*(.+)", re.I | re.S)


def parse_section_text(text: str) -> tuple[str, str] | None:
    """ "1. Методическая работа" → ("1", "Методическая работа"); None when there is no number."""
    value = collapse(text)
    for pattern in (_SECTION_WORD, _SECTION_ARABIC, _SECTION_ROMAN):
        match = pattern.fullmatch(value)
        if not match:
            continue
        number = parse_number(match.group(1) + ".")
        title = match.group(2).strip(" .:")
        if number is None or not title:
            continue
        first = title[0]
        if first.isalpha() and first.isupper() or first in '«"„“(':
            return number, title
    return None


def _is_artefact(text: str) -> bool:
    return bool(re.fullmatch(r"[\s\-‐‑‒–—−_=|+*~.:,;#/\\…]+", text))


def _is_numbering_row(texts: list[str]) -> bool:
    values = [text for text in texts if text]
    if len(values) < 2 or not all(re.fullmatch(r"\d{1,2}\.?", text) for text in values):
        return False
    numbers = [int(text.rstrip(".")) for text in values]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] <= 2


def _ends_sentence(text: str) -> bool:
    return bool(text) and text.rstrip()[-1] in '.!?»")…'


# ---------------------------------------------------------------- the interpreter


class _Builder:
    def __init__(self, hierarchical: bool) -> None:
        self.result = ParsedRoadmap()
        self.hierarchical = hierarchical
        self.section: ParsedSection | None = None
        self.measure: ParsedMeasure | None = None
        self.measure_numbered = False
        self.columns: Columns | None = None
        self.numbers: dict[tuple[str | None, str], int | None] = {}  # (section, number) → row
        self.in_section = 0

    def warn(self, row: Row, message: str) -> None:
        where = f"Строка {row.source_row}: " if row.source_row else ""
        self.result.warnings.append(where + message)

    # sections -----------------------------------------------------------

    def start_section(self, number: str | None, title: str, row: Row) -> None:
        sections = self.result.sections
        if number is None:
            number = str(len(sections) + 1)
            taken = {section.number for section in sections}
            while number in taken:
                number += "*"
            self.warn(row, f"раздел «{title}» без номера, присвоен номер {number}")
        elif any(section.number == number for section in sections):
            self.warn(row, f"номер раздела {number} встречается повторно")
        self.section = ParsedSection(number=number, title=title, position=len(sections) + 1)
        sections.append(self.section)
        self.measure = None
        self.in_section = 0

    # measures -----------------------------------------------------------

    def add_measure(self, number: str | None, values: list[str], row: Row, numeric: bool) -> None:
        columns = self.columns
        assert columns is not None
        self.in_section += 1
        if number is None and columns.number is None and columns.title < len(values):
            # No number column: the number may lead the title ("1.2. Провести ...").
            match = re.match(r"(\d{1,3}(?:\.\d{1,3})*)[.)]?\s+(\S.*)", values[columns.title])
            if match and (not self.section or "." in match.group(1)):
                number, values[columns.title] = match.group(1), match.group(2)
        numbered = number is not None
        if number is None:
            prefix = f"{self.section.number}." if self.section else ""
            number = f"{prefix}{self.in_section}"
            while (self.section.number if self.section else None, number) in self.numbers:
                number += "*"
            self.warn(row, f"мероприятие без номера, присвоен номер {number}")
        elif (section_key := self.section.number if self.section else None, number) in self.numbers:
            # Numbering that restarts in each section (I.1, II.1) is normal; a repeat inside one
            # section is not.
            if numeric and (section_key, f"{number}0") not in self.numbers:
                # Excel turned "1.10" into the number 1.1; the duplicate gives it away.
                self.warn(row, f"номер {number} из Excel прочитан как {number}0")
                number = f"{number}0"
            else:
                first = self.numbers[(section_key, number)]
                self.warn(
                    row,
                    f"номер мероприятия {number} повторяется в разделе" + (f" (см. строку {first})" if first else ""),
                )
        self.numbers.setdefault((self.section.number if self.section else None, number), row.source_row)

        def value(index: int | None) -> str:
            return values[index] if index is not None and index < len(values) else ""

        notes = {name: values[index] for index, name in columns.extras.items() if index < len(values)}
        self.measure = ParsedMeasure(
            number=number,
            section_number=self.section.number if self.section else None,
            title=value(columns.title),
            deadline=value(columns.deadline),
            responsible=value(columns.responsible),
            notes=notes,
            position=len(self.result.measures) + 1,
            source_row=row.source_row,
        )
        self.measure_numbered = numbered
        self.result.measures.append(self.measure)
        if not self.measure.title:
            self.warn(row, f"у мероприятия {number} пустое наименование")

    def continue_measure(self, texts: dict[int, str]) -> None:
        measure, columns = self.measure, self.columns
        assert measure is not None and columns is not None
        for index, text in texts.items():
            role = columns.role_of(index)
            if role in (None, "number"):
                role = "title"
            if role == "extra":
                name = columns.extras[index]
                measure.notes[name] = join_parts(measure.notes.get(name, ""), text)
            else:
                setattr(measure, role, join_parts(getattr(measure, role), text))

    def _field_of(self, index: int) -> str:
        measure, columns = self.measure, self.columns
        assert measure is not None and columns is not None
        role = columns.role_of(index)
        if role == "extra":
            return measure.notes.get(columns.extras[index], "")
        if role in (None, "number"):
            role = "title"
        return getattr(measure, role)

    def _looks_continued(self, texts: dict[int, str]) -> bool:
        """Does a row without a number read as the rest of the previous measure?"""
        if self.measure is None:
            return False
        if self.measure_numbered and self.columns is not None and self.columns.number is not None:
            return True
        title = texts.get(self.columns.title, "") if self.columns is not None else ""
        if not title or is_lower_start(title):
            return True  # deadlines are lowercase anyway; the title tells
        return any(self._field_of(index)[-1:] in ("-", "‐", "‑", "–", ",", "(") for index in texts)

    # rows -----------------------------------------------------------

    def take(self, row: Row) -> None:
        columns = self.columns
        assert columns is not None
        own, values = _aligned_texts(row, columns)
        present = {index: text for index, text in enumerate(own) if text}
        if not present or all(_is_artefact(text) for text in present.values()):
            return
        if _is_numbering_row(own):
            return
        header_texts = tuple(_plain(text) for text in _header_texts([row]))
        if header_texts == columns.header or _columns_from(list(_header_texts([row])))[0] is not None:
            return  # the header repeated on the next page
        distinct = list(dict.fromkeys(present.values()))
        number_text = own[columns.number] if columns.number is not None else ""
        number = parse_number(number_text) if number_text else None

        if len(distinct) == 1:
            self._take_single(row, distinct[0], present, number)
            return

        if number_text and number is None:
            section = parse_section_text(number_text)
            rest = {i: t for i, t in present.items() if i != columns.number and columns.role_of(i) != "extra"}
            if section and not rest:
                self.start_section(*section, row)
                return
            match = re.match(r"(\d{1,3}(?:\.\d{1,3})+)\.?\s+(.+)", number_text)
            if match and not own[columns.title]:
                number = match.group(1)
                values[columns.title] = match.group(2)
            else:
                self.warn(row, f"номер «{number_text}» не распознан")
                number = number_text
        if number is None:
            if self._looks_continued(present):
                self.continue_measure(present)
                return
            self.add_measure(None, values, row, False)
            return
        others = {
            i: t
            for i, t in present.items()
            if i not in (columns.number, columns.title) and columns.role_of(i) != "extra"
        }
        is_top = "." not in number
        roman = not number.isdigit() and "." not in number
        if is_top and not others and own[columns.title] and (self.hierarchical or roman):
            self.start_section(number, own[columns.title], row)
            return
        numeric = columns.number is not None and row.cells[columns.number].numeric
        self.add_measure(number, values, row, numeric)

    def _take_single(self, row: Row, text: str, present: dict[int, str], number: str | None) -> None:
        """A row with one distinct text: a section row, or a piece of the previous measure."""
        columns = self.columns
        assert columns is not None
        spots = list(present)
        merged = len(spots) > 1 or any(cell.h_merged for cell in row.cells)
        if number is not None and spots == [columns.number]:
            self.warn(row, f"строка содержит только номер «{text}», пропущена")
            return
        section = parse_section_text(text)
        if section:
            self.start_section(*section, row)
            return
        lower = is_lower_start(text)
        index = spots[0]
        if merged or index == columns.number:
            # A text spanning the table, or standing where the number goes: a section
            # heading without a number, unless it reads as the middle of a sentence.
            if lower and self.measure is not None:
                self.continue_measure({columns.title: text})
            else:
                self.start_section(None, text, row)
            return
        if self.measure is None:
            if index == columns.title:
                self.start_section(None, text, row)
            else:
                self.warn(row, f"строка «{text[:60]}» не относится ни к одному мероприятию, пропущена")
            return
        if index == columns.title and not lower and _ends_sentence(self.measure.title) and not _ends_sentence(text):
            # Only the title column is filled and it starts a new sentence after a finished
            # one: more likely an unmerged section heading than the tail of a title.
            self.start_section(None, text, row)
            return
        self.continue_measure({index: text})


# ---------------------------------------------------------------- title


_TITLE_WORDS_RE = re.compile(r"дорожн\w*\s+карт|\bплан\b|план\w* мероприят|комплекс\w* мер|программ", re.I)
_NOT_TITLE_RE = re.compile(r"^(?:утвержд|согласова|приложение|принят|рассмотрен|к приказу|от \d)", re.I)


def choose_title(candidates: list[str]) -> str | None:
    """The document heading: the first paragraph naming a roadmap/plan, with its continuation."""
    lines = [collapse(text) for text in candidates]
    lines = [line for line in lines if line and not _is_artefact(line)]
    useful = [i for i, line in enumerate(lines) if not _NOT_TITLE_RE.match(line) and len(line) <= 400]
    if not useful:
        return None
    start = next((i for i in useful if _TITLE_WORDS_RE.search(lines[i])), useful[0])
    title = lines[start]
    extended = title
    for line in lines[start + 1 : start + 4]:
        if detect_period(extended) or len(line) > 200 or _NOT_TITLE_RE.match(line):
            break
        extended = f"{extended} {line}"
        if detect_period(extended):
            return extended
    return title


# ---------------------------------------------------------------- entry point


def qualify_restarting_numbers(measures: list[ParsedMeasure]) -> None:
    """Numbering that restarts in each section (I: 1, 2; II: 1, 2) is kept as written and shown
    with its section («II.1») everywhere, so that every number names one measure. Numbers that
    already carry their section («2.1» under section 2) and numbering that runs on across
    sections are left alone."""
    sections_of: dict[str, set[str | None]] = defaultdict(set)
    for measure in measures:
        sections_of[measure.number].add(measure.section_number)
    if not any(len(sections) > 1 for sections in sections_of.values()):
        return
    for measure in measures:
        section = measure.section_number
        if section and measure.number != section and not measure.number.startswith(f"{section}."):
            measure.number = f"{section}.{measure.number}"


def interpret(blocks: list[Block]) -> ParsedRoadmap:
    """Sections and measures from paragraphs and tables in document order."""
    plan: list[tuple[Columns, Row]] = []
    warnings: list[str] = []
    preamble: list[str] = []
    current: Columns | None = None
    missing_deadline = False
    missing_title = False
    tables_seen = 0
    for block in blocks:
        if isinstance(block, str):
            if current is None:
                preamble.append(block)
            continue
        if not block.rows:
            continue
        tables_seen += 1
        columns, start, seen = find_header(block.rows, block.header_search)
        if columns is not None and columns.deadline is None:
            missing_deadline = True
            columns = None
        elif columns is None and {"deadline", "responsible"} <= seen:
            missing_title = True
        if columns is not None:
            if current is None:
                # Above the first data row: a title row, perhaps, and the header itself (not a title).
                header = set(columns.header)
                for row in block.rows[:start]:
                    preamble.extend(
                        text for text in dict.fromkeys(_own_texts(row)) if text and _plain(text) not in header
                    )
            if columns.responsible is None:
                warnings.append("В таблице не найден столбец ответственных")
            current = columns
            rows = block.rows[start:]
        elif current is not None and block.width == current.width:
            rows = block.rows
        else:
            if current is not None and any(any(_own_texts(row)) for row in block.rows):
                warnings.append(f"Таблица {tables_seen} пропущена: не найден заголовок мероприятий")
            continue
        plan.extend((current, row) for row in rows)

    if not plan:
        if missing_deadline:
            raise ImportFailed("В таблице не найден столбец сроков (например, «Сроки исполнения»)")
        if missing_title:
            raise ImportFailed("В таблице не найден столбец мероприятий (например, «Мероприятие»)")
        raise ImportFailed("В документе не найдена таблица мероприятий")

    hierarchical = any(
        (number := parse_number(_own_texts(row)[columns.number])) is not None and "." in number
        for columns, row in plan
        if columns.number is not None
    )
    builder = _Builder(hierarchical)
    builder.result.warnings.extend(dict.fromkeys(warnings))
    for columns, row in plan:
        builder.columns = columns
        builder.take(row)
    result = builder.result
    if not result.measures:
        raise ImportFailed("В таблице мероприятий не найдено ни одного мероприятия")
    for section in result.sections:
        section.title = collapse(section.title)
    qualify_restarting_numbers(result.measures)
    result.title = choose_title(preamble)
    deadlines = [measure.deadline for measure in result.measures]
    period = detect_period(result.title)
    result.period_source = "title" if period is not None else None
    if period is None:
        period = period_from_deadlines(deadlines)
        result.period_source = "deadlines" if period is not None else None
    if period is not None:
        result.period_start, result.period_end, result.year_type = period
    for slip in year_slips(deadlines):
        measure = result.measures[slip.index]
        result.warnings.append(
            f"Мероприятие {measure.number}: срок «{measure.deadline}» — возможно, {slip.likely} год, а не {slip.written}"
        )
    return result
