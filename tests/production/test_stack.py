"""The production stack for real: the RQ queue on Redis with the worker command, limiter
counters in Redis, gunicorn serving the app, readiness. Each uses a fresh committed database
(SQLite, or a database of its own on PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import date

import pytest
from redis import Redis
from sqlalchemy import func, select

from roadmap import create_app
from roadmap.extensions import db
from tests.conftest import make_config
from tests.production.conftest import PROJECT_ROOT, REDIS_URL, VENV_BIN, free_port, subprocess_env

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- the job queue


def _seed_roadmap() -> tuple[int, int, str]:
    """A draft roadmap with two schools, and its coordinator; committed. Returns ids and login."""
    from roadmap.accounts.service import create_user
    from roadmap.models import Measure, MeasureParty, Organization, OrgKind, Roadmap, Role, Section
    from roadmap.plans.service import apply_deadline

    tag = uuid.uuid4().hex[:6]
    schools = [
        Organization(full_name=f"МБОУ СОШ № {n} {tag}", short_name=f"СОШ {n} {tag}", kind=OrgKind.SCHOOL)
        for n in (1, 2)
    ]
    db.session.add_all(schools)
    roadmap = Roadmap(title="Профориентация 2023", period_start=date(2023, 1, 1), period_end=date(2023, 12, 31))
    section = Section(number="1", title="Мероприятия", position=0)
    roadmap.sections.append(section)
    db.session.add(roadmap)
    db.session.flush()
    for position, (number, title, deadline) in enumerate(
        [("1.1", "Собрание", "сентябрь"), ("1.2", "Отчёт", "ежеквартально")]
    ):
        measure = Measure(number=number, title=title, position=position, responsible_text="ОО")
        roadmap.measures.append(measure)
        measure.section = section
        apply_deadline(measure, deadline)
        for index, school in enumerate(schools):
            measure.parties.append(MeasureParty(position=index, text=school.short_name, organization_id=school.id))
    login = f"coord{tag}"
    coordinator = create_user(login=login, full_name="Координатор", password="secret123", role=Role.COORDINATOR)
    db.session.commit()
    return roadmap.id, coordinator.id, login


@pytest.fixture
def queue_app(stack_db, tmp_path, redis_client):
    name = f"roadmap-test-{uuid.uuid4().hex[:12]}"
    app = create_app(make_config(tmp_path, stack_db, REDIS_URL=REDIS_URL, JOBS_QUEUE=name))
    job_ids: list[str] = []
    yield app, name, job_ids
    for key in redis_client.scan_iter(match=f"*{name}*"):
        redis_client.delete(key)
    for job_id in job_ids:
        for key in redis_client.scan_iter(match=f"rq:*{job_id}*"):
            redis_client.delete(key)


def test_job_goes_through_redis_and_the_worker_command(queue_app):
    from roadmap.jobs import FINISHED, QUEUED, enqueue, job_status
    from roadmap.models import Task

    app, queue_name, job_ids = queue_app
    with app.app_context():
        roadmap_id, coordinator_id, login = _seed_roadmap()
        job_id = enqueue(
            "roadmap.jobs.tasks.generate_roadmap_tasks", roadmap_id, coordinator_id, user_id=coordinator_id
        )
        missing_id = enqueue("roadmap.jobs.tasks.generate_roadmap_tasks", 10**9, user_id=coordinator_id)
        job_ids += [job_id, missing_id]
        status = job_status(job_id)
        assert status.backend == "rq" and status.status == QUEUED
        assert db.session.scalar(select(func.count(Task.id)).where(Task.roadmap_id == roadmap_id)) == 0
        db.session.remove()
        db.engine.dispose()

    # The real worker command with the forking worker: each job runs in a work horse process.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = app.test_cli_runner().invoke(args=["worker", "--burst", "--queue", queue_name])
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert result.exit_code == 0, result.output

    with app.app_context():
        status = job_status(job_id)
        assert status.status == FINISHED, status
        assert status.progress == 100
        assert status.message == "Задачи сформированы: добавлено 10."  # (1 + 4) × 2 schools; zeros left out
        assert db.session.scalar(select(func.count(Task.id)).where(Task.roadmap_id == roadmap_id)) == 10

        failed = job_status(missing_id)
        assert failed.status == "failed"
        assert failed.error == "Дорожная карта не найдена: возможно, её удалили."

        client = app.test_client()
        client.post("/login", data={"login": login, "password": "secret123"})
        data = client.get(f"/jobs/{job_id}").get_json()
        assert data["backend"] == "rq" and data["status"] == "finished" and data["is_done"]
        db.session.remove()
        db.engine.dispose()


def test_worker_command_without_redis_is_a_clear_error(app, runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 2
    assert result.output.startswith("Ошибка: REDIS_URL не задан")


# ---------------------------------------------------------------- the limiter


def test_limiter_counters_live_in_redis(stack_db, tmp_path, redis_client):
    redis_db = 13
    app = create_app(
        make_config(
            tmp_path,
            stack_db,
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{redis_db}",
            RATELIMIT_LOGIN="3 per minute",
        )
    )
    # A made-up client address makes this run's counters easy to find (and to remove).
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    store = Redis(host="127.0.0.1", port=6379, db=redis_db)
    try:
        with app.app_context():
            codes = [client.post("/login", data={"login": "nobody", "password": "x"}).status_code for _ in range(4)]
            db.session.remove()
            db.engine.dispose()
        assert codes == [200, 200, 200, 429]
        keys = [key.decode() for key in store.scan_iter(match=f"*{address}*")]
        assert keys, "no limiter counter in Redis"
        assert any("LIMITER" in key for key in keys)
        assert sum(int(store.get(key) or 0) for key in keys if store.type(key) == b"string") >= 3
    finally:
        for key in store.scan_iter(match=f"*{address}*"):
            store.delete(key)
        store.close()
        # The limiter is one object shared by every app in this process: back to memory storage.
        create_app(make_config(tmp_path, stack_db))


# ---------------------------------------------------------------- gunicorn


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


def test_gunicorn_serves_the_app(stack_db, tmp_path):
    port = free_port()
    env = subprocess_env(
        stack_db,
        tmp_path,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        # A SIGTERM that lands while the master is still forking its second worker reaches the
        # workers up so far; the master then waits this long for the late one before killing it
        # (gunicorn's own default of 30 s equals the wait below, and failed a run once).
        GUNICORN_GRACEFUL_TIMEOUT="5",
        ROADMAP_ENV="production",
    )
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # A wait for the server, not a timing: a loaded machine starts gunicorn slowly.
        deadline = time.monotonic() + 120
        status, body = None, b""
        while time.monotonic() < deadline:
            if server.poll() is not None:
                break
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except (urllib.error.URLError, OSError):  # refused, reset or timed out while starting
                time.sleep(0.2)
        assert status == 200, f"gunicorn did not answer; exit {server.poll()}"
        assert json.loads(body) == {"status": "ok"}
        status, body = _get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and json.loads(body)["checks"] == {"database": "ok", "schema": "ok"}
        status, _ = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            stdout, stderr = server.communicate()
    assert server.returncode == 0, stderr[-3000:]
    # The access log (stdout) is JSON lines.
    access = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert any(entry["path"] == "/healthz" and entry["status"] == "200" for entry in access), stdout[-3000:]


# ---------------------------------------------------------------- readiness


def test_readyz(app, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "schema": "ok"}}


def test_readyz_reports_redis_down(stack_db, tmp_path):
    app = create_app(make_config(tmp_path, stack_db, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    with app.app_context():
        response = app.test_client().get("/readyz")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 503
    data = response.get_json()
    assert data["status"] == "unavailable"
    assert data["checks"]["database"] == "ok"
    assert data["checks"]["redis"].startswith("error: ")


def test_readyz_with_redis_up(stack_db, tmp_path, redis_client):
    app = create_app(make_config(tmp_path, stack_db, REDIS_URL=REDIS_URL))
    with app.app_context():
        response = app.test_client().get("/readyz")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "schema": "ok", "redis": "ok"}
