"""Run a request's unit of work again when the database refused it for ordinary concurrency.

PostgreSQL may abort a transaction that lost a deadlock (40P01) or a serialization conflict
(40001); SQLite answers "database is locked" when another writer held it past the timeout.
Nothing of such a transaction was saved, so the whole view is run again from the start (the
uploads rewound, the messages it flashed taken back, its attachment files removed by the rollback:
roadmap.tasks.files); after the last attempt the user is told to try again instead of getting a
500 — a page by a message and a redirect, the API by a 503 problem with Retry-After.

Every view that writes is decorated (a test walks the URL map); the access checks stay outside:
they write nothing, and a refusal needs no second attempt. A view that has committed once in an
attempt is not run again: what it saved would be saved twice.
"""

from __future__ import annotations

import random
import time
from functools import wraps
from typing import Literal

from flask import flash, redirect, request, session
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from roadmap.api.problems import is_api_request, problem
from roadmap.extensions import db

ATTEMPTS = 4
TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
BUSY_MESSAGE = (
    "Не удалось сохранить: в эту минуту те же данные меняли другие пользователи. "
    "Ничего не сохранено — попробуйте ещё раз."
)
API_BUSY_MESSAGE = (
    "Не удалось сохранить: в эту минуту те же данные меняли другие пользователи. "
    "Ничего не сохранено — повторите запрос через несколько секунд."
)
RETRY_AFTER_SECONDS = 2
_COMMITS = "retry_commits"


def is_transient(exc: BaseException) -> bool:
    """A refusal that running the same transaction again may cure."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(original)


def commit_unless_busy() -> bool:
    """Commit a note that can wait (a last use, a remembered hint): when the database is busy it
    is rolled back and dropped — a later request records it — rather than failing the request or
    being run again with it. True when committed."""
    try:
        db.session.commit()
    except DBAPIError as exc:
        if not is_transient(exc):
            raise
        db.session.rollback()
        return False
    return True


@event.listens_for(Session, "after_commit")
def _count_commit(committed: Session) -> None:
    committed.info[_COMMITS] = committed.info.get(_COMMITS, 0) + 1


def _commits() -> int:
    return db.session().info.get(_COMMITS, 0)


def _rewind_uploads() -> None:
    for name in request.files:
        for upload in request.files.getlist(name):
            upload.stream.seek(0)


def _flashes() -> list | None | Literal[False]:
    """The messages waiting in the session before an attempt (False for the API: it has none)."""
    if is_api_request():
        return False  # stateless: reading the session would only add «Vary: Cookie»
    saved = session.get("_flashes")
    return list(saved) if saved is not None else None


def _restore_flashes(saved: list | None) -> None:
    """The messages of a failed attempt were never true: only those from before it stay."""
    if saved is None:
        session.pop("_flashes", None)
    else:
        session["_flashes"] = list(saved)


def busy_answer():
    """What a request gets when every attempt was refused: nothing was saved, try again."""
    if is_api_request():
        return problem(503, API_BUSY_MESSAGE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    flash(BUSY_MESSAGE, "warning")
    back = request.referrer or ""
    return redirect(back if back.startswith(request.host_url) else "/", 303)


def retried(view):
    """Decorate a view that writes: transient database refusals run it again, then answer politely."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        for attempt in range(ATTEMPTS):
            commits, flashes = _commits(), _flashes()
            try:
                return view(*args, **kwargs)
            except DBAPIError as exc:
                if not is_transient(exc) or _commits() != commits:
                    raise
                db.session.rollback()
                if flashes is not False:
                    _restore_flashes(flashes)
                _rewind_uploads()
                if attempt + 1 < ATTEMPTS:
                    time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
        return busy_answer()

    wrapper.is_retried = True
    return wrapper
