"""Single-line text: names, titles, short names. One rule for forms, the CLI, services and mail.

Control characters (CR, LF, TAB, NUL, the C1 range, Unicode line and paragraph separators) have
no place in a one-line value: shown in a page they break the layout, put in a mail header they
start a new header (Bcc: …). Forms and the CLI refuse them; headers strip them.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_RUN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

CONTROL_MESSAGE = "Поле должно быть одной строкой: уберите переводы строк и управляющие символы."


def has_control(text: str | None) -> bool:
    return bool(text) and _CONTROL.search(text) is not None


def single_line(text: str) -> str:
    """The text with every run of control characters replaced by one space (for mail headers)."""
    return _CONTROL_RUN.sub(" ", text).strip()
