"""A unit of work run again when the database refused it for ordinary concurrency.

PostgreSQL may abort a transaction that lost a deadlock (40P01) or a serialization conflict
(40001); SQLite answers "database is locked" when another writer held it past the busy timeout
(SQLITE_BUSY_TIMEOUT_MS). Nothing of such a transaction was saved, so the same work may simply
run again after a short pause. The pages and the API (roadmap.web.retry) and the background jobs
(roadmap.jobs) share this loop; each says in its own way that every attempt was refused.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from roadmap.extensions import db

ATTEMPTS = 4
TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
_COMMITS = "transient_commits"

T = TypeVar("T")


class StillRefused(Exception):
    """Every attempt was refused: nothing of the work was saved."""


def is_transient(exc: BaseException) -> bool:
    """A refusal that running the same transaction again may cure."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(original)


@event.listens_for(Session, "after_commit")
def _count_commit(committed: Session) -> None:
    committed.info[_COMMITS] = committed.info.get(_COMMITS, 0) + 1


def _commits() -> int:
    return db.session().info.get(_COMMITS, 0)


def run_again_when_refused(work: Callable[[], T], *, before_rerun: Callable[[], None] | None = None) -> T:
    """work(), run again after a transient refusal (rolled back, `before_rerun` called, a short
    pause); StillRefused after the last attempt. Work that committed before it was refused is not
    run again — what it saved would be saved twice — and its refusal is raised as it is."""
    attempt = 1
    while True:
        commits = _commits()
        try:
            return work()
        except DBAPIError as exc:
            if not is_transient(exc) or _commits() != commits:
                raise
            db.session.rollback()  # attachment files of the attempt go with it (roadmap.tasks.files)
            if before_rerun is not None:
                before_rerun()
            if attempt == ATTEMPTS:
                raise StillRefused from exc
        time.sleep(random.uniform(0.02, 0.1) * attempt)
        attempt += 1


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
