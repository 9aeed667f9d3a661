"""The deadline grammar: symbols (``symbols.py``) -> schedule items (``items.py``).

Patterns are regular expressions over the lexer's symbol strings, composed from the symbols'
names: ``f"{UNTIL}{DAY_NUMBER}{MONTH}"`` is «до 5 марта». Every pattern must consume the whole
phrase: an unknown word (``UNKNOWN``) never matches, so what is not understood stays
``unparsed`` instead of being guessed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from .items import Continuous, Every, HalfYear, Item, Term, Window, Years, with_time
from .lexer import Tokens
from .notes import maybe_name, name_of, only_punctuation, strip_times
from .symbols import (
    AFTER,
    ANY_NUMBER,
    AUTUMN,
    BEGINNING,
    BY,
    CALENDAR,
    CLOSE,
    CLOSE_RE,
    COLON,
    COMMA,
    CONSTANTLY,
    DASH,
    DATE,
    DAY_MONTH,
    DAY_NUMBER,
    DAY_OF_MONTH,
    DAY_WORD,
    DECADE,
    DURING,
    EACH,
    END,
    FROM,
    HALF,
    HALF_OF,
    HOLIDAYS,
    IN,
    LESS_OFTEN,
    MIDDLE,
    MONTH,
    MONTH_WORD,
    MONTH_YEAR,
    MONTHLY,
    NEXT,
    NOT,
    NOT_LATER,
    NUMBER,
    ON,
    OPEN,
    OPEN_RE,
    ORDINAL,
    PERIOD,
    QUARTER,
    QUARTERLY,
    REPORTING,
    RESULTS,
    SCHOOL,
    SEASONS,
    SEMICOLON,
    SLASH,
    SPRING,
    SUMMER,
    TERM,
    TERMLY,
    THROUGH,
    TIME_WORD,
    TIMES,
    TRIMESTER,
    UNKNOWN,
    UNKNOWN_RE,
    UNTIL,
    WEEK,
    WEEKLY,
    WHOLE,
    WINTER,
    YEAR,
    YEAR_ROUND,
    YEAR_WITH_WORD,
    YEAR_WORD,
    one_of,
)  # fmt: skip

_LAST_DAY = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_UNIT_SYMBOLS = {MONTH_WORD: "month", QUARTER: "quarter", HALF: "half", TERM: "term", TRIMESTER: "trimester",
                 WEEK: "week"}  # fmt: skip
_PERIODIC_WORDS = {MONTHLY: "month", QUARTERLY: "quarter", WEEKLY: "week", TERMLY: "term"}
_TIMES_PER_YEAR = {2: "half", 4: "quarter", 12: "month"}
_HOLIDAYS = {AUTUMN: "autumn_holidays", WINTER: "winter_holidays", SPRING: "spring_holidays",
             SUMMER: "summer_holidays"}  # fmt: skip
_PARTS = {BEGINNING: "begin", MIDDLE: "middle", END: "end"}
_PART_DAYS = {"begin": (1, 10), "middle": (11, 20), "end": (21, None)}

# Pieces patterns share.
_SCHOOL_OR_CALENDAR = one_of(SCHOOL, CALENDAR)
_UNITS = one_of(MONTH_WORD, QUARTER, HALF, TERM, TRIMESTER, WEEK)
_UNITS_NO_WEEK = one_of(MONTH_WORD, QUARTER, HALF, TERM, TRIMESTER)
_DEADLINE_WORD = f"(?:{NOT_LATER}|{one_of(UNTIL, BY)})"  # «до», «к», «не позднее»
_RANGE_WORD = one_of(DASH, THROUGH, UNTIL)  # «–», «по», «до»
# «2023-2024», «2023/2024», «2023-24»: a school year.
_AY = f"(?P<ay>{YEAR}{one_of(DASH, SLASH)}{one_of(YEAR, NUMBER)})"


class _Match:
    """A fullmatch of a symbol pattern with access to the values of named groups."""

    def __init__(self, match: re.Match[str], tokens: Tokens) -> None:
        self.m = match
        self.tokens = tokens

    def has(self, name: str) -> bool:
        return self.m.group(name) is not None

    def val(self, name: str, offset: int = 0) -> Any:
        start = self.m.start(name)
        return None if start < 0 else self.tokens.values[start + offset]

    def sym(self, name: str) -> str | None:
        return self.m.group(name)


def _full(pattern: re.Pattern[str], tokens: Tokens) -> _Match | None:
    m = pattern.fullmatch(tokens.symbols)
    return _Match(m, tokens) if m else None


# Patterns of the item rules below, compiled once.
_RANGE_START_RE = re.compile(f"{FROM}?({ANY_NUMBER}){_RANGE_WORD}")  # «(с) 1 –», «1 по»
_END_OF_MONTH_RE = re.compile(f"{END}(?P<m>{MONTH})(?P<y>{YEAR})?{YEAR_WORD}?")  # «(до) конца сентября»
_END_OF_YEAR_RE = re.compile(f"{END}{CALENDAR}?(?P<y>{YEAR})?{YEAR_WORD}")  # «(до) конца (2023) года»
_SCHOOL_YEAR_EDGE_RE = re.compile(f"(?P<e>{one_of(BEGINNING, END)}){SCHOOL}{YEAR_WORD}")  # «начало учебного года»
_ONE_YEAR_RE = re.compile(f"{ON}?(?P<y>{YEAR}){YEAR_WORD}?")  # «(на) 2023 год»
_YEAR_RANGE_RE = re.compile(  # «с 2023 по 2024 год», «2022-2024 годы»
    f"{ON}?{FROM}?(?P<a>{YEAR}){_RANGE_WORD}(?P<b>{YEAR})(?P<q>{CALENDAR})?{YEAR_WORD}?"
)
_TIMES_A_YEAR_RE = re.compile(  # «(не реже) 4 раза в год»
    f"(?:{NOT}{LESS_OFTEN})?(?P<n>{NUMBER}){TIMES}{IN}{_SCHOOL_OR_CALENDAR}?{YEAR_WORD}"
)
_SCHOOL_YEAR_RE = re.compile(  # «2023/2024 (уч.) год», «2023-2024 учебный год»
    f"{ON}?(?P<ay>{YEAR}{SLASH}{one_of(YEAR, NUMBER)})(?P<u>{SCHOOL})?{YEAR_WORD}?"
    f"|{ON}?(?P<ay2>{YEAR}{DASH}{one_of(YEAR, NUMBER)})(?P<u2>{SCHOOL}){YEAR_WORD}?"
)
_ENDS_WITH_MONTH_YEAR_RE = re.compile(f"{MONTH}{YEAR}{YEAR_WORD}?$")  # «…, апрель 2024 г.»
_BARE_MONTH_RE = re.compile(f"{IN}?{MONTH}")  # «(в) марте»


# ---------------------------------------------------------------------------------------------
# Points: the atoms ranges are made of; each is a Window.


def _window(sm: int, sd: int | None, em: int, ed: int | None, sy: int | None = None, unit: str = "days",
            **extra: Any) -> Window:  # fmt: skip
    return Window(sm, sd, em, ed, sy, sy, unit, **extra)


def _day(day: int, month: int, year: int | None = None) -> Window | None:
    if not 1 <= day <= _LAST_DAY[month]:
        return None
    return _window(month, day, month, day, year, "day")


_POINT_RE = re.compile(
    f"""
    (?P<month>{MONTH})(?P<my>{YEAR_WITH_WORD})?
  | (?P<dday>{DAY_NUMBER})(?P<dmon>{MONTH})(?P<dy>{YEAR_WITH_WORD})?
  | (?P<date>{DATE}){YEAR_WORD}?
  | (?P<dm>{DAY_MONTH})(?P<dmy>{YEAR_WITH_WORD})?
  | (?P<monthyear>{MONTH_YEAR}){YEAR_WORD}?
  | (?P<decn>{ANY_NUMBER}){DECADE}(?P<decm>{MONTH})(?P<decy>{YEAR_WITH_WORD})?
  | (?P<wkn>{DAY_NUMBER}){WEEK}(?P<wkm>{MONTH})(?P<wky>{YEAR_WITH_WORD})?
  | (?P<part>{one_of(BEGINNING, MIDDLE, END)})(?P<partm>{MONTH})(?P<party>{YEAR_WITH_WORD})?
  | (?P<halfn>{DAY_NUMBER}){HALF_OF}(?P<halfm>{MONTH})(?P<halfy>{YEAR_WITH_WORD})?
  | (?P<qn>{ANY_NUMBER}){QUARTER}(?P<qy>{YEAR_WITH_WORD})?
  | (?P<edge>{one_of(BEGINNING, END)}){CALENDAR}?{YEAR_WORD}
  | (?P<edgey>{one_of(BEGINNING, END)})(?P<edgeyy>{YEAR}){YEAR_WORD}
    """,
    re.VERBOSE,
)


# The most symbols a point spans: «2 декада марта 2026 г.», «1 половина мая 2026 г.».
_LONGEST_POINT = 5


def _points(tokens: Tokens, pos: int) -> list[tuple[Window, int]]:
    """Every point starting at ``pos`` with the position after it (longest first)."""
    result: list[tuple[Window, int]] = []
    symbols = tokens.symbols
    for end in range(min(len(symbols), pos + _LONGEST_POINT), pos, -1):
        m = _POINT_RE.fullmatch(symbols, pos, end)
        if not m:
            continue
        point = _point(m, tokens)
        if point is not None:
            result.append((point, end))
    return result


def _point(m: re.Match[str], tokens: Tokens) -> Window | None:
    values = tokens.values

    def year(group: str) -> int | None:
        return values[m.start(group)] if m.group(group) else None

    if m.group("month"):
        month = values[m.start("month")]
        return _window(month, 1, month, None, year("my"), "month")
    if m.group("dday"):
        return _day(values[m.start("dday")], values[m.start("dmon")], year("dy"))
    if m.group("date"):
        d = values[m.start("date")]
        return _day(d.day, d.month, d.year)
    if m.group("dm"):
        day, month = values[m.start("dm")]
        return _day(day, month, year("dmy"))
    if m.group("monthyear"):
        month, y = values[m.start("monthyear")]
        return _window(month, 1, month, None, y, "month")
    if m.group("decn"):
        n = values[m.start("decn")]
        month = values[m.start("decm")]
        if n not in (1, 2, 3):
            return None
        first, last = (1, 10) if n == 1 else (11, 20) if n == 2 else (21, None)
        return _window(month, first, month, last, year("decy"), "decade", number=n)
    if m.group("wkn"):
        # "первая неделя сентября": weeks of a month are its days 1-7, 8-14, 15-21, 22-28, 29-end.
        n = values[m.start("wkn")]
        month = values[m.start("wkm")]
        if not 1 <= n <= (4 if month == 2 else 5):
            return None
        return _window(month, 7 * n - 6, month, 7 * n if n < 5 else None, year("wky"), "week", number=n)
    if m.group("part"):
        which = _PARTS[m.group("part")]
        month = values[m.start("partm")]
        first, last = _PART_DAYS[which]
        return _window(month, first, month, last, year("party"), "part", part=which)
    if m.group("halfn"):
        n = values[m.start("halfn")]
        month = values[m.start("halfm")]
        if n not in (1, 2):
            return None
        first, last = (1, 15) if n == 1 else (16, None)
        return _window(month, first, month, last, year("halfy"), "days")
    if m.group("qn"):
        n = values[m.start("qn")]
        if n not in (1, 2, 3, 4):
            return None
        return _window(3 * n - 2, 1, 3 * n, None, year("qy"), "quarter", quarters=(n, n))
    if m.group("edge"):
        # "начало года" is January, "конец года" December (of the calendar year).
        month = 1 if m.group("edge") == BEGINNING else 12
        return _window(month, 1, month, None, None, "month")
    if m.group("edgey"):
        month = 1 if m.group("edgey") == BEGINNING else 12
        return _window(month, 1, month, None, values[m.start("edgeyy")], "month")
    return None


def _combine(left: Window, right: Window) -> Window | None:
    """The window from the start of ``left`` to the end of ``right``."""
    sy, ey = left.start_year, right.end_year
    start_key = (left.start_month, left.start_day)
    end_key = (right.end_month, right.end_day or 32)
    if sy is None and ey is not None:
        sy = ey if start_key <= end_key else ey - 1
    elif sy is not None and ey is None:
        ey = sy if start_key <= end_key else sy + 1
    if sy is not None and (sy, *start_key) > (ey, *end_key):
        return None
    if sy is not None and ey - sy > 1 and left.unit != "month":
        return None
    if sy is None and start_key == end_key:
        return None
    unit = left.unit if left.unit == right.unit and left.unit in ("month", "quarter") else "days"
    quarters = (left.quarters[0], right.quarters[1]) if unit == "quarter" else None
    return Window(left.start_month, left.start_day, right.end_month, right.end_day, sy, ey, unit, quarters)


_RANGE_TAIL = f"{NEXT}{YEAR_WORD}"  # «… – январь следующего года»


def _spans(tokens: Tokens) -> list[Window]:
    """A point or a range of points filling ``tokens`` entirely."""
    symbols = tokens.symbols
    n = len(symbols)
    found: list[Window] = []
    start = 1 if symbols.startswith(FROM) else 0
    for point, end in _points(tokens, start):
        if end == n and start == 0:
            found.append(point)
            continue
        if end >= n or symbols[end] not in (DASH, THROUGH, UNTIL, SLASH):
            continue
        if start == 0 and symbols[end] == THROUGH:
            continue  # "сентябрь по октябрь" without "с" is not a range we know
        for right, rend in _points(tokens, end + 1):
            if rend == n or (rend == n - 2 and symbols[rend:] == _RANGE_TAIL):
                combined = _combine(point, right)
                if combined is not None:
                    found.append(combined)
    # Day ranges inside one month: "1-15 сентября", "с 1 по 15 сентября"; weeks of a month
    # "1-2 неделя сентября"; quarter ranges "II-III квартал".
    m = _RANGE_START_RE.fullmatch(symbols[: start + 2]) if n > start + 2 else None
    if m:
        first = tokens.values[start]
        by_day = symbols[start] in (NUMBER, ORDINAL)
        for right, rend in _points(tokens, start + 2):
            if rend != n:
                continue
            if right.unit == "day" and by_day and 1 <= first < right.start_day:
                found.append(replace(right, start_day=first, unit="days"))
            elif right.unit == "week" and by_day and 1 <= first < right.number:
                found.append(replace(right, start_day=7 * first - 6, unit="days", number=None))
            elif right.unit == "quarter" and 1 <= first < right.quarters[0]:
                found.append(replace(right, start_month=3 * first - 2, quarters=(first, right.quarters[1])))
    return found


# ---------------------------------------------------------------------------------------------
# Item patterns

# «в течение», «в период», «во время», «в дни», «в», «на» before a window.
_WINDOW_PREFIX = re.compile(
    f"^(?:{IN}{DURING}|{DURING}|{IN}{PERIOD}|{PERIOD}|{IN}{TIME_WORD}|{IN}{DAY_WORD}|{IN}|{ON})"
)
_DURING_PREFIXES = (IN + DURING, DURING, IN + PERIOD, PERIOD)
# «до», «не позднее», «к», «по», «в срок до» before a deadline.
_DEADLINE_PREFIX = re.compile(f"^(?:{NOT_LATER}|{one_of(UNTIL, BY, THROUGH)}|{IN}{UNTIL})")


def _deadline_or_window(tokens: Tokens) -> Item | None:
    symbols = tokens.symbols
    prefix = _WINDOW_PREFIX.match(symbols)
    body = tokens.slice(prefix.end()) if prefix else tokens
    # Deadlines: "до 1 сентября", "не позднее 01.09", "к 1 сентября", "по 15 сентября".
    m = _DEADLINE_PREFIX.match(body.symbols)
    if m and not (prefix and prefix.group(0) in _DURING_PREFIXES):
        return _deadline_point(body.slice(m.end()))
    spans = _spans(body)
    return spans[0] if spans else None


def _deadline_point(tokens: Tokens) -> Item | None:
    symbols = tokens.symbols
    for point, end in _points(tokens, 0):
        if end == len(symbols) and point.is_day:
            return point
    # "до конца сентября" -> 30 September; "до конца (2023) года" -> 31 December.
    m = _full(_END_OF_MONTH_RE, tokens)
    if m:
        return _window(m.val("m"), None, m.val("m"), None, m.val("y"), "day", only="end")
    m = _full(_END_OF_YEAR_RE, tokens)
    if m:
        return _window(12, 31, 12, 31, m.val("y"), "day")
    m = _full(_SCHOOL_YEAR_EDGE_RE, tokens)
    if m:
        if m.sym("e") == BEGINNING:
            return Term("school_year_start", only="start")
        return Term("school_year_end", only="end")
    return None


def _academic_year(m: _Match, group: str) -> int | None:
    """The first year of "2023-2024", "2023/2024", "2023-24"; None if inconsistent."""
    first = m.val(group)
    second = m.val(group, 2)
    if second is None:
        return None
    if second == first + 1 or (second < 100 and second == (first + 1) % 100):
        return first
    return None


# «I полугодие», «2 полугодие 2023 г.», «первая половина года», «II полугодие учебного года».
_HALF_RE = re.compile(
    f"(?P<n>{ANY_NUMBER})(?:{HALF}|{HALF_OF}(?={_SCHOOL_OR_CALENDAR}?{YEAR_WORD}|{YEAR}))"
    f"(?:(?P<y>{YEAR}){YEAR_WORD}?|(?P<acad>{SCHOOL}){YEAR_WORD}|(?P<kal>{CALENDAR}){YEAR_WORD}|{_AY}{SCHOOL}?"
    f"{YEAR_WORD}?|{YEAR_WORD})?"
)


# A symbol every pattern of the rule needs: most pieces have none, and are refused at once.
_HALF_NEEDS = re.compile(one_of(HALF, HALF_OF))


def _half(tokens: Tokens) -> HalfYear | None:
    if not _HALF_NEEDS.search(tokens.symbols):
        return None
    m = _full(_HALF_RE, _strip_prefix(tokens))
    if not m or m.val("n") not in (1, 2):
        return None
    if m.has("acad"):
        return HalfYear(m.val("n"), None, True)
    if m.has("kal"):
        return HalfYear(m.val("n"), None, False)
    if m.has("ay"):
        ay = _academic_year(m, "ay")
        return None if ay is None else HalfYear(m.val("n"), ay, True)
    if m.has("y"):
        return HalfYear(m.val("n"), m.val("y"), False)
    return HalfYear(m.val("n"))


def _strip_prefix(tokens: Tokens) -> Tokens:
    prefix = _WINDOW_PREFIX.match(tokens.symbols)
    return tokens.slice(prefix.end()) if prefix else tokens


# «I четверть», «I-II четверть», «с I по III четверть», «2 триместр 2023-2024 учебного года».
_TERM_RE = re.compile(
    f"{FROM}?(?P<a>{ANY_NUMBER})(?:{_RANGE_WORD}(?P<b>{ANY_NUMBER}))?(?P<k>{one_of(TERM, TRIMESTER)})"
    f"(?:{SCHOOL}{YEAR_WORD}|{_AY}{SCHOOL}?{YEAR_WORD}?)?"
)
# «осенние каникулы», «в период летних каникул», «летний период», «летом».
_HOLIDAYS_RE = re.compile(
    f"(?P<h>{one_of(SEASONS)})(?P<z>{one_of(HOLIDAYS, PERIOD)})?(?:(?P<y>{YEAR}){YEAR_WORD}?|{_AY}{SCHOOL}?"
    f"{YEAR_WORD}?)?"
)


_TERM_NEEDS = re.compile(one_of(TERM, TRIMESTER, SEASONS, SCHOOL))


def _term(tokens: Tokens) -> Term | None:
    if not _TERM_NEEDS.search(tokens.symbols):
        return None
    body = _strip_prefix(tokens)
    m = _full(_TERM_RE, body)
    if m:
        a = m.val("a")
        b = m.val("b") if m.has("b") else a
        limit = 4 if m.sym("k") == TERM else 3
        if not 1 <= a <= b <= limit:
            return None
        prefix = "term" if m.sym("k") == TERM else "trimester"
        ay = None
        if m.has("ay"):
            ay = _academic_year(m, "ay")
            if ay is None:
                return None
        return Term(f"{prefix}_{a}", f"{prefix}_{b}", academic_year=ay)
    m = _full(_HOLIDAYS_RE, body)
    if m:
        if m.sym("z") == PERIOD or (m.sym("h") == SUMMER and not m.has("z")):
            if m.sym("h") != SUMMER:
                return None
            name = "summer_period"
        elif m.has("z"):
            name = _HOLIDAYS[m.sym("h")]
        else:
            return None
        if m.has("y"):
            return Term(name, name, calendar_year=m.val("y"))
        if m.has("ay"):
            ay = _academic_year(m, "ay")
            return None if ay is None else Term(name, name, academic_year=ay)
        return Term(name, name)
    # "начало учебного года", "в конце учебного года"
    m = _full(_SCHOOL_YEAR_EDGE_RE, body)
    if m:
        name = "school_year_start" if m.sym("e") == BEGINNING else "school_year_end"
        return Term(name, name)
    return None


# «в течение (всего) (учебного) года», «круглогодично», «постоянно в течение года».
_PLAN_YEAR_RE = re.compile(
    f"{IN}?{DURING}?{WHOLE}?{_SCHOOL_OR_CALENDAR}?{YEAR_WORD}|{IN}{DURING}{WHOLE}{_SCHOOL_OR_CALENDAR}?{YEAR_WORD}"
    f"|{YEAR_ROUND}|{CONSTANTLY}+(?:{IN}?{DURING}{WHOLE}?{_SCHOOL_OR_CALENDAR}?{YEAR_WORD})"
)
# «(не реже) 1 раз в (учебный) год».
_ONCE_A_YEAR_RE = re.compile(f"(?:{NOT}{LESS_OFTEN})?{NUMBER}?{TIMES}{IN}{_SCHOOL_OR_CALENDAR}?{YEAR_WORD}")
# «в течение всего периода (реализации программы)», «весь период», «постоянно».
_WHOLE_PERIOD_RE = re.compile(
    f"(?:{IN}?{DURING})?{WHOLE}{PERIOD}{UNKNOWN_RE}{{0,4}}|{IN}?{DURING}{PERIOD}{UNKNOWN_RE}{{0,4}}|{CONSTANTLY}+"
    f"|{CONSTANTLY}+{IN}?{DURING}{WHOLE}{PERIOD}|{CONSTANTLY}+(?:{IN}?{DURING}{WHOLE}{PERIOD}{UNKNOWN_RE}{{0,4}})"
)


_CONTINUOUS_NEEDS = re.compile(one_of(YEAR_WORD, YEAR_ROUND, CONSTANTLY, PERIOD))


def _continuous(tokens: Tokens) -> Continuous | None:
    symbols = tokens.symbols
    if not _CONTINUOUS_NEEDS.search(symbols):
        return None
    if _PLAN_YEAR_RE.fullmatch(symbols):
        return Continuous("plan_year")
    if _ONCE_A_YEAR_RE.fullmatch(symbols):
        if NUMBER in symbols and tokens.values[symbols.index(NUMBER)] != 1:
            return None
        return Continuous("plan_year", times=1)
    if _WHOLE_PERIOD_RE.fullmatch(symbols):
        return Continuous("period")
    return None


def _years(tokens: Tokens) -> Years | None:
    if YEAR not in tokens.symbols:
        return None  # (each pattern below has one)
    body = _strip_prefix(tokens)
    m = _full(_ONE_YEAR_RE, body)
    if m:
        return Years(m.val("y"), m.val("y"), False)
    m = _full(_SCHOOL_YEAR_RE, body)
    if m:
        ay = _academic_year(m, "ay" if m.has("ay") else "ay2")
        return None if ay is None else Years(ay, ay, True)
    m = _full(_YEAR_RANGE_RE, body)
    if m and m.val("a") <= m.val("b") <= m.val("a") + 20:
        return Years(m.val("a"), m.val("b"), False)
    # "до конца 2023 года" is a deadline, handled elsewhere.
    return None


# The core of a periodic phrase: «(не реже) 1 раз в месяц», «в каждом квартале», «каждый месяц»,
# «по четвертям», «ежемесячно», «по итогам (каждой) четверти», «в конце (каждого) месяца».
_CORE = (
    f"(?:{NOT}{LESS_OFTEN})?(?:(?P<n>{NUMBER})?{TIMES}{IN}(?P<u1>{_UNITS})|{IN}{EACH}(?P<u7>{_UNITS})"
    f"|{EACH}(?P<u2>{_UNITS})|{THROUGH}(?P<u3>{_UNITS_NO_WEEK})|(?P<u4>{one_of(MONTHLY, QUARTERLY, WEEKLY, TERMLY)})"
    f"|{THROUGH}?{RESULTS}{EACH}?(?P<u5>{_UNITS_NO_WEEK})|{one_of(IN, THROUGH)}?{END}(?P<each>{EACH})?"
    f"(?P<u6>{_UNITS_NO_WEEK}))"
)
_CORE_RE = re.compile(_CORE)
# «до 25 числа», «25-го»: a day of each month.
_DAY_SPEC = f"{_DEADLINE_WORD}?(?P<d>{DAY_NUMBER})(?:{DAY_OF_MONTH}|{DASH}?(?={one_of(MONTHLY, EACH)}))"
# «до 5 числа месяца, следующего за отчётным (кварталом)».
_DUE_NEXT = (
    f"{_DEADLINE_WORD}(?P<d>{DAY_NUMBER}){DAY_OF_MONTH}?{MONTH_WORD}?{NEXT}{AFTER}{REPORTING}"
    f"(?P<of>{one_of(MONTH_WORD, QUARTER, HALF, PERIOD)})?"
)
# «ежемесячно в начале месяца», «в конце каждого месяца».
_PART_OF_MONTH = (
    f"(?:(?P<c1>{MONTHLY})|(?P<c2>{EACH}{MONTH_WORD}|{TIMES}{IN}{MONTH_WORD}|{NUMBER}{TIMES}{IN}{MONTH_WORD}))?"
    f"{IN}?(?P<part>{one_of(BEGINNING, MIDDLE, END)}){EACH}?{MONTH_WORD}(?:(?P<c3>{MONTHLY}))?"
)

_DEADLINE_WORD_RE = re.compile(_DEADLINE_WORD)
_DAY_OF_EACH_MONTH_RES = (
    re.compile(f"(?P<core>{_CORE}){_DAY_SPEC}{MONTH_WORD}?"),  # «ежемесячно до 5 числа»
    re.compile(f"{_DAY_SPEC}(?:{EACH}{MONTH_WORD}|(?P<core>{_CORE}))"),  # «до 25 числа каждого месяца»
)
_DUE_NEXT_RE = re.compile(f"(?:(?P<core>{_CORE}))?{_DUE_NEXT}")
_PART_OF_MONTH_RE = re.compile(_PART_OF_MONTH)


def _core(m: re.Match[str], tokens: Tokens, offset: int = 0) -> tuple[str, bool] | None:
    """Unit of a periodic core and whether it is "в конце (каждого) ..." (end of the unit)."""
    if m.group("n") is not None and tokens.values[m.start("n") + offset] != 1:
        return None
    for group in ("u1", "u7", "u2", "u3", "u5", "u6"):
        if m.group(group):
            return _UNIT_SYMBOLS[m.group(group)], group == "u6"
    return _PERIODIC_WORDS[m.group("u4")], False


def _periodic(tokens: Tokens) -> Every | None:
    symbols = tokens.symbols
    # "раз в год" counts: 2 -> halves, 4 -> quarters, 12 -> months.
    m = _full(_TIMES_A_YEAR_RE, tokens)
    if m:
        unit = _TIMES_PER_YEAR.get(m.val("n"))
        return Every(unit, times=m.val("n")) if unit else None
    # The whole phrase is a core.
    cm = _CORE_RE.fullmatch(symbols)
    if cm:
        unit_end = _core(cm, tokens)
        if unit_end is None:
            return None
        unit, at_end = unit_end
        return Every(unit, days=(21, None)) if at_end and unit == "month" else Every(unit)
    # "до 25 числа каждого месяца", "25 числа ежемесячно", "ежемесячно до 5 числа".
    for pattern in _DAY_OF_EACH_MONTH_RES:
        dm = pattern.fullmatch(symbols)
        if dm:
            unit = "month"
            if dm.group("core"):
                unit_end = _core(dm, tokens)
                if unit_end is None:
                    return None
                unit = unit_end[0]
            day = tokens.values[dm.start("d")]
            if (
                unit in ("quarter", "half")
                and dm.start("core") == 0
                and _DEADLINE_WORD_RE.match(symbols[dm.end("core") :])
            ):
                # "ежеквартально до 5 числа": by the 5th of the month after each quarter.
                return Every(unit, due_next=day) if 1 <= day <= 28 else None
            if unit != "month" or not 1 <= day <= 31:
                return None
            return Every("month", day=day)
    dm = _DUE_NEXT_RE.fullmatch(symbols)
    if dm:
        unit = "month"
        if dm.group("core"):
            unit_end = _core(dm, tokens)
            if unit_end is None:
                return None
            unit = unit_end[0]
        of = dm.group("of")
        if of in (MONTH_WORD, QUARTER, HALF) and dm.group("core") and _UNIT_SYMBOLS[of] != unit:
            return None
        if of in (MONTH_WORD, QUARTER, HALF) and not dm.group("core"):
            unit = _UNIT_SYMBOLS[of]
        day = tokens.values[dm.start("d")]
        if unit not in ("month", "quarter", "half") or not 1 <= day <= 28:
            return None
        return Every(unit, due_next=day)
    dm = _PART_OF_MONTH_RE.fullmatch(symbols)
    if dm and (dm.group("c1") or dm.group("c3") or dm.group("c2") or EACH in symbols):
        return Every("month", days=_PART_DAYS[_PARTS[dm.group("part")]])
    # A core with a window it is limited to: "ежемесячно с сентября по май",
    # "еженедельно в течение I четверти", "в течение 2023 года ежемесячно".
    for cm in _CORE_RE.finditer(symbols):
        if cm.start() != 0 and cm.end() != len(symbols):
            continue
        unit_end = _core(cm, tokens)
        if unit_end is None or unit_end[1]:
            continue
        rest = tokens.slice(cm.end()) if cm.start() == 0 else tokens.slice(0, cm.start())
        if rest.symbols.startswith(COMMA):
            rest = rest.slice(1)
        if rest.symbols.endswith(COMMA):
            rest = rest.slice(0, len(rest) - 1)
        if not rest.symbols:
            continue
        within = parse_item(rest, allow_periodic=False)
        if within is None or isinstance(within, Every):
            continue
        if isinstance(within, Continuous) and within.scope == "plan_year":
            return Every(unit_end[0])
        return Every(unit_end[0], within=within)
    return None


# «до конца», «в конце», «по итогам», «к концу», «не позднее конца» before a named period.
_END_OF = re.compile(
    f"(?:{one_of(IN, THROUGH)}?{END}|{THROUGH}?{RESULTS}|{one_of(UNTIL, BY)}{END}|{NOT_LATER}{END})(?={ANY_NUMBER})"
)


def _end_of_named(tokens: Tokens) -> Item | None:
    """ "до конца I квартала", "в конце I четверти", "по итогам I полугодия": the last day."""
    m = _END_OF.match(tokens.symbols)
    if not m:
        return None
    rest = tokens.slice(m.end())
    for pattern in (_half, _term, _deadline_or_window):
        item = pattern(rest)
        if item is None:
            continue
        if isinstance(item, Window) and item.unit != "quarter":
            return None
        if isinstance(item, Term) and item.first != item.last:
            return None
        return replace(item, only="end")
    return None


_PATTERNS: tuple[Callable[[Tokens], Item | None], ...] = (
    _end_of_named,
    _continuous,
    _years,
    _half,
    _term,
    _deadline_or_window,
)
# Unknown words are allowed only as the object of «весь период (реализации программы)».
_PERIOD_OF_RE = re.compile(
    f"(?:{IN}?{DURING})?{WHOLE}{PERIOD}{UNKNOWN_RE}{{1,4}}|{IN}?{DURING}{PERIOD}{UNKNOWN_RE}{{1,4}}"
)


def parse_item(tokens: Tokens, allow_periodic: bool = True) -> Item | None:
    """One item filling ``tokens`` entirely, or None."""
    if not tokens.symbols or len(tokens.symbols) > 40:
        return None
    return _read_item(tokens.symbols, tokens.values, allow_periodic)


# An item depends on the symbols and their values only (items are frozen): the same pieces
# recur within a phrase (each cut ``_parse_named`` tries) and across a plan («5 марта» in cell
# after cell), so each is read once.
@functools.lru_cache(maxsize=16384)
def _read_item(symbols: str, values: tuple[Any, ...], allow_periodic: bool) -> Item | None:
    tokens = Tokens(symbols, values)
    if UNKNOWN in tokens.symbols:
        return _continuous(tokens) if _PERIOD_OF_RE.fullmatch(tokens.symbols) else None
    for pattern in _PATTERNS:
        item = pattern(tokens)
        if item is not None:
            return item
    if allow_periodic:
        return _periodic(tokens)
    return None


# ---------------------------------------------------------------------------------------------
# Lists


def _split(tokens: Tokens) -> list[Tokens]:
    pieces: list[Tokens] = []
    start = 0
    for i, symbol in enumerate(tokens.symbols + COMMA):
        if symbol == COMMA:
            if i > start:
                pieces.append(tokens.slice(start, i))
            start = i + 1
    return pieces


# «I, III квартал», «1 и 15 сентября», «осенние и весенние каникулы»: a piece of a list that
# is only a number (with its preposition) or a season borrows the words after the next one's.
_NUMBER_HEAD = f"(?:{one_of(IN, FROM)}|{IN}{DURING}|{one_of(UNTIL, BY)}|{NOT_LATER}|{one_of(IN, THROUGH, UNTIL)}?{END}|{THROUGH}?{RESULTS})?{ANY_NUMBER}"
_BARE_NUMBER_RE = re.compile(f"{_NUMBER_HEAD}|{IN}?{PERIOD}?{one_of(AUTUMN, WINTER, SPRING)}")
_SHARED_RE = re.compile(f"{_NUMBER_HEAD}|{IN}?{PERIOD}?{one_of(AUTUMN, WINTER, SPRING)}(?={HOLIDAYS})")


def _propagate(pieces: list[Tokens]) -> list[Tokens]:
    """Shared words of a list: "I, III квартал", "1 и 15 сентября", "март, апрель 2024 г."."""
    result = list(pieces)
    for i in range(len(result) - 2, -1, -1):
        piece, following = result[i], result[i + 1]
        bare = _BARE_NUMBER_RE.fullmatch(piece.symbols)
        shared = _SHARED_RE.match(following.symbols)
        if bare and shared and following.symbols[shared.end() :]:
            tail = following.slice(shared.end())
            result[i] = Tokens(piece.symbols + tail.symbols, piece.values + tail.values, piece.annual)
    last = result[-1] if result else None
    if last is not None and _ENDS_WITH_MONTH_YEAR_RE.search(last.symbols):
        year_at = last.symbols.rindex(YEAR)
        year = last.slice(year_at)
        for i in range(len(result) - 1):
            if _BARE_MONTH_RE.fullmatch(result[i].symbols):
                if result[i].values[-1] > last.values[year_at - 1]:
                    return []  # "декабрь, январь 2024": which December? Do not guess.
                result[i] = Tokens(result[i].symbols + year.symbols, result[i].values + year.values)
    return result


def parse_tokens(tokens: Tokens) -> tuple[list[Item], list[str]] | None:
    """Items of a whole phrase, with warnings; None if any part is not understood.

    A phrase the plain grammar does not read may still be dates with names: stages separated
    by «;» («с 1 по 15 марта – школьный этап; …»), a date and the event's name, a note in
    brackets, a place after a comma (``notes.name_of`` decides what is a name). The names
    become the items' ``label``; times of day after the dates, their ``time``."""
    rest, times = strip_times(tokens)
    noted = _days_of_a_named_period(rest)
    if noted is not None:
        return _timed(noted, times)
    plain = _parse_plain(rest)
    if plain is not None:
        if times and ", " in times and len(plain[0]) > 1:
            # «5 марта 10.00, 6 марта 12.00»: each date keeps its own times, if read apart
            # the pieces give the very same dates.
            separator = SEMICOLON if SEMICOLON in tokens.symbols else COMMA
            apart = _parse_stages(_split_on(tokens, separator), _parse_plain)
            if apart is not None and [with_time(item, None) for item in apart[0]] == plain[0]:
                return apart[0], plain[1]
        return _timed(plain, times)
    segments = _split_on(tokens, SEMICOLON)
    if len(segments) == 1:
        whole = _parse_named(rest)
        if whole is not None:
            return _timed(whole, times)
    by_commas = len(segments) == 1
    if by_commas:
        # Stages separated by commas: «с 1 по 5 марта (школьный этап), с 10 по 20 марта (…)».
        segments = _split_on(tokens, COMMA)
    stages = _parse_stages(segments, _parse_named)
    if stages is None:
        return None
    items, warnings, named, count = stages
    # Read apart, the pieces lose what a list shares («декабрь, январь 2024»): only stages
    # that name themselves are read one by one.
    if not items or not named or (by_commas and named < count):
        return None
    return items, warnings


def _parse_stages(
    segments: list[Tokens], read: Callable[[Tokens], tuple[list[Item], list[str]] | None]
) -> tuple[list[Item], list[str], int, int] | None:
    """Each segment read by ``read`` with its own times of day (a segment of times alone,
    «…, 10.00, …», belongs to the one before): the items, the warnings, how many segments
    named themselves and how many there were."""
    items: list[Item] = []
    warnings: list[str] = []
    named = count = 0
    for segment in segments:
        rest, times = strip_times(segment)
        if times and only_punctuation(rest) and items:
            items[-1] = with_time(items[-1], ", ".join(filter(None, (items[-1].time, times))))
            continue
        parsed = _timed(read(rest), times)
        if parsed is None:
            return None
        count += 1
        segment_items, segment_warnings = parsed
        named += any(item.label for item in segment_items)
        items.extend(item for item in segment_items if item not in items)
        warnings.extend(segment_warnings)
    return items, warnings, named, count


def _days_of_a_named_period(tokens: Tokens) -> tuple[list[Item], list[str]] | None:
    """«3 ноября – 6 ноября (осенние каникулы)», «зимние каникулы (28.12–10.01)»: days written
    out and the academic period (holidays, a term) they are, one of them in brackets. The days
    are the dates, the period their name: read as a list, the period would add the default
    calendar's dates, which the cell does not say."""
    symbols = tokens.symbols
    if not symbols.endswith(CLOSE) or symbols.count(OPEN) != 1 or symbols.count(CLOSE) != 1:
        return None
    at = symbols.index(OPEN)
    head, note = tokens.slice(0, at), tokens.slice(at + 1, len(symbols) - 1)
    if not head.symbols or not note.symbols:
        return None
    for days, period in ((head, note), (note, head)):
        if not isinstance(parse_item(period), Term):
            continue
        dates = _parse_plain(days)
        if dates is None or not all(isinstance(i, Window) and i.unit in ("day", "days") for i in dates[0]):
            continue
        name = period.source().strip(" ,:-")
        return [replace(item, label=name) for item in dates[0]], dates[1]
    return None


def _timed(parsed: tuple[list[Item], list[str]] | None, times: str | None) -> tuple[list[Item], list[str]] | None:
    """The items with the times of day their phrase wrote after the dates."""
    if parsed is None or not times:
        return parsed
    items, warnings = parsed
    return [with_time(item, times) for item in items], warnings


def _split_on(tokens: Tokens, separator: str) -> list[Tokens]:
    pieces, start, depth = [], 0, 0
    for i, symbol in enumerate(tokens.symbols):
        depth += symbol == OPEN
        depth -= symbol == CLOSE
        if symbol == separator and depth <= 0:
            pieces.append(tokens.slice(start, i))
            start = i + 1
    pieces.append(tokens.slice(start))
    return [piece for piece in pieces if piece.symbols]


def _parse_named(tokens: Tokens) -> tuple[list[Item], list[str]] | None:
    """Dates with a name before («школьный этап: 01.02-15.02») or after them («5 марта
    Всероссийский урок», «1-15 марта (школьный этап)», «5 марта, г. Краснодар»)."""
    plain = _parse_plain(tokens)
    if plain is not None:
        return plain
    for name, rest in _named_candidates(tokens):
        if not rest.symbols.strip(_PUNCTUATION) or rest.symbols.count(OPEN) != rest.symbols.count(CLOSE):
            continue
        parsed = _parse_plain(rest)
        if parsed is None:
            continue
        items, warnings = parsed
        if name:
            items = [replace(item, label=name) for item in items]
        return items, warnings
    return None


_PUNCTUATION = COMMA + SEMICOLON + COLON + DASH + OPEN + CLOSE


def _named_candidates(tokens: Tokens) -> Iterator[tuple[str, Tokens]]:
    """(name, the dates' tokens) in the order they are tried; made as they are needed, since
    the first whose dates read wins."""
    symbols = tokens.symbols
    # A name first, then ":" or a dash, then the dates.
    for i, symbol in enumerate(symbols):
        if symbol in (COLON, DASH) and 0 < i < len(symbols) - 1:
            name = name_of(tokens.slice(0, i))
            if name:
                yield name, tokens.slice(i + 1)
                break
    # The dates, then a name: the longest head that reads as dates, cut at a separator
    # («5 марта, г. Краснодар») before anywhere else («5 марта Всероссийский урок»).
    separators = (DASH, COMMA, COLON, OPEN)
    cuts = [cut for cut in range(len(symbols) - 1, 0, -1) if symbols[cut] in separators]
    cuts += [cut for cut in range(len(symbols) - 1, 0, -1) if symbols[cut] not in separators]
    for cut in cuts:
        if not maybe_name(symbols[cut:]):
            continue
        name = name_of(tokens.slice(cut))
        if name is not None:
            yield name, tokens.slice(0, cut)


# Brackets, colons and semicolons separate list items; so does a dash before «в».
_LIST_SEPARATORS = re.compile(f"[{OPEN_RE}{CLOSE_RE}{SEMICOLON}{COLON}]|{DASH}(?={IN})")


def _parse_plain(tokens: Tokens) -> tuple[list[Item], list[str]] | None:
    # Read once per symbols and values (see ``_read_item``); the caller gets lists of its own.
    read = _read_plain(tokens.symbols, tokens.values, tokens.annual)
    return None if read is None else (list(read[0]), list(read[1]))


@functools.lru_cache(maxsize=16384)
def _read_plain(symbols: str, values: tuple[Any, ...], annual: bool) -> tuple[tuple[Item, ...], tuple[str, ...]] | None:
    # Brackets and colons separate list items; so does a dash before "в": "2 раза в год – в мае".
    symbols = _LIST_SEPARATORS.sub(COMMA, symbols)
    tokens = Tokens(symbols, values, annual)
    warnings: list[str] = []
    if COMMA in symbols:
        joined_symbols = symbols.replace(COMMA, "")
        joined_values = tuple(v for s, v in zip(symbols, tokens.values, strict=True) if s != COMMA)
    else:
        joined_symbols, joined_values = symbols, tokens.values
    if not joined_symbols:
        if tokens.annual:
            return (Continuous("plan_year"),), ()
        return None
    item = parse_item(Tokens(joined_symbols, joined_values))
    if item is not None:
        return _frozen(_finish([item], warnings))
    pieces = _propagate(_split(tokens))
    if not pieces:
        return None
    items: list[Item] = []
    for piece in pieces:
        if not piece.symbols:
            continue
        item = parse_item(piece)
        if item is None:
            return None
        items.append(item)
    return _frozen(_finish(_combine_list(items, warnings), warnings))


def _frozen(
    parsed: tuple[list[Item], list[str]] | None,
) -> tuple[tuple[Item, ...], tuple[str, ...]] | None:
    return None if parsed is None else (tuple(parsed[0]), tuple(parsed[1]))


def _combine_list(items: list[Item], warnings: list[str]) -> list[Item]:
    """Descriptors of a list: "2 раза в год (декабрь, май)" keeps the months; "ежемесячно,
    сентябрь-май" is monthly within September–May. An empty result means "not understood"."""
    if len(items) < 2:
        return items
    periodic = [i for i in items if isinstance(i, Every) or (isinstance(i, Continuous) and i.times is not None)]
    specific = [i for i in items if i not in periodic]
    if not periodic or not specific:
        return items
    if len(periodic) > 1:
        return []
    descriptor = periodic[0]
    if descriptor.times is not None:
        if len(specific) != descriptor.times:
            warnings.append(f"указано {descriptor.times} раз(а) в год, а перечислено сроков: {len(specific)}")
        return specific
    if len(specific) == 1 and _is_window(specific[0]):
        if descriptor.within or descriptor.due_next:
            return []
        return [replace(descriptor, within=specific[0])]
    # "ежеквартально (март, июнь, сентябрь, декабрь)": the list names the parts.
    expected = {"quarter": 4, "half": 2, "term": 4, "trimester": 3}.get(descriptor.unit, 0)
    if len(specific) == expected and not descriptor.within:
        return specific
    return []


def _is_window(item: Item) -> bool:
    if isinstance(item, Window):
        return not item.is_day
    return isinstance(item, (HalfYear, Term, Years))


def _finish(items: list[Item], warnings: list[str]) -> tuple[list[Item], list[str]] | None:
    if not items:
        return None
    unique: list[Item] = []
    for item in items:
        if isinstance(item, (Continuous, Every)):
            item = replace(item, times=None)
        if item not in unique:
            unique.append(item)
    return unique, warnings
