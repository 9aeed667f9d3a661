"""Schedule items: what the grammar makes of a phrase, typed, and their stored JSON form.

A :class:`Schedule` (``model.py``) holds a list of items; each item yields occurrences for a
roadmap's period. Six kinds:

- :class:`Window` — a yearly window or a deadline (start day == end day): «сентябрь»,
  «до 1 сентября», «1–15 марта», «I квартал 2023 г.», «первая декада мая»;
- :class:`HalfYear` — «I полугодие», «второе полугодие 2023/2024 учебного года»;
- :class:`Term` — a named period of the academic calendar: «I четверть», «осенние каникулы»;
- :class:`Continuous` — «в течение года» (every plan year), «весь период» (the whole period);
- :class:`Years` — explicit years: «2023 год», «2023–2024 учебный год»;
- :class:`Every` — periodic: «ежемесячно до 5 числа», «ежеквартально», «по четвертям».

Any item may carry a ``label``: the event's or the stage's name written beside the dates, and a
``time``: the times of day written after them («10.00–12.00», «14:00»), kept for the labels.

Stored format (``Measure.schedule``), version 2: ``{"version": 2, "items": [{"type": "window",
"start_month": 9, ...}]}`` — readable field names, optional fields left out when ``None``. Version 1 (before
issue 19) used two-letter keys (``{"t": "win", "sm": 9, ...}``); :func:`item_from_v1` and
:func:`item_to_v1` convert, for reading old data and for the migration that rewrites it.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields, replace
from typing import Any

FORMAT_VERSION = 2


@dataclass(frozen=True)
class Window:
    """Months ``start_month``..``end_month``, days ``start_day``..``end_day`` (``end_day`` None:
    the month's last day), optionally pinned to ``start_year``..``end_year``.

    ``unit`` names the window for labels: month, day, days, quarter, decade, part (начало /
    середина / конец месяца), week (of a month); ``quarters`` = (first, last) for quarters;
    ``number`` = the decade or the week; ``part`` = begin/middle/end; ``only`` = "end": just its
    last day, a deadline («до конца сентября»)."""

    start_month: int
    start_day: int | None
    end_month: int
    end_day: int | None
    start_year: int | None = None
    end_year: int | None = None
    unit: str = "days"
    quarters: tuple[int, int] | None = None
    number: int | None = None
    part: str | None = None
    only: str | None = None
    label: str | None = None
    time: str | None = None

    @property
    def is_day(self) -> bool:
        return self.unit == "day"


@dataclass(frozen=True)
class HalfYear:
    """Half ``number`` (1, 2) of the calendar year or, ``academic``, of the school year (None:
    of the roadmap's year type); optionally pinned to ``year`` (the school year's first)."""

    number: int
    year: int | None = None
    academic: bool | None = None
    only: str | None = None
    label: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class Term:
    """The academic calendar's periods ``first``..``last`` (names such as ``term_1``,
    ``autumn_holidays``, ``school_year_end``); pinned to the school year ``academic_year`` or
    the calendar year ``calendar_year``; ``only`` = "start"/"end": just that day, a deadline."""

    first: str
    last: str | None = None
    academic_year: int | None = None
    calendar_year: int | None = None
    only: str | None = None
    label: str | None = None
    time: str | None = None

    @property
    def final(self) -> str:
        return self.last or self.first


@dataclass(frozen=True)
class Continuous:
    """The whole plan year (``scope`` "plan_year") or the whole period ("period").
    ``times`` is the grammar's own note («1 раз в год») and is never stored."""

    scope: str
    times: int | None = None
    label: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class Years:
    """The years ``first``..``last``; ``academic``: school years (1 September – 31 August)."""

    first: int
    last: int
    academic: bool = False
    label: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class Every:
    """Every ``unit`` (month, quarter, half, week, term, trimester) of each plan year, within
    ``within`` if given; a deadline ``day`` of each month, a part ``days`` = (first, last or
    None) of each month, or due on day ``due_next`` of the month after each part.
    ``times`` («4 раза в год») is the grammar's own note and is never stored."""

    unit: str | None
    day: int | None = None
    days: tuple[int, int | None] | None = None
    due_next: int | None = None
    within: Item | None = None
    times: int | None = None
    label: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class Damaged:
    """A stored item that cannot be read: it yields no occurrences, only a warning."""

    data: Any = None
    label: str | None = None
    time: str | None = None


Item = Window | HalfYear | Term | Continuous | Years | Every | Damaged

_TYPES: dict[str, type] = {
    "window": Window,
    "half_year": HalfYear,
    "term": Term,
    "continuous": Continuous,
    "years": Years,
    "every": Every,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}


def is_pinned(item: Item) -> bool:
    """An item with an explicit year: it happens once, not every plan year."""
    if isinstance(item, Window):
        return item.start_year is not None
    if isinstance(item, HalfYear):
        return item.year is not None
    if isinstance(item, Term):
        return item.academic_year is not None
    return isinstance(item, Years)


def with_label(item: Item, label: str | None) -> Item:
    return replace(item, label=label)


def with_time(item: Item, time: str | None) -> Item:
    return replace(item, time=time)


# ---------------------------------------------------------------------------------------------
# Version 2: readable JSON


def item_to_json(item: Item) -> dict[str, Any]:
    if isinstance(item, Damaged):
        return dict(item.data) if isinstance(item.data, dict) else {"type": "damaged"}
    data: dict[str, Any] = {"type": _NAMES[type(item)]}
    for f in fields(item):
        value = getattr(item, f.name)
        if f.name == "times" or (value is None and f.default is not MISSING):
            continue  # (a required field is written even when None: «end_day»: null is the last day)
        if f.name == "within":
            value = item_to_json(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data


def item_from_json(data: Any) -> Item:
    """Never raises: what cannot be read becomes :class:`Damaged`."""
    try:
        cls = _TYPES[data["type"]]
        names = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in names}
        if values.get("within") is not None:
            values["within"] = item_from_json(values["within"])
        for key in ("quarters", "days"):
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        return cls(**values)
    except (KeyError, TypeError, AttributeError):
        return Damaged(data)


# ---------------------------------------------------------------------------------------------
# Version 1: the two-letter keys, for old data and the migration

_V1_TYPES = {
    "win": "window",
    "half": "half_year",
    "term": "term",
    "cont": "continuous",
    "years": "years",
    "every": "every",
}
_V1_KEYS = {
    "window": {
        "sm": "start_month", "sd": "start_day", "em": "end_month", "ed": "end_day", "sy": "start_year",
        "ey": "end_year", "u": "unit", "q": "quarters", "n": "number", "part": "part", "dl": "only",
    },
    "half_year": {"n": "number", "y": "year", "acad": "academic", "dl": "only"},
    "term": {"a": "first", "b": "last", "ay": "academic_year", "cy": "calendar_year", "dl": "only"},
    "continuous": {"scope": "scope"},
    "years": {"y1": "first", "y2": "last", "acad": "academic"},
    "every": {"u": "unit", "day": "day", "days": "days", "due_next": "due_next", "within": "within"},
}  # fmt: skip
# Version 1 wrote these keys even when empty; version 2 leaves out what is None.
_V1_ALWAYS = {"window": ("sd", "ed", "sy", "ey"), "half_year": ("y", "acad")}


def item_json_from_v1(data: Any) -> Any:
    """A version-1 item dict as a version-2 one (unknown shapes are passed through)."""
    if not isinstance(data, dict) or data.get("t") not in _V1_TYPES:
        return data
    kind = _V1_TYPES[data["t"]]
    keys = _V1_KEYS[kind]
    result: dict[str, Any] = {"type": kind}
    required = {f.name for f in fields(_TYPES[kind]) if f.default is MISSING}
    for key, value in data.items():
        if key in keys and (value is not None or keys[key] in required):
            result[keys[key]] = item_json_from_v1(value) if key == "within" else value
    if data.get("label") is not None:
        result["label"] = data["label"]
    return result


def item_json_to_v1(data: Any) -> Any:
    """A version-2 item dict as a version-1 one (what the code before issue 19 reads); as the
    migration does, the label is kept and the time of day is not (that code shows neither)."""
    if not isinstance(data, dict) or data.get("type") not in _V1_KEYS:
        return data
    kind = data["type"]
    back = {name: key for key, name in _V1_KEYS[kind].items()}
    result: dict[str, Any] = {"t": next(t for t, name in _V1_TYPES.items() if name == kind)}
    for key in _V1_ALWAYS.get(kind, ()):
        result[key] = None
    for name, value in data.items():
        if name in back:
            result[back[name]] = item_json_to_v1(value) if name == "within" else value
    if data.get("label") is not None:
        result["label"] = data["label"]
    return result


def items_from_stored(data: dict[str, Any]) -> list[Item]:
    """The items of a stored schedule of either version."""
    raw = data.get("items") or []
    if (data.get("version") or 1) < 2:
        raw = [item_json_from_v1(item) for item in raw]
    return [item_from_json(item) for item in raw]
