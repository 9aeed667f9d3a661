"""Writing views run again after a deadlock or a locked database, then answer «попробуйте ещё раз», never a 500.

The refusals are real: a real deadlock between two PostgreSQL connections, a real "database is
locked" from two SQLite connections. A view that meets one is run again from the start.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from roadmap.web.retry import ATTEMPTS, BUSY_MESSAGE, is_transient, retried


def _real_refusal(url: str, tmp_path) -> DBAPIError:
    """Provoke the database's own concurrency refusal and return the exception SQLAlchemy raised."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS retry_probe"))
            conn.execute(text("CREATE TABLE retry_probe (id int primary key)"))
            conn.execute(text("INSERT INTO retry_probe VALUES (1), (2)"))
        caught: list[BaseException] = []
        both_locked = threading.Barrier(2)

        def lock(first: int, second: int) -> None:
            with engine.connect() as conn:
                try:
                    conn.execute(text("SELECT 1 FROM retry_probe WHERE id = :i FOR UPDATE"), {"i": first})
                    both_locked.wait()
                    conn.execute(text("SELECT 1 FROM retry_probe WHERE id = :i FOR UPDATE"), {"i": second})
                except DBAPIError as exc:
                    caught.append(exc)
                conn.rollback()

        threads = [threading.Thread(target=lock, args=args) for args in ((1, 2), (2, 1))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE retry_probe"))
        engine.dispose()
        assert len(caught) == 1, caught  # PostgreSQL aborts exactly one of the two
        return caught[0]
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x int)")
    holder.execute("BEGIN IMMEDIATE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with pytest.raises(OperationalError) as info, engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    return info.value


@pytest.fixture
def refusal(migrated, tmp_path):
    return _real_refusal(migrated, tmp_path)


def test_the_databases_own_refusals_are_transient_and_others_are_not(refusal):
    assert is_transient(refusal)
    assert not is_transient(ValueError("не база данных"))


@pytest.mark.fresh_app
def test_a_view_meeting_a_refusal_is_run_again_then_answers_politely(app, refusal):
    calls = {"flaky": 0, "stuck": 0}

    @retried
    def flaky():
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise refusal
        return "сохранено"

    @retried
    def stuck():
        calls["stuck"] += 1
        raise refusal

    app.add_url_rule("/test-retry/flaky", "test_flaky", flaky, methods=["POST"])
    app.add_url_rule("/test-retry/stuck", "test_stuck", stuck, methods=["POST"])
    client = app.test_client()
    response = client.post("/test-retry/flaky")
    assert (response.status_code, response.get_data(as_text=True), calls["flaky"]) == (200, "сохранено", 2)

    response = client.post("/test-retry/stuck", headers={"Referer": "http://roadmap.test/review"})
    assert response.status_code == 303
    assert response.headers["Location"] in ("/review", "http://roadmap.test/review")
    assert calls["stuck"] == ATTEMPTS
    with client.session_transaction() as session:
        assert session["_flashes"] == [("warning", BUSY_MESSAGE)]
    # A foreign referrer is not followed.
    assert client.post("/test-retry/stuck", headers={"Referer": "https://evil.example/"}).headers["Location"] == "/"


@pytest.mark.fresh_app
def test_a_retried_upload_is_read_again_from_the_start(app, refusal):
    import io

    from flask import request

    reads = []

    @retried
    def upload():
        reads.append(request.files["file"].read())
        if len(reads) == 1:
            raise refusal
        return "ok"

    app.add_url_rule("/test-retry/upload", "test_upload", upload, methods=["POST"])
    response = app.test_client().post(
        "/test-retry/upload",
        data={"file": (io.BytesIO(b"%PDF-1.4 report"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert reads == [b"%PDF-1.4 report", b"%PDF-1.4 report"]
