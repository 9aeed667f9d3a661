"""Coverage (охват): who took part, by category — defined once.

Every surface reads its categories from here: the report form and its checks, the task page,
the exports' columns and the year-end texts. A new category is one entry below, plus its
``report.coverage_<name>`` column (model and migration). Pure: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str  # the report column is coverage_<name>
    label: str  # «обучающиеся»: column headings, report rows
    form_label: str  # the field on the report form
    genitive: str  # «обучающихся»: «охват: 120 (обучающихся 100, …)»
    short: str  # «обуч.»: table cells where space is short
    is_part: bool = True  # one of the parts of the total (ОВЗ is counted among the students instead)


TOTAL = Category("total", "всего", "Охват, всего человек", "всего", "всего", is_part=False)
CATEGORIES = (
    TOTAL,
    Category("students", "обучающиеся", "из них обучающихся", "обучающихся", "обуч."),
    Category("parents", "родители", "родителей", "родителей", "род."),
    Category("teachers", "педагоги", "педагогов", "педагогов", "пед."),
    Category("disabled", "обучающиеся с ОВЗ", "обучающихся с ОВЗ", "с ОВЗ", "ОВЗ", is_part=False),
)
FIELDS = tuple(category.name for category in CATEGORIES)
DETAILS = tuple(category for category in CATEGORIES if category is not TOTAL)  # by category
PARTS = tuple(category.name for category in CATEGORIES if category.is_part)  # add up to at most the total


def column(name: str) -> str:
    """The report's column (and form field) of a category: coverage_<name>."""
    return f"coverage_{name}"


COLUMNS = tuple(column(name) for name in FIELDS)


def details_text(values: dict[str, int | None], *, short: bool = False) -> str:
    """«обучающихся 100, родителей 20» of the categories given, in their order."""
    return ", ".join(
        f"{category.short if short else category.genitive}\u00a0{values[category.name]}"
        if short
        else f"{category.genitive} {values[category.name]}"
        for category in DETAILS
        if values.get(category.name)
    )
