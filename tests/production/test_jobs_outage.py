"""Jobs when things break: Redis down (the work is done inline, a status read is a clear 503),
and a worker killed mid-job (real Redis, a real `flask worker` process): the job is shown as
«Прервано — запустите снова» instead of «5 %» forever."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

import pytest

from roadmap import create_app
from roadmap.extensions import db
from roadmap.jobs import ABANDONED, FAILED, FINISHED, STARTED, clean_abandoned, enqueue, job_status
from tests.conftest import make_config
from tests.production.conftest import PROJECT_ROOT, REDIS_URL, VENV_BIN, free_port, subprocess_env


@pytest.fixture
def make_user_in():
    """Commit an admin to the app's database (other processes see it); returns its login."""

    def create(app, with_id: bool = False):
        from roadmap.accounts.service import create_user
        from roadmap.models import Role

        login = f"ops{uuid.uuid4().hex[:8]}"
        with app.app_context():
            user = create_user(login=login, full_name=login, password="secret123", role=Role.ADMIN)
            db.session.commit()
            user_id = user.id
            db.session.remove()
            db.engine.dispose()
        return (login, user_id) if with_id else login

    return create


def test_with_redis_down_a_job_runs_inline(stack_db, tmp_path):
    app = create_app(make_config(tmp_path, stack_db, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    with app.app_context():
        job_id = enqueue("roadmap.jobs.tasks.pause", 0)
        status = job_status(job_id)
        assert status.backend == "inline" and status.status == FINISHED
        assert status.message == "Обработчик заданий работает."
        db.session.remove()
        db.engine.dispose()


def test_with_redis_down_a_queued_job_status_is_a_clear_503(stack_db, tmp_path, make_user_in):
    app = create_app(make_config(tmp_path, stack_db, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    login = make_user_in(app)
    with app.app_context():
        client = app.test_client()
        assert client.post("/login", data={"login": login, "password": "secret123"}).status_code == 302
        response = client.get("/jobs/0123456789abcdef")
        page = client.get("/jobs/0123456789abcdef/progress")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 503 and "Очередь заданий недоступна" in response.get_json()["error"]
    assert page.status_code == 503 and "Очередь заданий недоступна" in page.get_data(as_text=True)


def test_a_job_whose_worker_was_killed_is_shown_as_interrupted(stack_db, tmp_path, redis_client, make_user_in):
    queue = f"roadmap-test-{uuid.uuid4().hex[:12]}"
    app = create_app(make_config(tmp_path, stack_db, REDIS_URL=REDIS_URL, JOBS_QUEUE=queue, JOBS_TIMEOUT=30))
    login, user_id = make_user_in(app, with_id=True)
    worker = None
    try:
        with app.app_context():
            job_id = enqueue("roadmap.jobs.tasks.pause", 60, user_id=user_id, description="Проверка")
        env = subprocess_env(stack_db, tmp_path, REDIS_URL=REDIS_URL, JOBS_QUEUE=queue, JOBS_TIMEOUT="30")
        worker = subprocess.Popen(
            [str(VENV_BIN / "flask"), "--app", "wsgi", "worker", "--simple"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with app.app_context():
            deadline = time.monotonic() + 30
            while (status := job_status(job_id)).progress < 5 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert status.status == STARTED and status.progress == 5, status
            os.kill(worker.pid, signal.SIGKILL)  # the worker dies mid-job
            worker.wait(timeout=10)
            # Within RQ's grace (heartbeat + a minute) the job may still be running somewhere.
            assert job_status(job_id).status == STARTED
            # Past it, the job is abandoned: simulate the grace running out instead of waiting 90 s.
            clean_abandoned(time.time() + 3600)
            status = job_status(job_id)
            assert status.status == FAILED and status.error == ABANDONED
            assert ABANDONED.startswith("Прервано — запустите снова")
            client = app.test_client()
            client.post("/login", data={"login": login, "password": "secret123"})
            assert client.get(f"/jobs/{job_id}").get_json()["error"] == ABANDONED
            assert "Прервано — запустите снова" in client.get(f"/jobs/{job_id}/progress").get_data(as_text=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        for key in redis_client.scan_iter(match=f"*{queue}*"):
            redis_client.delete(key)
