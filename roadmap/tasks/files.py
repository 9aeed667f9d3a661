"""Attachment files on disk follow their rows: written under a temporary name, moved into place on commit.

A report's files are written before the transaction that adds their rows commits. Were they
written under their final names, a conflict, a deadlock or a crash between the write and the
commit would leave files that no row owns (and a backup would carry them). So a file is written
as ``.tmp-<name>`` and remembered in ``session.info`` with the transaction (or savepoint) that
wrote it; the commit moves it to ``<name>``, a rollback of that transaction or of any enclosing
one removes it. A crash leaves only ``.tmp-`` files, which ``flask files check`` reports.

A report that replaces a returned one keeps the files it carries over: each gets its own row and
its own file (``copy``: a hard link where the file system allows, else a byte copy), so every
file still lives exactly as long as its one row and the check needs no reference counting.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from roadmap.extensions import db
from roadmap.models import Attachment

logger = logging.getLogger(__name__)
TEMP_PREFIX = ".tmp-"
_PENDING = "pending_attachment_files"
# A temporary file younger than this may belong to a request still running: never deleted by the check.
IN_FLIGHT_SECONDS = 3600


def upload_folder() -> Path:
    from flask import current_app

    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class _Pending:
    transaction: SessionTransaction | None
    temporary: Path
    final: Path


def store(data: bytes, extension: str) -> str:
    """Write an attachment's bytes for the current transaction; the stored name the row keeps."""
    folder = upload_folder()
    name = f"{secrets.token_hex(16)}.{extension}"
    temporary = folder / f"{TEMP_PREFIX}{name}"
    temporary.write_bytes(data)
    _remember(temporary, folder / name)
    return name


def copy(stored_name: str, extension: str) -> str:
    """Give an existing attachment's file a second name for a new row of the current transaction.

    Raises FileNotFoundError when the original file is not on disk.
    """
    folder = upload_folder()
    source = folder / stored_name
    name = f"{secrets.token_hex(16)}.{extension}"
    temporary = folder / f"{TEMP_PREFIX}{name}"
    try:
        os.link(source, temporary)  # no second copy of the bytes; either name may be removed alone
    except FileNotFoundError:
        raise
    except OSError:
        shutil.copyfile(source, temporary)
    _remember(temporary, folder / name)
    return name


def _remember(temporary: Path, final: Path) -> None:
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append(_Pending(transaction, temporary, final))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _remove(entries: list[_Pending]) -> None:
    for entry in entries:
        entry.temporary.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _move_into_place(session: Session) -> None:
    for entry in session.info.pop(_PENDING, []):
        try:
            os.replace(entry.temporary, entry.final)
        except OSError:
            # The rows are committed already: answer the request, leave the case to `flask files check`.
            logger.exception("attachment file %s not moved into place", entry.final.name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    entries = session.info.get(_PENDING)
    if not entries:
        return
    gone = [entry for entry in entries if transaction.parent is None or _within(entry.transaction, transaction)]
    _remove(gone)
    session.info[_PENDING] = [entry for entry in entries if entry not in gone]


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # A session closed without commit or rollback: its files were never committed either.
    if transaction.parent is None:
        _remove(session.info.pop(_PENDING, []))


# --------------------------------------------------------------------------- the check


@dataclass
class FilesCheck:
    """Files on disk that no attachment row owns, rows whose file is missing, uploads in progress."""

    orphans: list[Path] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)
    in_flight: list[Path] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.orphans and not self.missing


def check_files(*, now: float | None = None) -> FilesCheck:
    """Compare the upload folder with the attachment rows (sub-folders, such as exports, are not attachments)."""
    folder = upload_folder()
    now = time.time() if now is None else now
    owned = dict(db.session.execute(select(Attachment.stored_name, Attachment.id)).all())
    result = FilesCheck()
    on_disk = set()
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        on_disk.add(path.name)
        if path.name in owned:
            continue
        if path.name.startswith(TEMP_PREFIX) and now - path.stat().st_mtime < IN_FLIGHT_SECONDS:
            result.in_flight.append(path)
        else:
            result.orphans.append(path)
    result.missing = sorted((row_id, name) for name, row_id in owned.items() if name not in on_disk)
    return result


def owned_files() -> list[Path]:
    """The attachment files that have a row, for backups: orphans are left behind."""
    folder = upload_folder()
    names = db.session.scalars(select(Attachment.stored_name).order_by(Attachment.id))
    return [folder / name for name in names if (folder / name).is_file()]
