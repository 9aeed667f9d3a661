"""PURE: the Russian of counts, agreement, quotations and shortened titles, and the natural order
of names, shared by pages, letters, notices, reports and the database's sort keys."""

from __future__ import annotations

import re


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a Russian word agreeing with the number `n`.

    plural(1, "задача", "задачи", "задач") == "задача"; 2–4 → "задачи"; 5–20 → "задач";
    21 → "задача", 22 → "задачи", 25 → "задач"; 11–14 (and 111–114) → "задач".
    """
    n = abs(n)
    if n % 100 in (11, 12, 13, 14):
        return many
    if n % 10 == 1:
        return one
    if n % 10 in (2, 3, 4):
        return few
    return many


def quantity(n: int, one: str, few: str, many: str) -> str:
    """`n` followed by the agreeing form: quantity(22, "задача", "задачи", "задач") == "22 задачи"."""
    return f"{n} {plural(n, one, few, many)}"


def tally(*parts: tuple[str, int], none: str = "") -> str:
    """Counts as a phrase, the zeros left out: tally(("добавлено", 4), ("удалено", 0),
    ("без изменений", 10)) == "добавлено 4, без изменений 10"; a label with "{n}" places the
    number there ("отменено {n} (отчёты сохранены)"); `none` when every count is zero."""
    return ", ".join(label.format(n=n) if "{n}" in label else f"{label} {n}" for label, n in parts if n) or none


# ------------------------------------------------------------------ gender and number agreement

MASCULINE, FEMININE, NEUTER, PLURAL = "m", "f", "n", "pl"

_WORD = re.compile(r"[А-Яа-яЁё]+")
# Adjective endings say the phrase's gender and number: «Классные руководители», «Школьная служба».
_ADJECTIVE_ENDINGS = (
    ("ые", PLURAL),
    ("ие", PLURAL),
    ("ая", FEMININE),
    ("яя", FEMININE),
    ("ое", NEUTER),
    ("ее", NEUTER),
    ("ый", MASCULINE),
    ("ий", MASCULINE),
    ("ой", MASCULINE),
)
# Nouns in -ие («управление», «развитие», «участие») are not plural adjectives («средние», «другие»).
_NOUN_IE = re.compile(r"(?:[аеёиоуыэюя]н|[аеёиоуыэюя]т|ст)ие$")
# Plurals in -а/-я that would otherwise read as feminine singular.
_PLURALS_IN_A = frozenset(
    ["учителя", "директора", "мастера", "профессора", "инспектора", "доктора", "тренера", "повара", "сторожа", "округа"]
)
# Words whose form the endings would misread, and the abbreviations whose meaning here is known.
_KNOWN = {"все": PLURAL, "вся": FEMININE, "весь": MASCULINE, "оба": PLURAL, "обе": PLURAL}
_ABBREVIATIONS = {"ОО": PLURAL}  # «ОО» — образовательные организации, the group of schools


def gender(phrase: str | None) -> str | None:
    """The gender ("m", "f", "n") or number ("pl") a Russian noun phrase agrees in, from its
    first adjective or its head noun: «Классные руководители» → "pl", «Администрация» → "f",
    «Управление образования» → "n", «Методический центр» → "m". None when it cannot be told
    (an abbreviation such as «МБОУ СОШ № 1», no Russian word)."""
    for word in _WORD.findall(phrase or ""):
        if len(word) > 1 and word.isupper():
            return _ABBREVIATIONS.get(word)  # else its gender is that of the words it stands for
        lower = word.lower().replace("ё", "е")
        if lower in _KNOWN:
            return _KNOWN[lower]
        if len(lower) < 3:
            continue  # a preposition or a particle
        for ending, form in _ADJECTIVE_ENDINGS:
            if lower.endswith(ending) and not (ending == "ие" and _NOUN_IE.search(lower)):
                return form
        if lower in _PLURALS_IN_A or lower[-1] in "иы":
            return PLURAL
        if lower[-1] in "ая":
            return FEMININE
        if lower[-1] in "оеё" or lower.endswith("ие"):
            return NEUTER
        if lower.endswith("ь"):
            return FEMININE if lower.endswith(("ость", "асть", "ность", "часть")) else MASCULINE
        return MASCULINE
    return None


def agree(phrase: str | None, masculine: str, feminine: str, neuter: str, plural_form: str) -> str:
    """The form of a word agreeing with the noun phrase `phrase` (see `gender`; masculine when
    it cannot be told): agree("Классные руководители", "сопоставлен", "сопоставлена",
    "сопоставлено", "сопоставлены") == "сопоставлены"."""
    forms = {MASCULINE: masculine, FEMININE: feminine, NEUTER: neuter, PLURAL: plural_form}
    return forms.get(gender(phrase) or MASCULINE)


# ------------------------------------------------------------------ quotations and shortening

_SENTENCE_END = ("?", "!", "…", "...")


def quoted(text: str | None) -> str:
    """`text` in «ёлочках» ending a sentence: a final period moves out of the quotes
    («Укажите дату». — never «Укажите дату.».); after «?», «!» or «…» no period is added."""
    text = " ".join((text or "").split())
    if text.endswith(_SENTENCE_END):
        return f"«{text}»"
    return f"«{text.rstrip('.')}»."


_TRAILING = ',;:.-–— «("'


def truncate(text: str | None, limit: int, *, ellipsis: str = "…") -> str:
    """Whitespace collapsed; when longer than `limit`, cut at a word boundary and end with
    `ellipsis` ("…"; "" for file and sheet names), `limit` characters at most. No dangling
    preposition («в», «на») is left at the end; when the words would keep less than half of the
    room (one very long word), the cut falls inside the word."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[:room]
    if text[room] != " " and " " in head:  # the cut falls inside a word: drop its start
        head = head.rsplit(" ", 1)[0]
    words = head.split(" ")
    while len(words) > 1 and len(words[-1]) <= 2:
        words.pop()
    cut = " ".join(words).rstrip(_TRAILING)
    if len(cut) < room // 2:
        cut = text[:room].rstrip(_TRAILING)
    return cut + ellipsis


# ------------------------------------------------------------------ natural order

_NUMBER = re.compile(r"(\d+)")
NUMBER_WIDTH = 4  # digits of a number's length in the key: numbers up to 9,999 digits long


def natural_key(text: str | None) -> str:
    """Sort key that compares the numbers inside names as numbers: СОШ № 2 before СОШ № 10.

    Case, «ё» and spacing («№2» or «№ 2») are ignored, as people read the names. The key is a
    string whose plain code-point order is the natural order, so the database sorts by it too:
    organization.sort_key and user_account.sort_key hold it (compared with the "C" collation on
    PostgreSQL, byte order on SQLite), and a page sorted in SQL agrees with one sorted here.

    Encoding: each text run is "1" + the run + " " (a space sorts below every character left
    in the run, so "ab" comes before "ab-"); each number "0" + its length in NUMBER_WIDTH
    digits + its digits without leading zeros, so a number sorts before text and numbers by value.
    """
    folded = "".join(ch for ch in (text or "").casefold().replace("ё", "е") if ch > " " and not ch.isspace())
    parts = []
    for index, part in enumerate(_NUMBER.split(folded)):
        if not part:
            continue
        if index % 2:  # the odd pieces of a split on a group are the numbers
            digits = str(int(part))
            parts.append(f"0{len(digits):0{NUMBER_WIDTH}d}{digits}")
        else:
            parts.append(f"1{part} ")
    return "".join(parts)
