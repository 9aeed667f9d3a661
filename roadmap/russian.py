"""PURE: the Russian of counts and shortened titles, shared by pages, letters, notices and reports."""

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


def truncate(text: str | None, limit: int) -> str:
    """Whitespace collapsed; when longer than `limit`, cut at a word boundary and end with "…",
    `limit` characters at most (a single word longer than that is cut inside)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head:  # the cut falls inside a word: drop its start
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(",;:.- ") + "…"


_NUMBER = re.compile(r"(\d+)")


def natural_key(text: str | None) -> tuple:
    """Sort key that compares the numbers inside names as numbers: СОШ № 2 before СОШ № 10.

    Case, «ё» and spacing («№2» or «№ 2») are ignored, as people read the names.
    """
    parts = _NUMBER.split("".join((text or "").casefold().replace("ё", "е").split()))
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part)
