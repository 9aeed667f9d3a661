"""Uploads waiting for a re-import's confirmation live only until applied, or a day."""

from __future__ import annotations

import os
import time

from roadmap.plans import pending


def test_an_upload_is_kept_until_discarded(tmp_path):
    token = pending.store(tmp_path, b"\x50\x4b", "karta.docx")
    assert pending.load(tmp_path, token) == (b"\x50\x4b", "karta.docx")
    pending.discard(tmp_path, token)
    assert pending.load(tmp_path, token) is None
    assert list(tmp_path.iterdir()) == []


def test_unknown_and_malformed_tokens_load_nothing(tmp_path):
    assert pending.load(tmp_path, "0" * 32) is None
    assert pending.load(tmp_path, "../../etc/passwd") is None
    pending.discard(tmp_path, "../x")  # no error, nothing outside the folder touched


def test_uploads_left_behind_expire_after_a_day(tmp_path):
    old = pending.store(tmp_path, b"old", "old.docx")
    day_ago = time.time() - pending.EXPIRES_AFTER - 60
    for path in tmp_path.iterdir():
        os.utime(path, (day_ago, day_ago))
    fresh = pending.store(tmp_path, b"new", "new.docx")  # storing expires the old ones
    assert pending.load(tmp_path, old) is None
    assert pending.load(tmp_path, fresh) == (b"new", "new.docx")
    assert len(list(tmp_path.iterdir())) == 2
