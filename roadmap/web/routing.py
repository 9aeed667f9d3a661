"""URL converters: an id in an address is a 32-bit database integer, so a longer number is a
page that does not exist (404), not a database error (500)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2_147_483_647  # PostgreSQL's integer, the type of every id column


class IdConverter(IntegerConverter):
    def __init__(
        self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, signed: bool = False
    ):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_converters(app: Flask) -> None:
    """Before any route is added: every `<int:…>` of the app is bounded."""
    app.url_map.converters["int"] = IdConverter
