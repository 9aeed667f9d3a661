"""Uploaded documents waiting for the coordinator to confirm a re-import.

The diff is shown first and applied on a second request, so the upload is kept in between under
a random token, bound to the roadmap and the user it was shown to: the token opens nothing else.
Nothing else refers to these files: they are removed once applied, and any left behind (the
coordinator never confirmed) expire after a day, when the next upload is stored.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

TEXT_NAME = "__text__"  # pasted text instead of a file
EXPIRES_AFTER = 24 * 3600
_TOKEN = re.compile(r"[0-9a-f]{32}")


def _paths(folder: Path, token: str) -> tuple[Path, Path]:
    return folder / f"{token}.bin", folder / f"{token}.name"


def store(folder: Path, payload: bytes, name: str, *, roadmap_id: int, user_id: int) -> str:
    """Keep an upload for `roadmap_id` and `user_id`; returns its token. Expired uploads go first."""
    folder.mkdir(parents=True, exist_ok=True)
    expire(folder)
    token = secrets.token_hex(16)
    data_path, meta_path = _paths(folder, token)
    data_path.write_bytes(payload)
    meta_path.write_text(json.dumps({"name": name, "roadmap": roadmap_id, "user": user_id}), encoding="utf-8")
    return token


def load(folder: Path, token: str, *, roadmap_id: int, user_id: int) -> tuple[bytes, str] | None:
    """The upload and its file name, or None when the token is unknown, malformed, expired, or
    was issued for another roadmap or user."""
    if not _TOKEN.fullmatch(token):
        return None
    data_path, meta_path = _paths(folder, token)
    if not data_path.exists() or not meta_path.exists():
        return None
    if meta_path.stat().st_mtime < time.time() - EXPIRES_AFTER:
        discard(folder, token)
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if meta.get("roadmap") != roadmap_id or meta.get("user") != user_id:
        return None
    return data_path.read_bytes(), meta["name"]


def discard(folder: Path, token: str) -> None:
    if _TOKEN.fullmatch(token):
        for path in _paths(folder, token):
            path.unlink(missing_ok=True)


def expire(folder: Path, *, now: float | None = None) -> int:
    """Remove uploads older than a day; returns how many files went."""
    limit = (time.time() if now is None else now) - EXPIRES_AFTER
    removed = 0
    for path in folder.glob("*.*"):
        if path.suffix in (".bin", ".name") and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
