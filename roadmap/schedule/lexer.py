"""Normalisation and tokenisation of deadline phrases.

A phrase becomes a string of one-character symbols plus a parallel list of values, so that the
grammar (``grammar.py``) can be written as small regular expressions over symbols; the symbols
and the words they stand for are the table in ``symbols.py`` (``MONTH``, ``NUMBER``, ``YEAR``,
the preposition ``IN`` «в» ...). Anything the lexer does not know becomes ``UNKNOWN`` and makes
the phrase ``unparsed``: the grammar never skips unknown words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from typing import Any

from .symbols import (
    AFTER,
    ANNUAL,
    AUTUMN,
    BEGINNING,
    BY,
    CALENDAR,
    COMMA,
    CONSTANTLY,
    CURRENT,
    DASH,
    DATE,
    DAY_MONTH,
    DAY_OF_MONTH,
    DAY_WORD,
    DECADE,
    DURING,
    EACH,
    END,
    FILLER,
    FROM,
    HALF,
    HALF_OF,
    HOLIDAYS,
    IN,
    LATER,
    LESS_OFTEN,
    MIDDLE,
    MONTH,
    MONTH_WORD,
    MONTH_YEAR,
    MONTHLY,
    NEXT,
    NOT,
    NUMBER,
    ON,
    ORDINAL,
    PERIOD,
    QUARTER,
    QUARTERLY,
    REPORTING,
    RESULTS,
    ROMAN,
    SCHOOL,
    SPRING,
    SUMMER,
    TERM,
    TERMLY,
    THROUGH,
    TIME,
    TIME_WORD,
    TIMES,
    TRIMESTER,
    UNKNOWN,
    UNTIL,
    WEEK,
    WEEKDAY,
    WEEKLY,
    WHOLE,
    WINTER,
    YEAR,
    YEAR_ROUND,
    YEAR_WORD,
    one_of,
)  # fmt: skip

# Longer inputs are not deadline phrases (a whole paragraph pasted into the cell); they are
# flagged instead of being parsed, which also keeps the work per phrase bounded.
MAX_PHRASE_LENGTH = 300

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043\u02d7"
_DASH_RE = re.compile(f"[{_DASHES}]")
_QUOTES_RE = re.compile(r"[«»\"“”„'‘’`]")
_CYR = "а-яё"

# Latin letters that look like Cyrillic ones; folded only inside words that also contain
# Cyrillic letters ("сентябpь" with a Latin p), so that Roman numerals stay Latin.
_LOOKALIKES = str.maketrans(
    {"a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к", "m": "м", "o": "о", "p": "р",
     "t": "т", "x": "х", "y": "у", "u": "и", "r": "г", "n": "п"}
)  # fmt: skip
# Cyrillic/Ukrainian letters standing for Roman numerals ("ІІ квартал", "ІV").
_ROMAN_LOOKALIKES = str.maketrans({"і": "i", "ї": "i", "ι": "i"})

_WORD_RE = re.compile(rf"[a-z{_CYR}іїєґι]+")
_FOLDABLE_RE = re.compile("[a-zіїι]")  # only words with these letters are folded
_ROMAN_RE = re.compile(r"^(?:i{1,3}|iv|v)$")

MONTH_STEMS = (
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("июн", 6), ("июл", 7),
    ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
)  # fmt: skip
_MONTH_ENDINGS = {"", "ь", "я", "е", "ю", "ем", "и", "ям", "ях", "а", "у", "ом", "ами", "ей"}
_MONTH_ABBR = {
    "янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8,
    "сен": 9, "сент": 9, "сентяб": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12,
    "май": 5, "мая": 5, "мае": 5, "маю": 5, "маем": 5,
}  # fmt: skip

# Ordinal stems -> number; endings of adjectives in every case and gender.
_ORDINAL_STEMS = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "шест": 6, "седьм": 7, "восьм": 8,
    "девят": 9, "десят": 10, "одиннадцат": 11, "двенадцат": 12, "тринадцат": 13,
    "четырнадцат": 14, "пятнадцат": 15, "шестнадцат": 16, "семнадцат": 17, "восемнадцат": 18,
    "девятнадцат": 19, "двадцат": 20, "тридцат": 30,
}  # fmt: skip
_ORDINAL_ENDINGS = {
    "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ого", "его", "ому", "ему", "ым", "им", "ом", "ем",
    "ую", "юю", "ые", "ие", "ых", "их", "ья", "ье", "ьего", "ьему", "ьей", "ью", "ьи", "ьим", "ьем",
}  # fmt: skip
_CARDINALS = {
    "один": 1, "одна": 1, "одно": 1, "одного": 1, "одну": 1, "два": 2, "две": 2, "двух": 2,
    "три": 3, "трех": 3, "четыре": 4, "четырех": 4, "шесть": 6, "двенадцать": 12,
    "двадцать": 20, "тридцать": 30,
}  # fmt: skip

# Exact words -> symbol.
_WORDS = {
    **dict.fromkeys(("в", "во"), IN),
    **dict.fromkeys(("с", "со"), FROM),
    "по": THROUGH,
    "до": UNTIL,
    **dict.fromkeys(("к", "ко"), BY),
    "не": NOT,
    **dict.fromkeys(("позднее", "позже", "поздней"), LATER),
    "и": COMMA,
    **dict.fromkeys(("или", "чаще", "между", "проведения"), UNKNOWN),
    **dict.fromkeys(("течение", "теч", "протяжении"), DURING),
    **dict.fromkeys(("год", "года", "году", "годом", "годы", "годов", "годах", "гг", "г", "гг."), YEAR_WORD),
    "уч": SCHOOL,
    "кв": QUARTER,
    "за": AFTER,
    "мес": MONTH_WORD,
    **dict.fromkeys(("раз", "раза"), TIMES),
    **dict.fromkeys(("весь", "всего", "всей", "вся", "все", "всем", "всю"), WHOLE),
    "время": TIME_WORD,
    "реже": LESS_OFTEN,
    **dict.fromkeys(("но", "срок", "сроки", "включительно"), FILLER),
    "на": ON,
    **dict.fromkeys(("день", "дня", "дни", "дней"), DAY_WORD),
    **dict.fromkeys(("лето", "летом"), SUMMER),
    **dict.fromkeys(("полгода", "полугода"), HALF),
    **dict.fromkeys(("числа", "число", "числу", "числе", "чисел", "числам", "ч", "чис"), DAY_OF_MONTH),
    **dict.fromkeys(("каникулы", "каникул", "каникулах", "каникулам",
                     "каникулярный", "каникулярное", "каникулярного", "каникулярном"), HOLIDAYS),
    "срока": PERIOD,
    **dict.fromkeys(("половина", "половине", "половины", "половину"), HALF_OF),
}  # fmt: skip

# Prefixes -> symbol, tried in order after the exact words.
_PREFIXES = (
    ("ежегодн", ANNUAL), ("ежемесячн", MONTHLY), ("ежекварт", QUARTERLY), ("поквартальн", QUARTERLY),
    ("еженедельн", WEEKLY), ("понедельн", WEEKLY), ("ежечетверт", TERMLY), ("ежедневн", CONSTANTLY),
    ("постоянн", CONSTANTLY), ("систематическ", CONSTANTLY), ("регулярн", CONSTANTLY),
    ("непрерывн", CONSTANTLY), ("круглогодичн", YEAR_ROUND), ("круглогодн", YEAR_ROUND), ("каждо", EACH),
    ("кажд", EACH), ("учебн", SCHOOL), ("календарн", CALENDAR), ("финансов", CALENDAR), ("текущ", CURRENT),
    ("следующ", NEXT), ("отчетн", REPORTING), ("квартал", QUARTER), ("полугоди", HALF), ("полугодь", HALF),
    ("триместр", TRIMESTER), ("декад", DECADE), ("недел", WEEK), ("месяц", MONTH_WORD), ("осенн", AUTUMN),
    ("зимн", WINTER), ("весенн", SPRING), ("летн", SUMMER), ("период", PERIOD), ("начал", BEGINNING),
    ("середин", MIDDLE), ("конц", END), ("конец", END), ("окончани", END), ("завершени", END),
    ("итог", RESULTS), ("течени", DURING),
)  # fmt: skip
_TIMES_WORDS = {"однократно": 1, "дважды": 2, "трижды": 3}
_WEEKDAY_FORMS = (
    ("пн", "понедельник", "понедельника"), ("вт", "вторник", "вторника"), ("ср", "среда", "среду", "среды"),
    ("чт", "четверг", "четверга"), ("пт", "пятница", "пятницу", "пятницы"), ("сб", "суббота", "субботу", "субботы"),
    ("вс", "воскресенье", "воскресенья"),
)  # fmt: skip
_WEEKDAYS = {form: number for number, forms in enumerate(_WEEKDAY_FORMS) for form in forms}
_TERM_WORDS = {"четверть", "четверти", "четвертям", "четвертях", "четвертей", "четвертью", "четв"}


class Tokens:
    """Symbols and their values; ``symbols[i]`` describes ``values[i]``, found at
    ``text[spans[i][0]:spans[i][1]]`` (the spans let an event's name be cut out verbatim).

    Treated as immutable; a plain class with slots because the grammar makes many slices."""

    __slots__ = ("annual", "spans", "symbols", "text", "values")

    def __init__(
        self,
        symbols: str,
        values: tuple[Any, ...],
        annual: bool = False,
        spans: tuple[tuple[int, int], ...] = (),
        text: str = "",
    ) -> None:
        self.symbols = symbols
        self.values = values
        self.annual = annual
        self.spans = spans
        self.text = text

    def __repr__(self) -> str:
        return f"Tokens({self.symbols!r}, {self.values!r}, annual={self.annual})"

    def __len__(self) -> int:
        return len(self.symbols)

    def slice(self, start: int, end: int | None = None) -> Tokens:
        spans = self.spans[start:end] if self.spans else ()
        return Tokens(self.symbols[start:end], self.values[start:end], self.annual, spans, self.text)

    def source(self, start: int = 0, end: int | None = None) -> str:
        """The text the tokens ``start..end`` were read from."""
        spans = self.spans[start:end]
        if not spans:
            return ""
        return self.text[spans[0][0] : spans[-1][1]]


_SPACES_RE = re.compile(r"\s+")
_CYR_RE = re.compile(f"[{_CYR}]")
# Footnote marks glued to a date ("15 сентября¹", "до 1 марта**", "2023 г.†").
_FOOTNOTES_RE = re.compile("[\u00b9\u00b2\u00b3\u2070-\u2079\u2020\u2021*]+")


def normalize(text: str, keep_case: bool = False) -> str:
    """Case, ``ё``, dashes, quotes, spaces and look-alike letters folded (rule 1).

    ``keep_case``: the same text with its letters as written (for event names); same length."""
    text = _FOOTNOTES_RE.sub(" ", text)
    # "№" stays itself (NFKC would spell it "No"): a school's number is part of a name.
    text = "№".join(unicodedata.normalize("NFKC", part) for part in text.split("№"))
    if not text.isprintable():  # (printable: no control or format characters, no spaces but " ")
        text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    if keep_case:
        text = _DASH_RE.sub("-", text)
        text = _QUOTES_RE.sub(" ", text)
        return _SPACES_RE.sub(" ", text).strip(" .,;:!")
    text = text.lower().replace("ё", "е").replace("й", "й")
    text = _DASH_RE.sub("-", text)
    text = _QUOTES_RE.sub(" ", text)

    def fold(match: re.Match[str]) -> str:
        word = match.group(0)
        roman = word.translate(_ROMAN_LOOKALIKES)
        if _ROMAN_RE.match(roman):
            return roman
        if _CYR_RE.search(word):
            return word.translate(_LOOKALIKES)
        return word

    if _FOLDABLE_RE.search(text):
        text = _WORD_RE.sub(fold, text)
    return _SPACES_RE.sub(" ", text).strip(" .,;:!")


_TOKEN_RE = re.compile(
    r"""
    (?P<time>(?<![\d.])(?:[01]?\d|2[0-3])[:.][0-5]\d(?!\d|\.\d)(?P<hours>\s?(?:ч|час|часа|часов)(?![а-я])\.?)?)
  | (?P<date>(?<!\d)\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})(?![\d]))
  | (?P<my>(?<!\d)\d{1,2}[./]\d{4}(?!\d))
  | (?P<dm>(?<!\d)\d{1,2}\.\d{1,2}(?![\d]))
  | (?P<ord>\d{1,4}-?(?:ый|ий|ой|й|ая|я|ое|ее|е|ого|го|ому|му|ом|м|ую|ых|х|ти|ми|ех)(?![а-я]))
  | (?P<num>\d+)
  | (?P<word>[a-zа-я]+)
  | (?P<punct>[,;()\-/:])
  | (?P<skip>[.*…!])
  | (?P<other>\S)
    """,
    re.VERBOSE,
)


@functools.lru_cache(maxsize=8192)
def _word_symbol(word: str) -> tuple[str, Any]:
    if word in _WORDS:
        symbol = _WORDS[word]
        return symbol, word
    if word in _MONTH_ABBR:
        return MONTH, _MONTH_ABBR[word]
    for stem, month in MONTH_STEMS:
        if word.startswith(stem) and word[len(stem) :] in _MONTH_ENDINGS:
            return MONTH, month
    if word in _TERM_WORDS:
        return TERM, word
    if _ROMAN_RE.match(word):
        return ROMAN, {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}[word]
    if word in _CARDINALS:
        return NUMBER, _CARDINALS[word]
    for stem, number in _ORDINAL_STEMS.items():
        if word.startswith(stem) and word[len(stem) :] in _ORDINAL_ENDINGS:
            return ORDINAL, number
    for prefix, symbol in _PREFIXES:
        if word.startswith(prefix):
            return symbol, word
    return UNKNOWN, word


def _valid_day(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)


# A numeric date with spaces around its dots: "5 .03. 2026", "5. 03.2026" -> "5.03.2026".
_SPACED_DATE_RE = re.compile(r"(?<![\d.])(\d{1,2}) ?\. ?(\d{1,2})(?: ?\. ?(\d{4}|\d{2})| \.?(\d{4}))(?![\d])")
_THIS_YEAR_RE = re.compile(r"(?<![а-я])т\.\s?г(?![а-я])\.?")  # «т.г.», «т. г.»: текущего года
_CLOCK_RE = re.compile(r"(\d+)[.:](\d+)")
_DATE_SEPARATOR_RE = re.compile(r"[./]")
_DIGITS_RE = re.compile(r"\d+")
# A footnote number glued to a month or a year: "сентября1", "2023г.2" is rare; only words.
_GLUED_FOOTNOTE_RE = re.compile(r"(?<=[а-я])\d{1,2}(?![\d.])")


def tokenize(text: str) -> Tokens:
    """Symbols of a normalised phrase. ``ежегодно``/``каждый год`` are dropped and remembered
    in ``annual``; compound numerals ("двадцать пятого") are joined."""
    symbols: list[str] = []
    values: list[Any] = []
    spans: list[tuple[int, int]] = []
    # "т.г." / "т. г." = "текущего года"
    if "т." in text:
        text = _THIS_YEAR_RE.sub(" текущего года ", text)
    if "." in text:  # (the pattern's first dot)
        text = _SPACED_DATE_RE.sub(lambda m: f"{m.group(1)}.{m.group(2)}.{m.group(3) or m.group(4)}", text)
    text = _GLUED_FOOTNOTE_RE.sub(lambda m: " " * len(m.group(0)), text)

    def add(symbol: str, value: Any, span: tuple[int, int]) -> None:
        symbols.append(symbol)
        values.append(value)
        spans.append(span)

    for match in _TOKEN_RE.finditer(text):
        kind, raw, span = match.lastgroup, match.group(0), match.span()
        if kind == "skip":
            continue
        if kind == "hours":
            kind = "time"
        if kind == "time":
            hours, minutes = (int(x) for x in _CLOCK_RE.match(raw).groups())
            dotted = ":" not in raw
            if dotted and not match.group("hours") and minutes != 0 and minutes <= 12 and _valid_day(hours, minutes):
                kind = "dm"  # "10.10" is the 10th of October unless it reads as a time
            else:
                add(TIME, (hours, minutes), span)
                continue
        if kind == "date":
            day, month, year = (int(x) for x in _DATE_SEPARATOR_RE.split(raw))
            year = year + 2000 if year < 100 else year
            if _valid_day(day, month) and 1900 <= year <= 2200 and (month != 2 or day < 29 or _leap(year)):
                add(DATE, date(year, month, day), span)
            else:
                add(UNKNOWN, raw, span)
        elif kind == "my":
            month, year = (int(x) for x in _DATE_SEPARATOR_RE.split(raw))
            ok = 1 <= month <= 12 and 1900 <= year <= 2200
            add(MONTH_YEAR if ok else UNKNOWN, (month, year) if ok else raw, span)
        elif kind == "dm":
            day, month = (int(x) for x in raw[:5].split(".")[:2])
            ok = _valid_day(day, month)
            add(DAY_MONTH if ok else UNKNOWN, (day, month) if ok else raw, span)
        elif kind == "ord":
            number = int(_DIGITS_RE.match(raw).group(0))
            add(YEAR if 1900 <= number <= 2200 else ORDINAL, number, span)
        elif kind == "num":
            number = int(raw)
            if len(raw) == 4 and 1900 <= number <= 2200:
                add(YEAR, number, span)
            else:
                add(NUMBER if len(raw) <= 2 else UNKNOWN, number, span)
        elif kind == "word":
            if raw in _TIMES_WORDS:
                add(NUMBER, _TIMES_WORDS[raw], span)
                add(TIMES, raw, span)
                continue
            if raw in _WEEKDAYS:
                add(WEEKDAY, _WEEKDAYS[raw], span)
                continue
            symbol, value = _word_symbol(raw)
            # "двадцать пятого" -> 25th; "двадцать пять" -> 25.
            if (
                symbol in (ORDINAL, NUMBER)
                and symbols
                and symbols[-1] == NUMBER
                and values[-1] in (20, 30)
                and value < 10
            ):
                symbols[-1] = symbol
                values[-1] += value
                spans[-1] = (spans[-1][0], span[1])
                continue
            add(symbol, value, span)
        elif kind == "punct":
            add(raw, raw, span)
        else:
            add(UNKNOWN, raw, span)
    _times_around_dashes(symbols, values)
    return _drop_annual(Tokens("".join(symbols), tuple(values), False, tuple(spans), text))


def _times_around_dashes(symbols: list[str], values: list[Any]) -> None:
    """ "10.10-11.30": a day-and-month joined by a dash to a time is a time too."""
    for i, symbol in enumerate(symbols):
        if symbol != DAY_MONTH:
            continue
        day, month = values[i]
        beside = (i + 2 < len(symbols) and symbols[i + 1] == DASH and symbols[i + 2] == TIME) or (
            i >= 2 and symbols[i - 1] == DASH and symbols[i - 2] == TIME
        )
        if beside and day <= 23:
            symbols[i] = TIME
            values[i] = (day, month)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# "каждый год", "каждого года", "текущего года", "т.г.": add nothing to a yearly phrase.
# («каждый год» followed by a lower-case symbol, a word such as «в», is kept.)
_ANNUAL_RE = re.compile(f"{ANNUAL}+|{EACH}{YEAR_WORD}(?![a-z])")
# "до 1 сентября текущего года" -> "до 1 сентября"; "в течение текущего года" -> "в течение года".
_FILLER_RE = re.compile(
    f"(?<={one_of(MONTH, NUMBER, ORDINAL, DAY_OF_MONTH, DAY_MONTH, MONTH_WORD)}){CURRENT}{one_of(SCHOOL, CALENDAR)}?"
    f"{YEAR_WORD}|{CURRENT}|{FILLER}|{ON}(?={DURING})"
)


def _drop_annual(tokens: Tokens) -> Tokens:
    symbols, values = tokens.symbols, list(tokens.values)
    if not _ANNUAL_RE.search(symbols) and not _FILLER_RE.search(symbols):
        return tokens  # (most phrases: nothing to drop)
    annual = False
    keep = [True] * len(symbols)
    for match in _ANNUAL_RE.finditer(symbols):
        # "1 раз в год" stays: "каждый год" only when not preceded by "раз в".
        annual = True
        for i in range(match.start(), match.end()):
            keep[i] = False
    for match in _FILLER_RE.finditer(symbols):
        for i in range(match.start(), match.end()):
            keep[i] = False
    new_symbols = "".join(s for s, k in zip(symbols, keep, strict=True) if k)
    new_values = tuple(v for v, k in zip(values, keep, strict=True) if k)
    new_spans = tuple(sp for sp, k in zip(tokens.spans, keep, strict=True) if k)
    return Tokens(new_symbols, new_values, annual, new_spans, tokens.text)
