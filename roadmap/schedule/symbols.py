"""The symbol alphabet of the deadline grammar.

The lexer (``lexer.py``) turns a phrase into a string of one-character symbols, one per word
or number, plus a parallel list of values; the grammar (``grammar.py``) is written as regular
expressions over those strings. Each symbol has a name here, and the grammar composes its
patterns from the names, so that ``f"{UNTIL}{NUMBER}{MONTH}"`` reads like «до 5 марта».

| name | symbol | value | words / tokens |
|---|---|---|---|
| ``MONTH`` | ``M`` | month 1..12 | сентябрь, сентября, в сентябре, сент. |
| ``NUMBER`` | ``N`` | int | 5, 15, «два», «двадцать пять» |
| ``ORDINAL`` | ``O`` | int | 1-й, 10-го, первого, «двадцать пятого» |
| ``ROMAN`` | ``R`` | int 1..5 | I, II, IV (also «І» in Cyrillic) |
| ``YEAR`` | ``Y`` | int 1900..2200 | 2023, 2023-го |
| ``DATE`` | ``D`` | ``date`` | 15.09.2023, 1/9/23 |
| ``DAY_MONTH`` | ``E`` | (day, month) | 15.09, 01.09 |
| ``MONTH_YEAR`` | ``F`` | (month, year) | 09.2023 |
| ``TIME`` | ``i`` | (hours, minutes) | 10.00, 10:00, 12.00 ч. |
| ``WEEKDAY`` | ``d`` | 0 (Monday)..6 | пн, пт., четверг |
| ``YEAR_WORD`` | ``g`` | word | год, года, г., гг. |
| ``SCHOOL`` | ``u`` | word | учебный, уч. |
| ``CALENDAR`` | ``q`` | word | календарный, финансовый |
| ``CURRENT`` | ``x`` | word | текущий, т.г. (dropped as filler) |
| ``NEXT`` | ``z`` | word | следующий |
| ``REPORTING`` | ``r`` | word | отчётный |
| ``MONTH_WORD`` | ``h`` | word | месяц, мес. |
| ``QUARTER`` | ``Q`` | word | квартал, кв. |
| ``HALF`` | ``H`` | word | полугодие, полгода |
| ``HALF_OF`` | ``½`` | word | половина |
| ``TERM`` | ``T`` | word | четверть, четв. |
| ``TRIMESTER`` | ``W`` | word | триместр |
| ``DECADE`` | ``A`` | word | декада |
| ``WEEK`` | ``K`` | word | неделя |
| ``DAY_WORD`` | ``y`` | word | день, дня, дней |
| ``DAY_OF_MONTH`` | ``C`` | word | числа, число, ч. |
| ``PERIOD`` | ``P`` | word | период, срока |
| ``HOLIDAYS`` | ``Z`` | word | каникулы |
| ``AUTUMN``/``WINTER``/``SPRING``/``SUMMER`` | ``1234`` | word | осенний, зимний, весенний, летний, лето |
| ``BEGINNING``/``MIDDLE``/``END`` | ``B``/``S``/``e`` | word | начало, середина, конец/окончание |
| ``RESULTS`` | ``I`` | word | итоги |
| ``WHOLE`` | ``L`` | word | весь, всего |
| ``DURING`` | ``c`` | word | течение, протяжении |
| ``TIME_WORD`` | ``V`` | word | время («во время») |
| ``TIMES`` | ``X`` | word | раз, раза |
| ``EACH`` | ``b`` | word | каждый |
| ``ANNUAL`` | ``Ж`` | word | ежегодно (dropped, remembered as ``Tokens.annual``) |
| ``MONTHLY``/``QUARTERLY``/``WEEKLY``/``TERMLY`` | ``m``/``j``/``w``/``o`` | word | ежемесячно, ежеквартально, еженедельно, ежечетвертно |
| ``CONSTANTLY`` | ``G`` | word | постоянно, ежедневно, систематически, регулярно |
| ``YEAR_ROUND`` | ``U`` | word | круглогодично |
| ``LESS_OFTEN`` | ``f`` | word | реже («не реже») |
| ``IN`` | ``v`` | word | в, во |
| ``FROM`` | ``s`` | word | с, со |
| ``THROUGH`` | ``p`` | word | по |
| ``UNTIL`` | ``t`` | word | до |
| ``BY`` | ``k`` | word | к, ко |
| ``NOT`` | ``n`` | word | не |
| ``LATER`` | ``l`` | word | позднее, позже |
| ``AFTER`` | ``a`` | word | за («следующего за отчётным») |
| ``ON`` | ``@`` | word | на |
| ``FILLER`` | ``_`` | word | но, срок, включительно (dropped) |
| ``UNKNOWN`` | ``?`` | word | anything else; never matched by a date pattern |
| ``COMMA`` | ``,`` | text | «,» and the word «и» |
| ``SEMICOLON``, ``COLON``, ``DASH``, ``SLASH``, ``OPEN``, ``CLOSE`` | ``; : - / ( )`` | text | punctuation |

Patterns use the ``*_RE`` forms of the symbols that are special in a regular expression.
"""

from __future__ import annotations

import re

# Dates and numbers
MONTH = "M"
NUMBER = "N"
ORDINAL = "O"
ROMAN = "R"
YEAR = "Y"
DATE = "D"
DAY_MONTH = "E"
MONTH_YEAR = "F"
TIME = "i"
WEEKDAY = "d"
# Words of years and their parts
YEAR_WORD = "g"
SCHOOL = "u"
CALENDAR = "q"
CURRENT = "x"
NEXT = "z"
REPORTING = "r"
MONTH_WORD = "h"
QUARTER = "Q"
HALF = "H"
HALF_OF = "½"
TERM = "T"
TRIMESTER = "W"
DECADE = "A"
WEEK = "K"
DAY_WORD = "y"
DAY_OF_MONTH = "C"
PERIOD = "P"
HOLIDAYS = "Z"
AUTUMN = "1"
WINTER = "2"
SPRING = "3"
SUMMER = "4"
BEGINNING = "B"
MIDDLE = "S"
END = "e"
RESULTS = "I"
WHOLE = "L"
DURING = "c"
TIME_WORD = "V"
# Repetition
TIMES = "X"
EACH = "b"
ANNUAL = "Ж"
MONTHLY = "m"
QUARTERLY = "j"
WEEKLY = "w"
TERMLY = "o"
CONSTANTLY = "G"
YEAR_ROUND = "U"
LESS_OFTEN = "f"
# Prepositions and particles
IN = "v"
FROM = "s"
THROUGH = "p"
UNTIL = "t"
BY = "k"
NOT = "n"
LATER = "l"
AFTER = "a"
ON = "@"
FILLER = "_"
# Anything else and punctuation
UNKNOWN = "?"
COMMA = ","
SEMICOLON = ";"
COLON = ":"
DASH = "-"
SLASH = "/"
OPEN = "("
CLOSE = ")"

UNKNOWN_RE = re.escape(UNKNOWN)
OPEN_RE = re.escape(OPEN)
CLOSE_RE = re.escape(CLOSE)

SEASONS = AUTUMN + WINTER + SPRING + SUMMER
# «не позднее»
NOT_LATER = NOT + LATER


def one_of(*symbols: str) -> str:
    """A character class of the symbols: ``one_of(NUMBER, ORDINAL)`` -> ``[NO]``."""
    return "[" + "".join(re.escape(s) for s in "".join(symbols)) + "]"


# Numbers of any spelling: 5, 5-го, V.
ANY_NUMBER = one_of(NUMBER, ORDINAL, ROMAN)
DAY_NUMBER = one_of(NUMBER, ORDINAL)
# «год», «2023 год», «2023 г.»: a year with its optional word.
YEAR_WITH_WORD = f"(?:{YEAR}{YEAR_WORD}?)"
