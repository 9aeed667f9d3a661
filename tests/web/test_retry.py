"""Writing views run again after a deadlock or a locked database, then answer «попробуйте ещё раз», never a 500.

The refusals are real: a real deadlock between two PostgreSQL connections, a real "database is
locked" from two SQLite connections. A view that meets one is run again from the start.
"""

from __future__ import annotations

import io
import os
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from roadmap.web.retry import (
    API_BUSY_MESSAGE,
    ATTEMPTS,
    BUSY_MESSAGE,
    RETRY_AFTER_SECONDS,
    is_transient,
    retried,
)


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


# ---------------------------------------------------------------- every writing view is retried

WRITING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Endpoints that accept a writing method and provably write nothing, each with its reason.
# Empty: even logging out writes (its audit entry, the revoked session), and the re-import's
# first step, which writes no row, reads the roadmap and keeps the upload on disk until confirmed.
WRITES_NOTHING: dict[str, str] = {}


def test_every_view_that_writes_is_retried(app):
    writing = {rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & WRITING_METHODS}
    assert set(WRITES_NOTHING) <= writing, "the allow-list names an endpoint that no longer writes"
    unretried = sorted(
        endpoint
        for endpoint in writing - set(WRITES_NOTHING)
        if not getattr(app.view_functions[endpoint], "is_retried", False)
    )
    assert unretried == []
    assert len(writing) > 50  # the pages and the API both counted


def test_the_api_documents_its_busy_answer_on_every_write(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    writes = [
        (path, method, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method.upper() in WRITING_METHODS
    ]
    assert len(writes) >= 8
    for path, method, operation in writes:
        busy = operation["responses"].get("503")
        assert busy is not None, (method, path)
        assert "Retry-After" in busy["headers"], (method, path)
        assert "application/problem+json" in busy["content"], (method, path)


@pytest.mark.fresh_app
def test_the_api_answers_a_busy_database_with_a_503_problem(app, refusal):
    calls = []

    @retried
    def stuck():
        calls.append(1)
        raise refusal

    app.add_url_rule("/api/v1/test-retry/stuck", "test_api_stuck", stuck, methods=["POST"])
    response = app.test_client().post("/api/v1/test-retry/stuck")
    assert len(calls) == ATTEMPTS
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Location" not in response.headers
    body = response.get_json()
    assert body == {
        "type": "about:blank",
        "title": "Сервис занят, повторите запрос",
        "status": 503,
        "detail": API_BUSY_MESSAGE,
        "instance": "/api/v1/test-retry/stuck",
    }
    assert "Set-Cookie" not in response.headers  # nothing flashed into a session


@pytest.mark.fresh_app
def test_what_a_failed_attempt_flashed_is_taken_back(app, refusal):
    from flask import flash

    attempts = []

    @retried
    def flaky():
        attempts.append(1)
        flash("Задачи обновлены.", "info")
        if len(attempts) == 1:
            raise refusal
        return "сохранено"

    @retried
    def stuck():
        flash("Задачи обновлены.", "info")
        raise refusal

    app.add_url_rule("/test-retry/flashing", "test_flashing", flaky, methods=["POST"])
    app.add_url_rule("/test-retry/stuck-flashing", "test_stuck_flashing", stuck, methods=["POST"])
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Вы вошли.")]
    assert client.post("/test-retry/flashing").status_code == 200
    with client.session_transaction() as session:
        assert session["_flashes"] == [("success", "Вы вошли."), ("info", "Задачи обновлены.")]
        session.pop("_flashes")
    client.post("/test-retry/stuck-flashing")
    with client.session_transaction() as session:
        assert session["_flashes"] == [("warning", BUSY_MESSAGE)]


@pytest.mark.fresh_app
def test_a_view_that_committed_is_not_run_again(app, refusal):
    """What the first commit saved would be saved twice: the refusal after it is not retried."""
    from roadmap.extensions import db

    calls = []

    @retried
    def committed_then_refused():
        calls.append(1)
        db.session.commit()
        raise refusal

    app.add_url_rule("/test-retry/committed", "test_committed", committed_then_refused, methods=["POST"])
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(DBAPIError):
        app.test_client().post("/test-retry/committed")
    assert calls == [1]


# ---------------------------------------------------------------- real locks on SQLite
# A second connection holds the database while a request writes; the busy timeout is short, so
# each attempt is refused quickly. Releasing the lock from the engine's own error hook, at the
# first refusal, makes the timing exact: the next attempt is the one that succeeds.

BUSY_TIMEOUT_MS = 50


@pytest.fixture
def busy_world(tmp_path, migrated):
    """A SQLite app of its own whose sessions really commit: a school, its executor with an API
    key, a published roadmap with one task of the school."""
    from datetime import date

    from flask_migrate import upgrade

    from roadmap import create_app
    from roadmap.accounts.api_tokens import create_api_token
    from roadmap.accounts.service import create_user
    from roadmap.extensions import db
    from roadmap.models import Measure, MeasureParty, Organization, OrgKind, Roadmap, RoadmapStatus, Role, Task
    from roadmap.plans.service import apply_deadline
    from roadmap.tasks.service import generate_tasks
    from tests.conftest import make_config

    path = tmp_path / "busy.sqlite3"
    app = create_app(
        make_config(tmp_path, f"sqlite:///{path}", RATELIMIT_ENABLED=False, SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    )
    with app.app_context():
        upgrade()
        school = Organization(full_name="Школа № 5", short_name="Школа № 5", kind=OrgKind.SCHOOL, is_active=True)
        db.session.add(school)
        db.session.flush()
        user = create_user(
            login="busy", full_name="Исполнитель", password="secret123", role=Role.EXECUTOR, organization=school
        )
        roadmap = Roadmap(
            title="К", period_start=date(2023, 1, 1), period_end=date(2023, 12, 31), status=RoadmapStatus.PUBLISHED
        )
        db.session.add(roadmap)
        measure = Measure(number="1.1", title="Классный час")
        roadmap.measures.append(measure)
        apply_deadline(measure, "сентябрь")
        measure.parties.append(MeasureParty(text="Школа № 5", organization_id=school.id))
        db.session.flush()
        generate_tasks(roadmap)
        draft = Roadmap(title="Черновик", period_start=date(2023, 1, 1), period_end=date(2023, 12, 31))
        db.session.add(draft)
        draft_measure = Measure(number="1.1", title="Семинар")
        draft.measures.append(draft_measure)
        apply_deadline(draft_measure, "октябрь")
        draft_measure.parties.append(MeasureParty(text="Школа № 5", organization_id=school.id))
        token = create_api_token(user, "тест").secret
        db.session.commit()
        task = db.session.scalars(select(Task)).one()
        world = {
            "app": app,
            "path": path,
            "task_id": task.id,
            "version": task.version,
            "token": token,
            "draft_id": draft.id,
        }
        db.session.remove()
        yield world
        db.session.remove()
        db.engine.dispose()


class Holder:
    """A second connection to the same SQLite file holding a lock: a writer's (BEGIN IMMEDIATE)
    or a reader's (an open read transaction, which lets others write but not commit)."""

    def __init__(self, path, *, writer: bool) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        if writer:
            self.connection.execute("BEGIN IMMEDIATE")
        else:
            self.connection.execute("BEGIN")
            self.connection.execute("SELECT count(*) FROM task").fetchall()
        self.refusals = 0

    def release(self) -> None:
        if self.connection.in_transaction:
            self.connection.rollback()

    def close(self) -> None:
        self.release()
        self.connection.close()


@pytest.fixture
def hold(busy_world):
    """hold(writer=..., until_refused=...): a Holder; released at the first refusal the app's
    engine meets when `until_refused`, else held until the test ends."""
    from roadmap.extensions import db

    holders = []
    with busy_world["app"].app_context():
        engine = db.engine

    def start(*, writer: bool, until_refused: bool) -> Holder:
        holder = Holder(busy_world["path"], writer=writer)
        holders.append(holder)

        @event.listens_for(engine, "handle_error")
        def refused(context):
            if "database is locked" in str(context.original_exception):
                holder.refusals += 1
                if until_refused:
                    holder.release()

        return holder

    yield start
    for holder in holders:
        holder.close()


def _login(client) -> None:
    assert client.post("/login", data={"login": "busy", "password": "secret123"}).status_code == 302


def _report(client, world, *, referrer: str | None = None):
    headers = {"Referer": f"http://roadmap.test/tasks/{world['task_id']}"} if referrer else {}
    return client.post(
        f"/tasks/{world['task_id']}/submit",
        data={
            "version": world["version"],
            "comment": "Проведено",
            "held_on": "2023-09-15",
            "files": (io.BytesIO(PDF), "справка.pdf"),
        },
        content_type="multipart/form-data",
        headers=headers,
    )


def _saved(world) -> tuple[list[str], list[str], str]:
    """The attachment rows' file names, the files in the upload folder, the task's status."""
    from roadmap.extensions import db
    from roadmap.models import Attachment, Task

    with world["app"].app_context():
        names = db.session.scalars(select(Attachment.stored_name)).all()
        status = db.session.get(Task, world["task_id"]).status.value
        db.session.remove()
    folder = world["app"].config["UPLOAD_FOLDER"]
    files = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []
    return sorted(names), files, status


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_report_whose_commit_was_refused_is_saved_once_with_its_file(busy_world, hold):
    """A reader keeps the first attempt from committing after its file was written: the file of
    that attempt goes with its rollback, the second attempt saves the report and one file."""
    client = busy_world["app"].test_client()
    _login(client)
    holder = hold(writer=False, until_refused=True)
    response = _report(client, busy_world)
    assert holder.refusals == 1
    assert response.status_code == 302 and "/tasks" in response.headers["Location"]
    names, files, status = _saved(busy_world)
    assert status == "submitted"
    assert len(names) == 1 and files == names  # one row, its file, no «.tmp-» left behind
    with client.session_transaction() as session:
        assert session["_flashes"] == [("success", "Отчёт отправлен координатору.")]


def test_a_report_refused_at_every_attempt_saves_nothing_and_says_so(busy_world, hold):
    client = busy_world["app"].test_client()
    _login(client)
    holder = hold(writer=False, until_refused=False)
    response = _report(client, busy_world, referrer=True)
    assert holder.refusals == ATTEMPTS
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/tasks/{busy_world['task_id']}")
    holder.release()
    assert _saved(busy_world) == ([], [], "planned")  # no row, no file on disk, the task as it was
    with client.session_transaction() as session:
        assert session["_flashes"] == [("warning", BUSY_MESSAGE)]


def test_the_api_waits_out_a_writer_and_answers_503_when_it_does_not_let_go(busy_world, hold):
    client = busy_world["app"].test_client()
    headers = {"Authorization": f"Bearer {busy_world['token']}"}
    url = f"/api/v1/tasks/{busy_world['task_id']}/not-applicable"
    body = {"version": busy_world["version"], "reason": "В школе нет начальных классов"}
    holder = hold(writer=True, until_refused=False)
    response = client.post(url, json=body, headers=headers)
    assert holder.refusals >= ATTEMPTS  # the key's last use was dropped, the work tried each time
    assert response.status_code == 503 and response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.get_json()["detail"] == API_BUSY_MESSAGE
    holder.release()
    assert _saved(busy_world)[2] == "planned"

    holder = hold(writer=True, until_refused=True)
    response = client.post(url, json=body, headers=headers)
    assert holder.refusals == 1
    assert response.status_code == 200 and response.get_json()["report"]["is_not_applicable"] is True
    assert _saved(busy_world)[2] == "submitted"  # for the coordinator to consider


def test_a_background_job_refused_by_the_database_runs_again_then_fails_in_words(busy_world, hold):
    """An inline job (no Redis) meets the same refusals as a request: run again, then a message."""
    from roadmap.extensions import db
    from roadmap.jobs import BUSY, FAILED, FINISHED, enqueue, job_status
    from roadmap.models import Roadmap, RoadmapStatus, Task

    def publish_draft():
        with busy_world["app"].app_context():
            status = job_status(enqueue("roadmap.jobs.tasks.generate_roadmap_tasks", busy_world["draft_id"]))
            draft = db.session.get(Roadmap, busy_world["draft_id"])
            tasks = db.session.scalars(select(Task).where(Task.roadmap_id == draft.id)).all()
            outcome = (status.status, status.error, draft.status, len(tasks))
            db.session.remove()
            return outcome

    holder = hold(writer=True, until_refused=False)
    assert publish_draft() == (FAILED, BUSY, RoadmapStatus.DRAFT, 0)
    assert holder.refusals == ATTEMPTS
    holder.release()

    holder = hold(writer=True, until_refused=True)
    assert publish_draft() == (FINISHED, None, RoadmapStatus.PUBLISHED, 1)
    assert holder.refusals == 1


# ---------------------------------------------------------------- a real deadlock on PostgreSQL


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL's deadlock detection: runs with TEST_DATABASE_URL",
)
def test_marking_notices_read_survives_a_real_deadlock(committed_app):
    """Another transaction holds the second notice and then wants the first, which the request has
    just updated: PostgreSQL aborts the request's transaction (40P01), the request runs again and
    both notices are read; the other transaction finished unharmed."""
    from roadmap.accounts.service import create_user
    from roadmap.extensions import db
    from roadmap.models import Notice, NoticeKind, Role, utcnow

    user = create_user(login="deadlock", full_name="Координатор", password="secret123", role=Role.COORDINATOR)
    db.session.flush()
    notices = [Notice(user_id=user.id, kind=NoticeKind.RETURNED, text=f"Уведомление {n}") for n in (1, 2)]
    db.session.add_all(notices)
    db.session.commit()
    first, second = sorted(n.id for n in notices)
    user_id, engine = user.id, db.engine

    # The request's connections notice the cycle (after 2 s of waiting), the other one never
    # would (60 s): the request is the one PostgreSQL aborts.
    @event.listens_for(engine, "connect")
    def detect_soon(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET deadlock_timeout = '2s'")
        dbapi_connection.commit()

    deadlocks = []

    @event.listens_for(engine, "handle_error")
    def seen(context):
        deadlocks.append(getattr(context.original_exception, "sqlstate", None))

    db.session.remove()
    engine.dispose()
    client = committed_app.test_client()
    assert client.post("/login", data={"login": "deadlock", "password": "secret123"}).status_code == 302

    other = create_engine(engine.url, connect_args={"options": "-c deadlock_timeout=60s"})
    other_failed: list[BaseException] = []

    def other_transaction():
        with other.connect() as conn:
            try:
                conn.execute(text("SELECT 1 FROM notice WHERE id = :id FOR UPDATE"), {"id": second})
                holding.set()
                # Wait until the request has updated the first notice and waits for the second.
                for _ in range(1000):
                    waiting = conn.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                        )
                    ).scalar()
                    if waiting:
                        break
                    threading.Event().wait(0.01)
                conn.execute(text("UPDATE notice SET text = 'занято' WHERE id = :id"), {"id": first})
                conn.rollback()
            except DBAPIError as exc:
                other_failed.append(exc)
                conn.rollback()

    holding = threading.Event()
    thread = threading.Thread(target=other_transaction)
    thread.start()
    assert holding.wait(30)
    response = client.post("/notices", data={})
    thread.join(timeout=60)
    other.dispose()

    assert other_failed == []
    assert deadlocks == ["40P01"]  # refused once, then run again
    assert response.status_code == 302
    read = db.session.scalars(select(Notice.read_at).where(Notice.user_id == user_id)).all()
    assert len(read) == 2 and all(moment is not None and moment <= utcnow() for moment in read)
