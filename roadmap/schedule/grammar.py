"""The deadline grammar: symbols (see ``lexer.py``) -> schedule items.

An item is a small JSON-ready dict; ``Schedule`` stores a list of them and turns them into
occurrences for a roadmap's period. Item types:

``win``    a yearly window or a deadline: months ``sm``/``em``, days ``sd``/``ed`` (``None`` =
           last day of the month), optional pinned years ``sy``/``ey``; ``u`` names the unit
           for labels (month, day, days, quarter, decade, part, year_edge).
``half``   half-year ``n`` (1/2), optional ``y`` and ``acad`` (True: of the school year).
``term``   a named period of the academic calendar (``a`` .. ``b``), optional pinned ``ay``
           (academic year); ``dl``: only its first ("start") or last ("end") day, a deadline.
``cont``   continuous: ``scope`` "plan_year" or "period".
``years``  explicit years ``y1``..``y2``; ``acad``: school years.
``every``  periodic: unit ``u`` (month, quarter, half, week, term, trimester), optional
           deadline day of month ``day``, part of month ``days`` = [first, last|None],
           ``due_next`` (day of the month after the part), ``within`` (another item).

Every pattern must consume the whole phrase: an unknown word (``?``) never matches, so what is
not understood stays ``unparsed`` instead of being guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .lexer import Tokens
from .notes import name_of

Item = dict[str, Any]

_LAST_DAY = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_UNIT_SYMBOLS = {"h": "month", "Q": "quarter", "H": "half", "T": "term", "W": "trimester", "K": "week"}
_PERIODIC_WORDS = {"m": "month", "j": "quarter", "w": "week", "o": "term"}
_TIMES_PER_YEAR = {2: "half", 4: "quarter", 12: "month"}
_HOLIDAYS = {"1": "autumn_holidays", "2": "winter_holidays", "3": "spring_holidays", "4": "summer_holidays"}


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


def _full(pattern: str, tokens: Tokens) -> _Match | None:
    m = re.fullmatch(pattern, tokens.symbols)
    return _Match(m, tokens) if m else None


# ---------------------------------------------------------------------------------------------
# Points: the atoms ranges are made of. A point is a window dict (sm, sd, em, ed, sy, ey, u).


def _window(sm: int, sd: int, em: int, ed: int | None, sy: int | None = None, u: str = "days", **extra: Any) -> Item:
    return {"t": "win", "sm": sm, "sd": sd, "em": em, "ed": ed, "sy": sy, "ey": sy, "u": u, **extra}


def _day(day: int, month: int, year: int | None = None) -> Item | None:
    if not 1 <= day <= _LAST_DAY[month]:
        return None
    return _window(month, day, month, day, year, "day")


_YEAR = r"(?:Y(?:g)?)"
_POINT_RE = re.compile(
    rf"""
    (?P<month>M)(?P<my>{_YEAR})?
  | (?P<dday>[NO])(?P<dmon>M)(?P<dy>{_YEAR})?
  | (?P<date>D)g?
  | (?P<dm>E)(?P<dmy>{_YEAR})?
  | (?P<monthyear>F)g?
  | (?P<decn>[NOR])A(?P<decm>M)(?P<decy>{_YEAR})?
  | (?P<wkn>[NO])K(?P<wkm>M)(?P<wky>{_YEAR})?
  | (?P<part>[BSe])(?P<partm>M)(?P<party>{_YEAR})?
  | (?P<halfn>[NO])½(?P<halfm>M)(?P<halfy>{_YEAR})?
  | (?P<qn>[NOR])Q(?P<qy>{_YEAR})?
  | (?P<edge>[Be])q?g
  | (?P<edgey>[Be])(?P<edgeyy>Y)g
    """,
    re.VERBOSE,
)


def _points(tokens: Tokens, pos: int) -> list[tuple[Item, int]]:
    """Every point starting at ``pos`` with the position after it (longest first)."""
    result: list[tuple[Item, int]] = []
    symbols = tokens.symbols
    for end in range(len(symbols), pos, -1):
        m = _POINT_RE.fullmatch(symbols, pos, end)
        if not m:
            continue
        point = _point(m, tokens)
        if point is not None:
            result.append((point, end))
    return result


def _point(m: re.Match[str], tokens: Tokens) -> Item | None:
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
        return _window(month, first, month, last, year("decy"), "decade", n=n)
    if m.group("wkn"):
        # "первая неделя сентября": weeks of a month are its days 1-7, 8-14, 15-21, 22-28, 29-end.
        n = values[m.start("wkn")]
        month = values[m.start("wkm")]
        if not 1 <= n <= (4 if month == 2 else 5):
            return None
        return _window(month, 7 * n - 6, month, 7 * n if n < 5 else None, year("wky"), "week", n=n)
    if m.group("part"):
        which = {"B": "begin", "S": "middle", "e": "end"}[m.group("part")]
        month = values[m.start("partm")]
        first, last = {"begin": (1, 10), "middle": (11, 20), "end": (21, None)}[which]
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
        return _window(3 * n - 2, 1, 3 * n, None, year("qy"), "quarter", q=[n, n])
    if m.group("edge"):
        # "начало года" is January, "конец года" December (of the calendar year).
        month = 1 if m.group("edge") == "B" else 12
        return _window(month, 1, month, None, None, "month")
    if m.group("edgey"):
        month = 1 if m.group("edgey") == "B" else 12
        return _window(month, 1, month, None, values[m.start("edgeyy")], "month")
    return None


def _combine(left: Item, right: Item) -> Item | None:
    """The window from the start of ``left`` to the end of ``right``."""
    sy, ey = left["sy"], right["ey"]
    start_key = (left["sm"], left["sd"])
    end_key = (right["em"], right["ed"] or 32)
    if sy is None and ey is not None:
        sy = ey if start_key <= end_key else ey - 1
    elif sy is not None and ey is None:
        ey = sy if start_key <= end_key else sy + 1
    if sy is not None and (sy, *start_key) > (ey, *end_key):
        return None
    if sy is not None and ey - sy > 1 and left["u"] != "month":
        return None
    if sy is None and start_key == end_key:
        return None
    unit = left["u"] if left["u"] == right["u"] and left["u"] in ("month", "quarter") else "days"
    item = {"t": "win", "sm": left["sm"], "sd": left["sd"], "em": right["em"], "ed": right["ed"], "sy": sy, "ey": ey,
            "u": unit}  # fmt: skip
    if unit == "quarter":
        item["q"] = [left["q"][0], right["q"][1]]
    return item


def _spans(tokens: Tokens) -> list[Item]:
    """A point or a range of points filling ``tokens`` entirely."""
    symbols = tokens.symbols
    n = len(symbols)
    found: list[Item] = []
    start = 1 if symbols.startswith("s") else 0
    for point, end in _points(tokens, start):
        if end == n and start == 0:
            found.append(point)
            continue
        if end >= n or symbols[end] not in "-pt/" or (start == 1 and symbols[end] == "-" and False):
            continue
        if start == 0 and symbols[end] == "p":
            continue  # "сентябрь по октябрь" without "с" is not a range we know
        for right, rend in _points(tokens, end + 1):
            if rend == n or (rend == n - 2 and symbols[rend:] == "zg"):
                combined = _combine(point, right)
                if combined is not None:
                    found.append(combined)
    # Day ranges inside one month: "1-15 сентября", "с 1 по 15 сентября"; also quarter
    # ranges "II-III квартал" and decades "1-2 декада сентября".
    m = re.fullmatch(r"s?([NOR])[-pt]", symbols[: start + 2]) if n > start + 2 else None
    if m:
        first = tokens.values[start]
        for right, rend in _points(tokens, start + 2):
            if rend != n:
                continue
            if right["u"] == "day" and symbols[start] in "NO" and 1 <= first < right["sd"]:
                found.append({**right, "sd": first, "u": "days"})
            elif right["u"] == "week" and symbols[start] in "NO" and 1 <= first < right["n"]:
                week = {key: value for key, value in right.items() if key != "n"}
                found.append({**week, "sd": 7 * first - 6, "u": "days"})
            elif right["u"] == "quarter" and 1 <= first < right["q"][0]:
                found.append({**right, "sm": 3 * first - 2, "q": [first, right["q"][1]]})
    return found


# ---------------------------------------------------------------------------------------------
# Item patterns


_WINDOW_PREFIX = re.compile(r"^(?:vc|c|vP|P|vV|vy|v|@)")


def _deadline_or_window(tokens: Tokens) -> Item | None:
    symbols = tokens.symbols
    prefix = _WINDOW_PREFIX.match(symbols)
    body = tokens.slice(prefix.end()) if prefix else tokens
    # Deadlines: "до 1 сентября", "не позднее 01.09", "к 1 сентября", "по 15 сентября".
    m = re.match(r"^(?:nl|[tkp]|vt)", body.symbols)
    if m and not (prefix and prefix.group(0) in ("vc", "c", "vP", "P")):
        rest = body.slice(m.end())
        deadline = _deadline_point(rest)
        if deadline is not None:
            return deadline
        return None
    spans = _spans(body)
    if len(spans) >= 1:
        return spans[0]
    return None


def _deadline_point(tokens: Tokens) -> Item | None:
    symbols = tokens.symbols
    for point, end in _points(tokens, 0):
        if end == len(symbols) and point["u"] == "day":
            return point
    # "до конца сентября" -> 30 September; "до конца (2023) года" -> 31 December.
    m = _full(r"e(?P<m>M)(?P<y>Y)?g?", tokens)
    if m:
        return _window(m.val("m"), None, m.val("m"), None, m.val("y"), "day", dl="end")
    m = _full(r"eq?(?P<y>Y)?g", tokens)
    if m:
        return _window(12, 31, 12, 31, m.val("y"), "day")
    m = _full(r"(?P<e>[Be])ug", tokens)
    if m:
        return {"t": "term", "a": "school_year_start" if m.sym("e") == "B" else "school_year_end",
                "dl": "start" if m.sym("e") == "B" else "end"}  # fmt: skip
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


_AY = r"(?P<ay>Y[-/][YN])"


def _half(tokens: Tokens) -> Item | None:
    body = _strip_prefix(tokens)
    m = _full(rf"(?P<n>[NOR])(?:H|½(?=[uq]?g|Y))(?:(?P<y>Y)g?|(?P<acad>u)g|(?P<kal>q)g|{_AY}u?g?|g)?", body)
    if not m or m.val("n") not in (1, 2):
        return None
    item: Item = {"t": "half", "n": m.val("n"), "y": m.val("y"), "acad": None}
    if m.has("acad"):
        item["acad"] = True
    elif m.has("kal"):
        item["acad"] = False
    elif m.has("ay"):
        ay = _academic_year(m, "ay")
        if ay is None:
            return None
        item["y"], item["acad"] = ay, True
    elif m.has("y"):
        item["acad"] = False
    return item


def _strip_prefix(tokens: Tokens) -> Tokens:
    prefix = _WINDOW_PREFIX.match(tokens.symbols)
    return tokens.slice(prefix.end()) if prefix else tokens


def _term(tokens: Tokens) -> Item | None:
    body = _strip_prefix(tokens)
    # "I четверть", "I-II четверть", "с I по III четверть", "2 триместр 2023-2024 учебного года"
    m = _full(rf"s?(?P<a>[NOR])(?:[-pt](?P<b>[NOR]))?(?P<k>[TW])(?:ug|{_AY}u?g?)?", body)
    if m:
        a = m.val("a")
        b = m.val("b") if m.has("b") else a
        limit = 4 if m.sym("k") == "T" else 3
        if not 1 <= a <= b <= limit:
            return None
        prefix = "term" if m.sym("k") == "T" else "trimester"
        item: Item = {"t": "term", "a": f"{prefix}_{a}", "b": f"{prefix}_{b}"}
        if m.has("ay"):
            ay = _academic_year(m, "ay")
            if ay is None:
                return None
            item["ay"] = ay
        return item
    # Holidays: "осенние каникулы", "в период летних каникул", "летний период", "летом".
    m = _full(rf"(?P<h>[1234])(?P<z>Z|P)?(?:(?P<y>Y)g?|{_AY}u?g?)?", body)
    if m:
        if m.sym("z") == "P" or (m.sym("h") == "4" and not m.has("z")):
            if m.sym("h") != "4":
                return None
            name = "summer_period"
        elif m.has("z"):
            name = _HOLIDAYS[m.sym("h")]
        else:
            return None
        item = {"t": "term", "a": name, "b": name}
        if m.has("y"):
            item["cy"] = m.val("y")
        elif m.has("ay"):
            ay = _academic_year(m, "ay")
            if ay is None:
                return None
            item["ay"] = ay
        return item
    # "начало учебного года", "в конце учебного года"
    m = _full(r"(?P<e>[Be])ug", body)
    if m:
        name = "school_year_start" if m.sym("e") == "B" else "school_year_end"
        return {"t": "term", "a": name, "b": name}
    return None


def _continuous(tokens: Tokens) -> Item | None:
    symbols = tokens.symbols
    if re.fullmatch(r"v?c?L?[uq]?g|vcL[uq]?g|U|G+(?:v?cL?[uq]?g)", symbols):
        return {"t": "cont", "scope": "plan_year"}
    if re.fullmatch(r"(?:nf)?N?Xv[uq]?g", symbols):
        if "N" in symbols and tokens.values[symbols.index("N")] != 1:
            return None
        return {"t": "cont", "scope": "plan_year", "times": 1}
    # "в течение всего периода (реализации программы)", "весь период", "постоянно".
    if re.fullmatch(r"(?:v?c)?LP\?{0,4}|v?cP\?{0,4}|G+|G+v?cLP|G+(?:v?cLP\?{0,4})", symbols):
        return {"t": "cont", "scope": "period"}
    return None


def _years(tokens: Tokens) -> Item | None:
    body = _strip_prefix(tokens)
    m = _full(r"@?(?P<y>Y)g?", body)
    if m:
        return {"t": "years", "y1": m.val("y"), "y2": m.val("y"), "acad": False}
    m = _full(r"@?(?P<ay>Y/[YN])(?P<u>u)?g?|@?(?P<ay2>Y-[YN])(?P<u2>u)g?", body)
    if m:
        group = "ay" if m.has("ay") else "ay2"
        ay = _academic_year(m, group)
        if ay is None:
            return None
        return {"t": "years", "y1": ay, "y2": ay, "acad": True}
    m = _full(r"@?s?(?P<a>Y)[-pt](?P<b>Y)(?P<q>q)?g?", body)
    if m and m.val("a") <= m.val("b") <= m.val("a") + 20:
        return {"t": "years", "y1": m.val("a"), "y2": m.val("b"), "acad": False}
    # "до конца 2023 года" is a deadline, handled elsewhere.
    return None


_CORE = r"(?:nf)?(?:(?P<n>N)?Xv(?P<u1>[hQHTWK])|vb(?P<u7>[hQHTWK])|b(?P<u2>[hQHTWK])|p(?P<u3>[hQHTW])|(?P<u4>[mjwo])|p?Ib?(?P<u5>[hQHTW])|[vp]?e(?P<each>b)?(?P<u6>[hQHTW]))"


def _core(m: re.Match[str], tokens: Tokens, offset: int = 0) -> tuple[str, bool] | None:
    """Unit of a periodic core and whether it is "в конце (каждого) ..." (end of the unit)."""
    if m.group("n") is not None and tokens.values[m.start("n") + offset] != 1:
        return None
    for group in ("u1", "u7", "u2", "u3", "u5", "u6"):
        if m.group(group):
            return _UNIT_SYMBOLS[m.group(group)], group == "u6"
    return _PERIODIC_WORDS[m.group("u4")], False


def _periodic(tokens: Tokens) -> Item | None:
    symbols = tokens.symbols
    # "раз в год" counts: 2 -> halves, 4 -> quarters, 12 -> months.
    m = _full(r"(?:nf)?(?P<n>N)Xv[uq]?g", tokens)
    if m:
        unit = _TIMES_PER_YEAR.get(m.val("n"))
        return {"t": "every", "u": unit, "times": m.val("n")} if unit else None
    core_re = re.compile(_CORE)
    # The whole phrase is a core.
    cm = core_re.fullmatch(symbols)
    if cm:
        unit_end = _core(cm, tokens)
        if unit_end is None:
            return None
        unit, at_end = unit_end
        item: Item = {"t": "every", "u": unit}
        if at_end and unit == "month":
            item["days"] = [21, None]
        return item
    # "до 25 числа каждого месяца", "25 числа ежемесячно", "ежемесячно до 5 числа".
    day_spec = r"(?:nl|[tk])?(?P<d>[NO])(?:C|-?(?=[mb]))"
    for pattern in (rf"(?P<core>{_CORE}){day_spec}h?", rf"{day_spec}(?:bh|(?P<core>{_CORE}))"):
        dm = re.fullmatch(pattern, symbols)
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
                and re.match(r"nl|[tk]", symbols[dm.end("core") :])
            ):
                # "ежеквартально до 5 числа": by the 5th of the month after each quarter.
                return {"t": "every", "u": unit, "due_next": day} if 1 <= day <= 28 else None
            if unit != "month" or not 1 <= day <= 31:
                return None
            return {"t": "every", "u": "month", "day": day}
    # "(ежеквартально) до 5 числа месяца, следующего за отчетным (кварталом)".
    due_next = r"(?:nl|[tk])(?P<d>[NO])C?h?zar(?P<of>[hQHP])?"
    dm = re.fullmatch(rf"(?:(?P<core>{_CORE}))?{due_next}", symbols)
    if dm:
        unit = "month"
        if dm.group("core"):
            unit_end = _core(dm, tokens)
            if unit_end is None:
                return None
            unit = unit_end[0]
        of = dm.group("of")
        if of in ("h", "Q", "H") and dm.group("core") and _UNIT_SYMBOLS[of] != unit:
            return None
        if of in ("h", "Q", "H") and not dm.group("core"):
            unit = _UNIT_SYMBOLS[of]
        day = tokens.values[dm.start("d")]
        if unit not in ("month", "quarter", "half") or not 1 <= day <= 28:
            return None
        return {"t": "every", "u": unit, "due_next": day}
    # "ежемесячно в начале месяца", "в конце каждого месяца"
    dm = re.fullmatch(r"(?:(?P<c1>m)|(?P<c2>bh|Xvh|NXvh))?v?(?P<part>[BSe])b?h(?:(?P<c3>m))?", symbols)
    if dm and (dm.group("c1") or dm.group("c3") or dm.group("c2") or "b" in symbols):
        first, last = {"B": (1, 10), "S": (11, 20), "e": (21, None)}[dm.group("part")]
        return {"t": "every", "u": "month", "days": [first, last]}
    # A core with a window it is limited to: "ежемесячно с сентября по май",
    # "еженедельно в течение I четверти", "в течение 2023 года ежемесячно".
    for cm in core_re.finditer(symbols):
        if cm.start() != 0 and cm.end() != len(symbols):
            continue
        unit_end = _core(cm, tokens)
        if unit_end is None or unit_end[1]:
            continue
        rest = tokens.slice(cm.end()) if cm.start() == 0 else tokens.slice(0, cm.start())
        if rest.symbols.startswith(","):
            rest = rest.slice(1)
        if rest.symbols.endswith(","):
            rest = rest.slice(0, len(rest) - 1)
        if not rest.symbols:
            continue
        within = parse_item(rest, allow_periodic=False)
        if within is None or within["t"] in ("every",):
            continue
        if within["t"] == "cont" and within["scope"] == "plan_year":
            return {"t": "every", "u": unit_end[0]}
        return {"t": "every", "u": unit_end[0], "within": within}
    return None


def _end_of_named(tokens: Tokens) -> Item | None:
    """ "до конца I квартала", "в конце I четверти", "по итогам I полугодия": the last day."""
    m = re.match(r"(?:[vp]?e|p?I|[tk]e|nle)(?=[NOR])", tokens.symbols)
    if not m:
        return None
    rest = tokens.slice(m.end())
    for pattern in (_half, _term, _deadline_or_window):
        item = pattern(rest)
        if item is None:
            continue
        if item["t"] == "win" and item["u"] != "quarter":
            return None
        if item["t"] == "term" and item["a"] != item["b"]:
            return None
        return {**item, "dl": "end"}
    return None


_PATTERNS: tuple[Callable[[Tokens], Item | None], ...] = (
    _end_of_named,
    _continuous,
    _years,
    _half,
    _term,
    _deadline_or_window,
)


def parse_item(tokens: Tokens, allow_periodic: bool = True) -> Item | None:
    """One item filling ``tokens`` entirely, or None."""
    if not tokens.symbols or len(tokens.symbols) > 40:
        return None
    if "?" in tokens.symbols:
        # Unknown words are allowed only as the object of "весь период (реализации программы)".
        return _continuous(tokens) if re.fullmatch(r"(?:v?c)?LP\?{1,4}|v?cP\?{1,4}", tokens.symbols) else None
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
    for i, symbol in enumerate(tokens.symbols + ","):
        if symbol == ",":
            if i > start:
                pieces.append(tokens.slice(start, i))
            start = i + 1
    return pieces


def _propagate(pieces: list[Tokens]) -> list[Tokens]:
    """Shared words of a list: "I, III квартал", "1 и 15 сентября", "март, апрель 2024 г."."""
    result = list(pieces)
    for i in range(len(result) - 2, -1, -1):
        piece, following = result[i], result[i + 1]
        bare = re.fullmatch(r"(?:[vs]|vc|[tk]|nl|[vpt]?e|p?I)?[NOR]|v?P?[123]", piece.symbols)
        shared = re.match(r"(?:[vs]|vc|[tk]|nl|[vpt]?e|p?I)?[NOR]|v?P?[123](?=Z)", following.symbols)
        if bare and shared and following.symbols[shared.end() :]:
            tail = following.slice(shared.end())
            result[i] = Tokens(piece.symbols + tail.symbols, piece.values + tail.values, piece.annual)
    last = result[-1] if result else None
    if last is not None and re.search(r"MYg?$", last.symbols):
        year_at = last.symbols.rindex("Y")
        year = last.slice(year_at)
        for i in range(len(result) - 1):
            if re.fullmatch(r"v?M", result[i].symbols):
                if result[i].values[-1] > last.values[year_at - 1]:
                    return []  # "декабрь, январь 2024": which December? Do not guess.
                result[i] = Tokens(result[i].symbols + year.symbols, result[i].values + year.values)
    return result


def parse_tokens(tokens: Tokens) -> tuple[list[Item], list[str]] | None:
    """Items of a whole phrase, with warnings; None if any part is not understood.

    A phrase the plain grammar does not read may still be dates with names: stages separated
    by «;» («с 1 по 15 марта – школьный этап; …»), a date and the event's name, a note in
    brackets, a place after a comma (``notes.name_of`` decides what is a name). The names
    become the items' ``label``."""
    plain = _parse_plain(tokens)
    if plain is not None:
        return plain
    segments = _split_on(tokens, ";")
    if len(segments) == 1:
        whole = _parse_named(tokens)
        if whole is not None:
            return whole
    by_commas = len(segments) == 1
    if by_commas:
        # Stages separated by commas: «с 1 по 5 марта (школьный этап), с 10 по 20 марта (…)».
        segments = _split_on(tokens, ",")
    items: list[Item] = []
    warnings: list[str] = []
    named = 0
    for segment in segments:
        parsed = _parse_named(segment)
        if parsed is None:
            return None
        segment_items, segment_warnings = parsed
        named += any("label" in item for item in segment_items)
        items.extend(item for item in segment_items if item not in items)
        warnings.extend(segment_warnings)
    # Read apart, the pieces lose what a list shares («декабрь, январь 2024»): only stages
    # that name themselves are read one by one.
    if not items or not named or (by_commas and named < len(segments)):
        return None
    return items, warnings


def _split_on(tokens: Tokens, separator: str) -> list[Tokens]:
    pieces, start, depth = [], 0, 0
    for i, symbol in enumerate(tokens.symbols):
        depth += symbol == "("
        depth -= symbol == ")"
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
    symbols = tokens.symbols
    candidates: list[tuple[str, Tokens]] = []
    # A name first, then ":" or a dash, then the dates.
    for i, symbol in enumerate(symbols):
        if symbol in ":-" and 0 < i < len(symbols) - 1:
            name = name_of(tokens.slice(0, i))
            if name:
                candidates.append((name, tokens.slice(i + 1)))
                break
    # The dates, then a name: the longest head that reads as dates, cut at a separator
    # («5 марта, г. Краснодар») before anywhere else («5 марта Всероссийский урок»).
    cuts = [cut for cut in range(len(symbols) - 1, 0, -1) if symbols[cut] in "-,:("]
    cuts += [cut for cut in range(len(symbols) - 1, 0, -1) if symbols[cut] not in "-,:("]
    for cut in cuts:
        name = name_of(tokens.slice(cut))
        if name is not None:
            candidates.append((name, tokens.slice(0, cut)))
    for name, rest in candidates:
        if not rest.symbols.strip(",;:-()") or rest.symbols.count("(") != rest.symbols.count(")"):
            continue
        parsed = _parse_plain(rest)
        if parsed is None:
            continue
        items, warnings = parsed
        if name:
            items = [{**item, "label": name} for item in items]
        return items, warnings
    return None


def _parse_plain(tokens: Tokens) -> tuple[list[Item], list[str]] | None:
    # Brackets and colons separate list items; so does a dash before "в": "2 раза в год – в мае".
    symbols = re.sub(r"[();:]|-(?=v)", ",", tokens.symbols)
    tokens = Tokens(symbols, tokens.values, tokens.annual)
    warnings: list[str] = []
    joined_symbols = "".join(s for s in symbols if s != ",")
    joined_values = tuple(v for s, v in zip(symbols, tokens.values, strict=True) if s != ",")
    if not joined_symbols:
        if tokens.annual:
            return [{"t": "cont", "scope": "plan_year"}], warnings
        return None
    item = parse_item(Tokens(joined_symbols, joined_values))
    if item is not None:
        return _finish([item], warnings)
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
    return _finish(_combine_list(items, warnings), warnings)


def _combine_list(items: list[Item], warnings: list[str]) -> list[Item]:
    """Descriptors of a list: "2 раза в год (декабрь, май)" keeps the months; "ежемесячно,
    сентябрь-май" is monthly within September–May. An empty result means "not understood"."""
    if len(items) < 2:
        return items
    periodic = [i for i in items if i["t"] == "every" or (i["t"] == "cont" and "times" in i)]
    specific = [i for i in items if i not in periodic]
    if not periodic or not specific:
        return items
    if len(periodic) > 1:
        return []
    descriptor = periodic[0]
    if "times" in descriptor:
        if len(specific) != descriptor["times"]:
            warnings.append(f"указано {descriptor['times']} раз(а) в год, а перечислено сроков: {len(specific)}")
        return specific
    if len(specific) == 1 and _is_window(specific[0]):
        if descriptor.get("within") or descriptor.get("due_next"):
            return []
        return [{**descriptor, "within": specific[0]}]
    # "ежеквартально (март, июнь, сентябрь, декабрь)": the list names the parts.
    expected = {"quarter": 4, "half": 2, "term": 4, "trimester": 3}.get(descriptor["u"], 0)
    if len(specific) == expected and not descriptor.get("within"):
        return specific
    return []


def _is_window(item: Item) -> bool:
    return item["t"] in ("win", "half", "term", "years") and not (item["t"] == "win" and item["u"] == "day")


def _finish(items: list[Item], warnings: list[str]) -> tuple[list[Item], list[str]] | None:
    if not items:
        return None
    unique: list[Item] = []
    for item in items:
        item.pop("times", None)
        if item not in unique:
            unique.append(item)
    return unique, warnings
