"""Uploads waiting for a re-import's confirmation live only until applied, or a day."""

from __future__ import annotations

import os
import time

from roadmap.plans import pending

OWN = {"roadmap_id": 7, "user_id": 3}


def test_an_upload_is_kept_until_discarded(tmp_path):
    token = pending.store(tmp_path, b"\x50\x4b", "karta.docx", **OWN)
    assert pending.load(tmp_path, token, **OWN) == (b"\x50\x4b", "karta.docx")
    pending.discard(tmp_path, token)
    assert pending.load(tmp_path, token, **OWN) is None
    assert list(tmp_path.iterdir()) == []


def test_a_token_opens_only_its_own_roadmap_for_its_own_user(tmp_path):
    token = pending.store(tmp_path, b"data", "karta.docx", **OWN)
    assert pending.load(tmp_path, token, roadmap_id=8, user_id=3) is None
    assert pending.load(tmp_path, token, roadmap_id=7, user_id=4) is None
    assert pending.load(tmp_path, token, **OWN) == (b"data", "karta.docx")


def test_unknown_and_malformed_tokens_load_nothing(tmp_path):
    assert pending.load(tmp_path, "0" * 32, **OWN) is None
    assert pending.load(tmp_path, "../../etc/passwd", **OWN) is None
    pending.discard(tmp_path, "../x")  # no error, nothing outside the folder touched


def test_uploads_left_behind_expire_after_a_day(tmp_path):
    old = pending.store(tmp_path, b"old", "old.docx", **OWN)
    day_ago = time.time() - pending.EXPIRES_AFTER - 60
    for path in tmp_path.iterdir():
        os.utime(path, (day_ago, day_ago))
    assert pending.load(tmp_path, old, **OWN) is None  # expired, even before the next upload
    old = pending.store(tmp_path, b"old", "old.docx", **OWN)
    for path in tmp_path.iterdir():
        os.utime(path, (day_ago, day_ago))
    fresh = pending.store(tmp_path, b"new", "new.docx", **OWN)  # storing expires the old ones
    assert pending.load(tmp_path, fresh, **OWN) == (b"new", "new.docx")
    assert len(list(tmp_path.iterdir())) == 2
