"""What the readers return: plain dataclasses, no database, no Flask."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from roadmap.schedule import YearType


class ImportFailed(Exception):
    """The input cannot be imported; ``message`` is one Russian sentence for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ParsedSection:
    """A section row ("1. Методическая работа"); ``number`` without a trailing dot."""

    number: str
    title: str
    position: int


@dataclass
class ParsedMeasure:
    """One measure (a table row, possibly glued from parts split over a page break).

    ``number`` has no trailing dot ("1.1"); ``section_number`` is the number of the section
    the row stands under, or None when the table has no section rows above it.
    ``notes`` keeps the extra columns by their header text. ``source_row`` is 1-based: the
    line of a text/CSV file, the row of the XLSX sheet, the row counted over all tables of
    a DOCX document.
    """

    number: str
    section_number: str | None
    title: str
    deadline: str
    responsible: str
    notes: dict[str, str] = field(default_factory=dict)
    position: int = 0
    source_row: int | None = None


@dataclass
class ParsedRoadmap:
    """Everything a reader understood, plus warnings for the review screen."""

    title: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    period_source: str | None = None  # "title" or "deadlines": how the period was found
    year_type: YearType | None = None
    sections: list[ParsedSection] = field(default_factory=list)
    measures: list[ParsedMeasure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
