"""PURE importers: a roadmap file (DOCX, XLSX, CSV/TSV, pasted text) → dataclasses.

No Flask, no database: ``service.py`` (written on top of this API) stores the result.
"""

from roadmap.importers.document import read_document
from roadmap.importers.model import ImportFailed, ParsedMeasure, ParsedRoadmap, ParsedSection
from roadmap.importers.parties import (
    Directory,
    DirectoryEntry,
    PartyMatch,
    match_parties,
    normalize_party,
    split_parties,
)
from roadmap.importers.period import Period, detect_period
from roadmap.importers.text_reader import read_text

__all__ = [
    "Directory",
    "DirectoryEntry",
    "ImportFailed",
    "ParsedMeasure",
    "ParsedRoadmap",
    "ParsedSection",
    "PartyMatch",
    "Period",
    "detect_period",
    "match_parties",
    "normalize_party",
    "read_document",
    "read_text",
    "split_parties",
]
