"""PURE: the contingent (контингент) of a school — students by grade — and the grade bands of
reports, defined once.

Grades are 1–11. The education levels are bands of grades: НОО 1–4, ООО 5–9, СОО 10–11. A
measure's target or a coverage figure speaks of a band («обучающихся 9 классов», «8 - 9
классов», «ООО»); a band without grades is the whole contingent. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from roadmap.russian import plural

GRADES = tuple(range(1, 12))
FIRST_GRADE, LAST_GRADE = GRADES[0], GRADES[-1]


@dataclass(frozen=True)
class Band:
    """Grades `first`..`last`; None for both is the whole contingent."""

    first: int | None = None
    last: int | None = None

    def __post_init__(self) -> None:
        if (self.first is None) != (self.last is None):
            raise ValueError("a band names both its first and last grade, or neither")
        if self.first is not None and not (FIRST_GRADE <= self.first <= self.last <= LAST_GRADE):
            raise ValueError(f"grades {self.first}–{self.last} are not a band of 1–11")

    @property
    def is_whole(self) -> bool:
        return self.first is None

    @property
    def grades(self) -> tuple[int, ...]:
        return GRADES if self.first is None else tuple(range(self.first, self.last + 1))

    @property
    def level(self) -> Level | None:
        """The education level this band is exactly, if it is one."""
        return next((level for level in LEVELS if level.band == self), None)

    @property
    def label(self) -> str:
        """«обучающихся 9 классов», «обучающихся 8–9 классов», «обучающихся ООО (5–9 классы)»."""
        if self.first is None:
            return "обучающихся"
        level = self.level
        if level is not None:
            return f"обучающихся {level.code} ({self.first}–{self.last} классы)"
        if self.first == self.last:
            return f"обучающихся {self.first} {plural(self.first, 'класса', 'классов', 'классов')}"
        return f"обучающихся {self.first}–{self.last} классов"

    @property
    def short(self) -> str:
        """«9 кл.», «8–9 кл.», «ООО», «все»: table cells."""
        if self.first is None:
            return "все"
        level = self.level
        if level is not None:
            return level.code
        return f"{self.first} кл." if self.first == self.last else f"{self.first}–{self.last} кл."


WHOLE = Band()


@dataclass(frozen=True)
class Level:
    code: str  # НОО
    name: str  # начальное общее образование
    band: Band


LEVELS = (
    Level("НОО", "начальное общее образование", Band(1, 4)),
    Level("ООО", "основное общее образование", Band(5, 9)),
    Level("СОО", "среднее общее образование", Band(10, 11)),
)
LEVEL_BY_CODE = {level.code: level for level in LEVELS}


def level_of(grade: int) -> Level:
    return next(level for level in LEVELS if grade in level.band.grades)


@dataclass(frozen=True)
class Contingent:
    """One organization's students: by grade when known, by level where only a level's total
    is known (`by_level_only`, level code → students: its grades are unknown), and the total.

    A level has grades or a level total, never both (roadmap.directory.service.set_contingent).
    `total` is Organization.student_count (kept equal to the sum of both when any is given)."""

    by_grade: Mapping[int, int]
    total: int | None = None
    by_level_only: Mapping[str, int] = field(default_factory=dict)

    @property
    def is_given(self) -> bool:
        """Whether grades or level totals are given (not just a total)."""
        return bool(self.by_grade or self.by_level_only)

    def of(self, band: Band) -> int | None:
        """Students of the band; None when the organization gave no figures for it: nothing by
        grade or level, or a band that cuts through a level known only by its total («9
        классов» of a school that gave ООО as a whole). A level with neither counts none."""
        if band.is_whole:
            if self.total is not None:
                return self.total
            return sum(self.by_grade.values()) + sum(self.by_level_only.values()) if self.is_given else None
        if not self.is_given:
            return None
        students = 0
        for level in LEVELS:
            grades = [grade for grade in band.grades if grade in level.band.grades]
            if not grades:
                continue
            if level.code in self.by_level_only:
                if len(grades) != len(level.band.grades):
                    return None
                students += self.by_level_only[level.code]
            else:
                students += sum(self.by_grade.get(grade, 0) for grade in grades)
        return students

    def from_level_totals(self, band: Band) -> bool:
        """Whether the band's figure is (partly) a level total rather than a sum of grades: the
        pages say so beside it."""
        return not band.is_whole and any(
            level.code in self.by_level_only and set(band.grades) & set(level.band.grades) for level in LEVELS
        )

    def by_level(self) -> dict[str, int | None]:
        return {level.code: self.of(level.band) for level in LEVELS}


def band_total(contingents: Iterable[Contingent | None], band: Band) -> tuple[int, int]:
    """(students of the band summed, how many organizations gave no figures for it)."""
    total, missing = 0, 0
    for contingent in contingents:
        value = contingent.of(band) if contingent is not None else None
        if value is None:
            missing += 1
        else:
            total += value
    return total, missing
