"""Small text helpers shared by the readers."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad]")
DASHES = "-‐‑‒–—−"


def collapse(text: object) -> str:
    """Whitespace collapsed to single spaces (line breaks inside cells included), stripped."""
    if text is None:
        return ""
    value = _CONTROL.sub("", str(text))
    return _SPACES.sub(" ", value).strip()


def join_parts(first: str, second: str) -> str:
    """Glue two halves of a cell split over a page break.

    "август-" + "сентябрь" → "август-сентябрь" (a hyphen at the break is kept and glued),
    "август -" + "сентябрь" → "август - сентябрь" (a free-standing dash is a separator).
    """
    if not first:
        return second
    if not second:
        return first
    if first[-1] in DASHES and len(first) > 1 and not first[-2].isspace():
        return first + second
    return f"{first} {second}"


def is_lower_start(text: str) -> bool:
    """True when the first letter of the text is lowercase (a sentence cut in the middle)."""
    for char in text:
        if char.isalpha():
            return char.islower()
        if char.isdigit():
            return False
    return False
