"""Responsible cells → parties, matched against the organization directory.

Normalisation (``normalize_party``) makes spellings of one name equal: case, "ё", quotes,
dots and hyphens ("г.Краснодар" = "г. Краснодар", "предприятия-партнеры" = "предприятия
партнеры"), Latin look-alike letters typed into Cyrillic words, "№ 5" = "№5" = "N 5", and
declension. Declension is handled by stemming each word: a word of 5+ letters loses one
common Russian ending (longest first) as long as 4+ letters remain, then a leftover soft
"и"/"ь"/"й", so "Краснодара", "Краснодаре", "Краснодару" and "Краснодар" all become
"краснодар", and "организация", "организаций", "организациям" become "организац". Names
are compared word by word on these stems (no prefix or edit-distance guessing). Short words —
abbreviations such as "ОО", "СПО", "КНМЦ" — are compared as they are. "город"/"г." and
"муниципальное образование"/"МО" are treated as the same words.

Matching walks the words of the cell and takes, at each position, the longest directory
name that matches whole words (so "ОО" is never found inside "МБОУ"). Text between matches
becomes unmatched parties, split at separators (",", ";", "/", "и", brackets, line breaks)
and, without separators, where a new party plainly starts: a group abbreviation ("ОО",
"СПО", "ВО"...) or legal form ("МБОУ", "МКУ"...) after a name, or an abbreviation after a
place ("г. Краснодар ОО ...") or a school number. A place qualifier right after a match
("ДО АМУ" + " г. Краснодар") belongs to that match; a bare legal form right before a match
("МКУ" + "КНМЦ") too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

PartyKind = Literal["organization", "group"]

_LOOKALIKE = str.maketrans("AaBCcEeHKkMOoPpTXxYy", "АаВСсЕеНКкМОоРрТХхУу")
_LOOKALIKE_LETTERS = set("AaBCcEeHKkMOoPpTXxYy")
_ENDINGS = sorted(
    [
        "ами",
        "ями",
        "ого",
        "его",
        "ому",
        "ему",
        "ыми",
        "ими",
        "ией",
        "ией",
        "иям",
        "иях",
        "ой",
        "ей",
        "ий",
        "ый",
        "ая",
        "яя",
        "ое",
        "ее",
        "ие",
        "ые",
        "ую",
        "юю",
        "ых",
        "их",
        "ым",
        "им",
        "ом",
        "ем",
        "ам",
        "ям",
        "ах",
        "ях",
        "ов",
        "ев",
        "ою",
        "ею",
        "а",
        "я",
        "у",
        "ю",
        "е",
        "ы",
        "и",
        "о",
        "ь",
        "й",
    ],
    key=len,
    reverse=True,
)
_TOKEN_PARTS = (
    r"(?P<num>(?:№|\bN[oо]?\.?(?=\s*\d))\s*\d+)",
    r"(?P<sep>[,;/\\|+\n()&]|\bи\b)",
    r"(?P<word>[^\W_]+)",
)
_TOKEN = re.compile("|".join(_TOKEN_PARTS), re.IGNORECASE)
# People named in a responsible cell: «И.О. Фамилия» or «Фамилия И.О.», each a party of its own,
# never split at an initial «И.» as if it were the conjunction «и». A cell is read in the order
# its first name shows, so that «г. Краснодара И.П. Иванов» does not take «Краснодара И.П.».
_SURNAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_INITIALS = r"[А-ЯЁ]\.(?:\s?[А-ЯЁ]\.)?"
_INITIALS_FIRST = rf"(?-i:{_INITIALS}\s?{_SURNAME}\b)"
_SURNAME_FIRST = rf"(?-i:\b{_SURNAME}\s{_INITIALS})"
_PERSON_TOKENS = {
    style: re.compile(rf"(?P<person>{pattern})|" + "|".join(_TOKEN_PARTS), re.IGNORECASE)
    for style, pattern in (("initials", _INITIALS_FIRST), ("surname", _SURNAME_FIRST))
}
_INITIALS_FIRST_RE = re.compile(_INITIALS_FIRST)
_SURNAME_FIRST_RE = re.compile(_SURNAME_FIRST)


def _token_pattern(text: str) -> re.Pattern:
    if _INITIALS_FIRST_RE.search(text):
        return _PERSON_TOKENS["initials"]
    if _SURNAME_FIRST_RE.search(text):
        return _PERSON_TOKENS["surname"]
    return _TOKEN


_SYNONYMS = {"город": "г", "гор": "г"}
# Words that begin a party of their own when they follow a complete name.
_STARTERS = {"оо", "доу", "удо", "одо", "спо", "поо", "во", "вуз", "вузы", "вузов", "оодо"}
_LEGAL_WORDS = (
    "МКУ МБУ МАУ МБОУ МАОУ МКОУ МОУ МБДОУ МАДОУ МКДОУ МДОУ МБУДО МАУДО МКУДО МОУДО ГБОУ ГАОУ ГКОУ "
    "ГБПОУ ГАПОУ ГБУ ГКУ ГАУ ФГБОУ ФГАОУ АНО ООО ОАО ЗАО ПАО АО ЧОУ НОУ"
)
_PLACE_MARKERS = {"г", "пгт", "ст", "с", "х", "п", "пос", "станиц", "поселок"}
_QUALIFIER_WORDS = "мо г пгт ст муниципального образования района округа городского"
_NOISE_WORDS = "по согласованию др другие т д прочие совместно с при участии необходимости"


@dataclass
class DirectoryEntry:
    """An organization or a group with every name it may be written under."""

    kind: PartyKind
    id: int
    names: list[str]


@dataclass
class Directory:
    """Known organizations and groups (built by the caller from the database)."""

    entries: list[DirectoryEntry] = field(default_factory=list)
    # Names that mean an entry only as a whole party: a bare municipality name («г. Сочи») is the
    # municipality itself, but inside «ДО АМУ г. Сочи» it only says where the department is.
    whole_party_entries: list[DirectoryEntry] = field(default_factory=list)
    _index: dict[str, list[tuple[tuple[str, ...], DirectoryEntry, str]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _whole: dict[str, DirectoryEntry] | None = field(default=None, init=False, repr=False, compare=False)

    def whole_party(self, fragment: str) -> DirectoryEntry | None:
        """The entry a whole unmatched party names (see whole_party_entries), or None."""
        if self._whole is None:
            self._whole = {normalize_party(n): e for e in self.whole_party_entries for n in e.names}
        return self._whole.get(normalize_party(fragment))

    def index(self) -> dict[str, list[tuple[tuple[str, ...], DirectoryEntry, str]]]:
        """First word → (normalised words, entry, name as written), longest names first."""
        if self._index is None:
            index: dict[str, list[tuple[tuple[str, ...], DirectoryEntry, str]]] = {}
            for entry in self.entries:
                for name in entry.names:
                    words = tuple(token.norm for token in _tokens(name or ""))
                    while words and words[-1] == ",":
                        words = words[:-1]
                    if words and words[0] != ",":
                        index.setdefault(words[0], []).append((words, entry, name))
            for candidates in index.values():
                candidates.sort(key=lambda item: len(item[0]), reverse=True)
            self._index = index
        return self._index


@dataclass
class PartyMatch:
    """One party of a responsible cell: the fragment as written and what it matched."""

    text: str
    kind: PartyKind | None = None
    id: int | None = None
    matched_name: str | None = None

    @property
    def is_matched(self) -> bool:
        return self.id is not None


@dataclass
class _Token:
    raw: str
    norm: str
    start: int
    end: int

    @property
    def is_sep(self) -> bool:
        return self.norm == ","

    @property
    def is_person(self) -> bool:
        return self.norm.startswith("@")


def _stem(word: str) -> str:
    if len(word) < 5 or not re.fullmatch(r"[а-я]+", word):
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            word = word[: -len(ending)]
            break
    # "организаци|я" and "организац|ий", "управлени|ю" and "управлен|ие": a soft stem
    # letter left over after the ending goes too.
    if word[-1] in "иьй" and len(word) > 4:
        word = word[:-1]
    return word


def _normalize_word(raw: str) -> str:
    if re.search(r"[а-яА-ЯёЁ]", raw) or set(raw) <= _LOOKALIKE_LETTERS:
        raw = raw.translate(_LOOKALIKE)
    word = _stem(raw.lower().replace("ё", "е"))
    return _SYNONYMS.get(word, word)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _token_pattern(text).finditer(text):
        raw = match.group()
        if match.groupdict().get("person"):
            norm = "@" + " ".join(raw.split())
        elif match.group("num"):
            norm = "№" + re.sub(r"\D", "", raw)
        elif match.group("sep"):
            norm = ","
        else:
            norm = _normalize_word(raw)
        tokens.append(_Token(raw, norm, match.start(), match.end()))
    # "муниципальное образование" is "МО"
    merged: list[_Token] = []
    for token in tokens:
        if token.norm == _FORMATION and merged and merged[-1].norm == _MUNICIPAL:
            previous = merged.pop()
            token = _Token(text[previous.start : token.end], "мо", previous.start, token.end)
        merged.append(token)
    return merged


_QUALIFIERS = {_normalize_word(word) for word in _QUALIFIER_WORDS.split()}
_LEGAL = {_normalize_word(word) for word in _LEGAL_WORDS.split()}
_NOISE = {_normalize_word(word) for word in _NOISE_WORDS.split()}
_MUNICIPAL, _FORMATION = _normalize_word("муниципальное"), _normalize_word("образование")


def normalize_party(text: str) -> str:
    """The form used to compare party names: "Г.Краснодара" → "г краснодар"."""
    words = [token.norm for token in _tokens(text or "")]
    return " ".join(words).replace(" ,", ",").strip(" ,")


def _is_caps(raw: str) -> bool:
    letters = [char for char in raw if char.isalpha()]
    return len(letters) >= 2 and all(char.isupper() for char in letters)


def _is_capitalised(raw: str) -> bool:
    return raw[:1].isupper() and not _is_caps(raw)


def _starts_party(tokens: list[_Token], k: int) -> bool:
    token, previous = tokens[k], tokens[k - 1]
    leading = {"оо", "во", "спо"} | _LEGAL
    if (token.norm in _STARTERS or token.norm in _LEGAL) and previous.norm not in _STARTERS | _LEGAL:
        # "ОО ВО" (universities) stays one party; "МКУ КНМЦ ОО" does not.
        return previous.norm not in leading or token.norm not in _STARTERS
    if _is_caps(token.raw):
        if previous.norm.startswith("№") or previous.raw.isdigit():
            return True
        before = tokens[k - 2].norm if k >= 2 else ""
        return _is_capitalised(previous.raw) and before in _PLACE_MARKERS
    return False


def _pieces(run: list[_Token]) -> list[list[_Token]]:
    pieces: list[list[_Token]] = []
    for k, token in enumerate(run):
        if not pieces or _starts_party(run, k):
            pieces.append([token])
        else:
            pieces[-1].append(token)
    return pieces


def _longest(tokens: list[_Token], i: int, directory: Directory) -> tuple[int, DirectoryEntry, str] | None:
    for words, entry, name in directory.index().get(tokens[i].norm, ()):
        end = i + len(words)
        if end <= len(tokens) and all(tokens[i + j].norm == words[j] for j in range(len(words))):
            return end, entry, name
    return None


def _qualifier_end(tokens: list[_Token], i: int) -> int:
    """End of a place qualifier ("МО г. Краснодара") starting at ``i``, or ``i``."""
    end = i
    while end < len(tokens) and not tokens[end].is_sep:
        token = tokens[end]
        if token.norm in _QUALIFIERS or end > i and tokens[end - 1].norm in _PLACE_MARKERS and not _is_caps(token.raw):
            end += 1
        else:
            break
    return end


def match_parties(text: str, directory: Directory) -> list[PartyMatch]:
    """Parties of a responsible cell, matched to the directory where possible.

    Returns [] for an empty cell (the caller flags it); unmatched fragments come back with
    ``kind``/``id`` None so the coordinator can map them. A party matched twice is reported once.
    """
    text = text or ""
    tokens = _tokens(text)
    found: list[tuple[int, int, DirectoryEntry | None, str | None]] = []  # token span + match
    pending: list[int] = []

    def flush() -> None:
        if pending:
            run = [tokens[k] for k in pending]
            offset = pending[0]
            for piece in _pieces(run):
                if all(token.norm in _NOISE for token in piece):
                    continue
                start = offset + run.index(piece[0])
                found.append((start, start + len(piece), None, None))
            pending.clear()

    i = 0
    while i < len(tokens):
        if tokens[i].is_sep:
            flush()
            i += 1
            continue
        if tokens[i].is_person:
            flush()
            found.append((i, i + 1, None, None))
            i += 1
            continue
        hit = _longest(tokens, i, directory)
        if hit is None:
            pending.append(i)
            i += 1
            continue
        end, entry, name = hit
        start = i
        if pending and all(tokens[k].norm in _LEGAL for k in pending):
            start = pending[0]  # "МКУ" + a directory name "КНМЦ"
            pending.clear()
        flush()
        end = _qualifier_end(tokens, end)
        found.append((start, end, entry, name))
        i = end
    flush()

    parties: list[PartyMatch] = []
    seen: set[tuple[str, int]] = set()
    for start, end, entry, name in sorted(found, key=lambda item: item[0]):
        if tokens[start].is_person:  # as written, the last initial's full stop kept
            parties.append(PartyMatch(" ".join(tokens[start].raw.split())))
            continue
        fragment = text[tokens[start].start : tokens[end - 1].end].strip(" .,;:-–—«»\"'")
        if not fragment:
            continue
        if entry is None:
            entry = directory.whole_party(fragment)
            name = entry.names[0] if entry is not None else None
        if entry is None:
            parties.append(PartyMatch(fragment))
            continue
        if (entry.kind, entry.id) in seen:
            continue
        seen.add((entry.kind, entry.id))
        parties.append(PartyMatch(fragment, entry.kind, entry.id, name))
    return parties


_EMPTY = Directory()


def split_parties(text: str) -> list[str]:
    """The parties of a responsible cell as written, without a directory to help."""
    return [party.text for party in match_parties(text, _EMPTY)]
