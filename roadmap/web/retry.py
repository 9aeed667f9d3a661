"""Run a request's unit of work again when the database refused it for ordinary concurrency.

PostgreSQL may abort a transaction that lost a deadlock (40P01) or a serialization conflict
(40001); SQLite answers "database is locked" when another writer held it past the timeout.
Nothing of such a transaction was saved, so the whole view is run again from the start (the
uploads rewound); after the last attempt the user is told to try again instead of getting a 500.
"""

from __future__ import annotations

import random
import time
from functools import wraps

from flask import flash, redirect, request
from sqlalchemy.exc import DBAPIError

from roadmap.extensions import db

ATTEMPTS = 4
TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
BUSY_MESSAGE = (
    "Не удалось сохранить: в эту минуту те же задачи меняли другие пользователи. "
    "Ничего не сохранено — попробуйте ещё раз."
)


def is_transient(exc: BaseException) -> bool:
    """A refusal that running the same transaction again may cure."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(original)


def _rewind_uploads() -> None:
    for name in request.files:
        for upload in request.files.getlist(name):
            upload.stream.seek(0)


def retried(view):
    """Decorate a view that writes: transient database refusals run it again, then answer politely."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        for attempt in range(ATTEMPTS):
            try:
                return view(*args, **kwargs)
            except DBAPIError as exc:
                if not is_transient(exc):
                    raise
                db.session.rollback()
                _rewind_uploads()
                if attempt + 1 < ATTEMPTS:
                    time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
        flash(BUSY_MESSAGE, "warning")
        back = request.referrer or ""
        return redirect(back if back.startswith(request.host_url) else "/", 303)

    return wrapper
