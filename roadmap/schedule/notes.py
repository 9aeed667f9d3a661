"""What a deadline cell says besides its dates: weekdays, times of day, event names, places.

A school calendar writes «5 марта (чт) – 7 марта (сб)», a plan «05.03.2026г. 10.00-12.00 –
Ярмарка профессий», «5 марта, г. Краснодар», «1-15 марта (школьный этап)». None of this changes
the dates, so it is taken off the tokens before the grammar reads them:

- a weekday after a date becomes a :class:`WeekdayClaim`, checked against the dates later (a
  contradiction is a warning for the review screen, never a different date);
- times of day after a date are taken off and kept as the occurrences' ``time`` («5 марта
  2026, 10.00–12.00» in the label); a phrase of times alone has no dates at all;
- a name before or after the dates («школьный этап: …», «… – Ярмарка профессий», «(этап)»,
  «, ул. Красная, 12») becomes the label of the occurrences.

A name must look like one: at least one word the lexer does not know, nothing that could
change the dates (a month, a year, «или», «кроме», «после», …). Otherwise the phrase stays
``unparsed``: a note never hides a date the grammar did not understand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .lexer import Tokens
from .symbols import (
    AFTER,
    BY,
    CLOSE,
    CLOSE_RE,
    COLON,
    COMMA,
    DASH,
    DATE,
    DAY_MONTH,
    DAY_WORD,
    FROM,
    IN,
    MONTH,
    NUMBER,
    ON,
    OPEN,
    OPEN_RE,
    ORDINAL,
    RESULTS,
    ROMAN,
    SEASONS,
    SEMICOLON,
    SLASH,
    THROUGH,
    TIME,
    UNKNOWN,
    UNKNOWN_RE,
    UNTIL,
    WEEK,
    WEEKDAY,
    YEAR,
    YEAR_WORD,
    one_of,
)  # fmt: skip

WEEKDAY_ABBR = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


@dataclass(frozen=True)
class WeekdayClaim:
    """«5 марта (чт)»: the day ``day``.``month`` (of ``year`` if written) said to be ``weekday``
    (0 = Monday)."""

    day: int
    month: int
    year: int | None
    weekday: int

    def conflict(self, on: date) -> str | None:
        """A warning if ``on`` is this day and falls on another weekday."""
        if (on.month, on.day) != (self.month, self.day) or (self.year is not None and on.year != self.year):
            return None
        if on.weekday() == self.weekday:
            return None
        return (
            f"день недели не совпадает с датой: {on:%d.%m.%Y} — {WEEKDAY_ABBR[on.weekday()]}, "
            f"а указано «{WEEKDAY_ABBR[self.weekday]}»"
        )

    def to_dict(self) -> dict[str, int | None]:
        return {"day": self.day, "month": self.month, "year": self.year, "weekday": self.weekday}

    @classmethod
    def from_dict(cls, data: dict) -> WeekdayClaim:
        return cls(int(data["day"]), int(data["month"]), data.get("year"), int(data["weekday"]))


def _date_before(tokens: Tokens, end: int) -> tuple[int, int, int | None] | None:
    """The day written just before position ``end``: (day, month, year or None)."""
    symbols, values = tokens.symbols, tokens.values
    k = end - 1
    if k >= 0 and symbols[k] == YEAR_WORD:
        k -= 1
    year = None
    if k >= 1 and symbols[k] == YEAR and symbols[k - 1] in (MONTH, DAY_MONTH):
        year = values[k]
        k -= 1
    if k < 0:
        return None
    if symbols[k] == DATE:
        d = values[k]
        return d.day, d.month, d.year
    if symbols[k] == DAY_MONTH:
        day, month = values[k]
        return day, month, year
    if symbols[k] == MONTH and k >= 1 and symbols[k - 1] in (NUMBER, ORDINAL):
        return values[k - 1], values[k], year
    return None


def _date_after(tokens: Tokens, start: int) -> tuple[int, int, int | None] | None:
    """The day written from position ``start`` on: (day, month, year or None)."""
    symbols, values = tokens.symbols, tokens.values
    if start >= len(symbols):
        return None
    if symbols[start] == DATE:
        d = values[start]
        return d.day, d.month, d.year
    if symbols[start] == DAY_MONTH:
        day, month = values[start]
        k = start + 1
    elif symbols[start] in (NUMBER, ORDINAL) and start + 1 < len(symbols) and symbols[start + 1] == MONTH:
        day, month = values[start], values[start + 1]
        k = start + 2
    else:
        return None
    year = values[k] if k < len(symbols) and symbols[k] == YEAR else None
    return day, month, year


# A weekday after a date: "(чт)", ", четверг", " пятница".
_WEEKDAY_RE = re.compile(f"{OPEN_RE}{WEEKDAY}{CLOSE_RE}|{COMMA}?{WEEKDAY}")
# A weekday before a date: "(вт) 12.10", "пн, 5 октября", "понедельник 5 октября".
_WEEKDAY_BEFORE_RE = re.compile(f"{OPEN_RE}{WEEKDAY}{CLOSE_RE}|{WEEKDAY}{COMMA}?")
_DATE_START = (DATE, DAY_MONTH, NUMBER, ORDINAL)


def strip_weekdays(tokens: Tokens) -> tuple[Tokens, list[WeekdayClaim]]:
    """Tokens without the weekdays written beside dates, and what those weekdays claim.

    A cell writes its weekdays either after each date («5 октября (пн)») or before each
    («пн, 5 октября – пт, 9 октября»); which one, the first of them tells: a weekday written
    before the first date. A weekday of the other side, or with no date beside it, stays and
    leaves the phrase ``unparsed``."""
    symbols = tokens.symbols
    if WEEKDAY not in symbols:
        return tokens, []
    first_weekday = symbols.index(WEEKDAY)
    first_date = next((i for i, s in enumerate(symbols) if s in _DATE_START), len(symbols))
    before = first_weekday < first_date
    keep = [True] * len(tokens)
    claims: list[WeekdayClaim] = []
    for m in (_WEEKDAY_BEFORE_RE if before else _WEEKDAY_RE).finditer(symbols):
        day = _date_after(tokens, m.end()) if before else _date_before(tokens, m.start())
        if day is None:
            continue
        weekday = tokens.values[m.start() + m.group(0).index(WEEKDAY)]
        claims.append(WeekdayClaim(day[0], day[1], day[2], weekday))
        for i in range(m.start(), m.end()):
            keep[i] = False
    return _keep(tokens, keep), claims


# Times of day: "10.00", "в 10:00", "10.00-12.00", "с 10.00 до 12.00", ", 11:00".
_TIME_RE = re.compile(f"{COMMA}?{one_of(IN, FROM)}?{TIME}(?:{one_of(DASH, UNTIL, THROUGH)}{TIME})?")
_PUNCTUATION = (COMMA, SEMICOLON, DASH, OPEN, CLOSE)


_CLOCK_RE = re.compile(r"\d{1,2}[.:]\d{2}")


def strip_times(tokens: Tokens) -> tuple[Tokens, str | None]:
    """Tokens without times of day, and the times as written («10.00–12.00, 14:00»; None if
    there were none). A phrase of nothing but times leaves only punctuation: see :func:`only_punctuation`."""
    if TIME not in tokens.symbols:
        return tokens, None
    keep = [True] * len(tokens)
    times: list[str] = []
    for m in _TIME_RE.finditer(tokens.symbols):
        clocks = [
            _clock(tokens.source(i, i + 1), tokens.values[i])
            for i in range(m.start(), m.end())
            if tokens.symbols[i] == TIME
        ]
        times.append("–".join(clocks))
        for i in range(m.start(), m.end()):
            keep[i] = False
    return _keep(tokens, keep), ", ".join(times)


def _clock(written: str, value: tuple[int, int]) -> str:
    """A time of day as the phrase wrote it («10.00», «14:00»), without «ч.»."""
    m = _CLOCK_RE.search(written)
    return m.group(0) if m else f"{value[0]}.{value[1]:02d}"


def only_punctuation(tokens: Tokens) -> bool:
    return all(s in _PUNCTUATION for s in tokens.symbols)


def _keep(tokens: Tokens, keep: list[bool]) -> Tokens:
    pick = [i for i, k in enumerate(keep) if k]
    return Tokens(
        "".join(tokens.symbols[i] for i in pick),
        tuple(tokens.values[i] for i in pick),
        tokens.annual,
        tuple(tokens.spans[i] for i in pick) if tokens.spans else (),
        tokens.text,
    )


# ---------------------------------------------------------------------------------------------
# Names

# Symbols a name may contain: unknown words, numbers (a school's number), prepositions,
# «г.» (город), punctuation, «итоговый», the seasons' adjectives («летний лагерь»; not
# «летние каникулы», «летний период», whose «каникулы»/«период» are not allowed).
# Anything else could be a date and is not a name.
_NAME_SYMBOLS = {
    UNKNOWN, NUMBER, ORDINAL, ROMAN, YEAR_WORD, DAY_WORD, WEEK, IN, FROM, THROUGH, UNTIL, BY, ON, AFTER, COMMA, OPEN,
    CLOSE, DASH, SLASH, COLON, RESULTS, *SEASONS,
}  # fmt: skip
# Words that qualify the dates rather than name the event: «5 марта или позже».
_QUALIFIERS_RE = re.compile(
    r"(?<![а-я])(?:(?:или|либо|кроме|между|чаще|после|перед|накануне|около|примерно|далее|затем|ранее|раньше|"
    r"позднее|позже|дата|даты|срок|сроки|срока)(?![а-я])|исключени|ориентиров|предположит|возможн|продл|"
    r"перенос|перенес|отмен|уточн|понедельник|вторник|сред[аеуы]|среда?м|четверг|пятниц|суббот|воскресень)"
)
# «(3 дня)», «(2 недели)», «(2 часа)».
_DURATION_RE = re.compile(
    f"{OPEN_RE}?{one_of(NUMBER, ORDINAL)}+{one_of(DAY_WORD, WEEK)}{CLOSE_RE}?|{OPEN_RE}?{one_of(NUMBER, ORDINAL)}"
    f"{UNKNOWN_RE}{CLOSE_RE}?"
)
_RANGE_END_RE = re.compile(f"{one_of(UNTIL, THROUGH, FROM, BY)}{one_of(NUMBER, ORDINAL)}")
_DURATION_WORDS = re.compile(r"^(?:час|часа|часов|мин|минут|недел[а-я]*|месяц[а-я]*)$")


def maybe_name(symbols: str) -> bool:
    """A quick look at the symbols alone: could :func:`name_of` accept them?"""
    return (UNKNOWN in symbols or DAY_WORD in symbols or WEEK in symbols) and set(symbols) <= _NAME_SYMBOLS


def _is_word(value: object) -> bool:
    return isinstance(value, str) and len(value) >= 2 and value.isalpha()


_NAME_EDGES = DASH + COMMA + COLON + SLASH


def name_of(tokens: Tokens) -> str | None:
    """The name a run of tokens spells, or None if it is not plainly a name."""
    symbols = tokens.symbols.strip(_NAME_EDGES)
    if not symbols or symbols.count(OPEN) != symbols.count(CLOSE):
        return None
    offset = len(tokens.symbols) - len(tokens.symbols.lstrip(_NAME_EDGES))
    body = tokens.slice(offset, offset + len(symbols))
    if _DURATION_RE.fullmatch(body.symbols):
        # "(3 дня)", "(2 недели)", "(2 часа)": a duration, not a name.
        unknown = [v for s, v in zip(body.symbols, body.values, strict=True) if s == UNKNOWN]
        if all(_DURATION_WORDS.match(str(v)) for v in unknown):
            return ""
    if not set(body.symbols) <= _NAME_SYMBOLS:
        return None
    if not any(s == UNKNOWN and _is_word(v) for s, v in zip(body.symbols, body.values, strict=True)):
        return None
    if _RANGE_END_RE.search(body.symbols):
        return None  # "… по 10", "… с 5": could be the end of a range
    text = body.source()
    if _QUALIFIERS_RE.search(text.lower()):
        return None
    text = text.strip(" ()-,:;.")
    return text or None


def display_name(name: str, original: str) -> str:
    """``name`` (found in the normalised phrase) as the original spells it, capital letters and all."""
    at = original.lower().replace("ё", "е").find(name)
    return original[at : at + len(name)] if at >= 0 else name
