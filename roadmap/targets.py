"""PURE: targets of measures (целевые показатели) — what is counted, how a written target is
understood, and whether a fact meets it. Defined once; no Flask, no database.

A target is «не менее» its planned value: a count of participants, a share (%) of a grade
band or of the whole contingent of the measure's executors, a number of events held, or a
share (%) of the executor organizations that took part. What the reports count for each kind
is roadmap.reports.queries.target_results.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from roadmap.contingent import LEVELS, Band
from roadmap.russian import plural


class TargetKind(enum.StrEnum):
    PARTICIPANTS = "participants"  # человек (охват, всего)
    BAND_SHARE = "band_share"  # % обучающихся классов band
    CONTINGENT_SHARE = "contingent_share"  # % всех обучающихся организаций-исполнителей
    EVENTS = "events"  # проведённых мероприятий (сданных отчётов)
    ORG_SHARE = "org_share"  # % организаций-исполнителей, которые провели мероприятие

    @property
    def label(self) -> str:
        return TARGET_KIND_LABELS[self]

    @property
    def is_share(self) -> bool:
        return self in (TargetKind.BAND_SHARE, TargetKind.CONTINGENT_SHARE, TargetKind.ORG_SHARE)

    @property
    def of_students(self) -> bool:
        """A share of the contingent: computed per organization too."""
        return self in (TargetKind.BAND_SHARE, TargetKind.CONTINGENT_SHARE)


TARGET_KIND_LABELS = {
    TargetKind.PARTICIPANTS: "число участников",
    TargetKind.BAND_SHARE: "доля обучающихся классов",
    TargetKind.CONTINGENT_SHARE: "доля обучающихся (от контингента)",
    TargetKind.EVENTS: "число проведённых мероприятий",
    TargetKind.ORG_SHARE: "доля организаций, проведших мероприятие",
}


def format_value(value: float) -> str:
    """75 → «75», 75.5 → «75,5» (Russian decimal comma)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def describe(kind: TargetKind, value: float, band: Band | None = None) -> str:
    """The target as a phrase: «не менее 600 человек», «не менее 75 % обучающихся 9 классов»."""
    number = format_value(value)
    if kind == TargetKind.PARTICIPANTS:
        return f"не менее {number} {plural(int(value), 'человека', 'человек', 'человек')}"
    if kind == TargetKind.EVENTS:
        return f"не менее {number} {plural(int(value), 'мероприятия', 'мероприятий', 'мероприятий')}"
    if kind == TargetKind.ORG_SHARE:
        return f"не менее {number}\u00a0% организаций"
    return f"не менее {number}\u00a0% {(band or Band()).label if kind == TargetKind.BAND_SHARE else 'обучающихся'}"


def is_met(value: float, fact: float | None) -> bool | None:
    """A fact meets a target «не менее» value; None when there is no fact to judge."""
    if fact is None:
        return None
    return fact + 1e-9 >= value


# ---------------------------------------------------------------- understanding written targets


@dataclass(frozen=True)
class ParsedTarget:
    """A written target: understood (kind and value) or not (kind None, kept as text)."""

    text: str
    kind: TargetKind | None = None
    value: float | None = None
    band: Band = Band()

    @property
    def is_understood(self) -> bool:
        return self.kind is not None


_YEAR = re.compile(r"\b(?:19|20)\d{2}\s*(?:[-–—/]\s*(?:19|20)?\d{2}\s*)?(?:г\.?|год\w*|уч\w*)?", re.IGNORECASE)
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_PERCENT = re.compile(_NUMBER + r"\s*(?:%|процент\w*)", re.IGNORECASE)
_COUNT = re.compile(_NUMBER + r"\s*([А-Яа-яЁё]+)?")
_GRADES = re.compile(r"(\d{1,2})(?:\s*-?х)?\s*(?:[-–—]|по|и)\s*(\d{1,2})\s*-?х?\s*(?:-х\s*)?клас", re.IGNORECASE)
_GRADE = re.compile(r"(\d{1,2})\s*-?х?\s*(?:-х\s*)?клас", re.IGNORECASE)
_AT_MOST = re.compile(r"не\s+более|до\s+\d|максимум|не\s+выше", re.IGNORECASE)
_PEOPLE = ("человек", "чел", "участник", "обучающ", "учащ", "школьник", "педагог", "родител", "слушател", "детей")
_EVENTS = ("мероприят", "семинар", "встреч", "экскурс", "заняти", "конкурс", "собрани", "урок", "акци", "фестивал")
_ORGS = ("организац", "оо", "школ", "учрежден")
_LEVEL_WORDS = (("начальн", "НОО"), ("основн", "ООО"), ("средн", "СОО"))


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def _band_in(text: str) -> Band | None | bool:
    """The grade band the text names; None: none named; False: named but not understood."""
    match = _GRADES.search(text)
    if match:
        first, last = int(match[1]), int(match[2])
        try:
            return Band(first, last)
        except ValueError:
            return False
    match = _GRADE.search(text)
    if match:
        grade = int(match[1])
        try:
            return Band(grade, grade)
        except ValueError:
            return False
    for level in LEVELS:
        if re.search(rf"\b{level.code}\b", text):
            return level.band
    lowered = text.lower()
    if "общего образования" in lowered or "общее образование" in lowered:
        for word, code in _LEVEL_WORDS:
            if word in lowered:
                return next(level.band for level in LEVELS if level.code == code)
    return None


def _without_band(text: str) -> str:
    return _GRADE.sub(" ", _GRADES.sub(" ", text))


def parse_target(text: str) -> ParsedTarget | None:
    """Understand a target as written in a roadmap's column («75 %», «не менее 600 человек»,
    «охват 75 % обучающихся 9 классов», «не менее 3 мероприятий», «100 % ОО»).

    None for an empty cell. A text whose meaning is not certain — no number, several numbers,
    an upper bound («не более»), a unit the rules do not know — is kept as text (kind None):
    the coordinator sets it on the review screen. Never a guessed number.
    """
    text = " ".join((text or "").split())
    if not text or text in {"-", "—", "–"}:
        return None
    unknown = ParsedTarget(text)
    if _AT_MOST.search(text):
        return unknown
    plain = _YEAR.sub(" ", text)
    band = _band_in(plain)
    if band is False:
        return unknown
    rest = _without_band(plain)
    percents = _PERCENT.findall(rest)
    counts = [(number, (unit or "").lower()) for number, unit in _COUNT.findall(_PERCENT.sub(" ", rest))]
    lowered = rest.lower()
    if percents:
        if len(percents) != 1 or counts:
            return unknown
        value = _float(percents[0])
        if not 0 < value <= 100:
            return unknown
        after = lowered[lowered.find("%") :] if "%" in lowered else lowered
        if band is not None:
            return ParsedTarget(text, TargetKind.BAND_SHARE, value, band)
        if any(re.search(rf"\b{word}", after) for word in _ORGS):
            return ParsedTarget(text, TargetKind.ORG_SHARE, value)
        return ParsedTarget(text, TargetKind.CONTINGENT_SHARE, value)
    if len(counts) != 1:
        return unknown
    number, unit = counts[0]
    value = _float(number)
    if value <= 0 or value != int(value):
        return unknown
    if unit.startswith(_PEOPLE):
        return ParsedTarget(text, TargetKind.PARTICIPANTS, value)
    if unit.startswith(_EVENTS):
        return ParsedTarget(text, TargetKind.EVENTS, value)
    return unknown
