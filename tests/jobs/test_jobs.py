"""Background jobs run inline (no Redis): status, progress page, access, the generic export hook."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from roadmap.extensions import db
from roadmap.jobs import FAILED, FINISHED, enqueue, job_status, resolve
from roadmap.models import RoadmapStatus, Role, Task


@pytest.fixture
def draft(make_org, make_user, make_roadmap):
    school = make_org(full_name="МБОУ СОШ № 7", short_name="СОШ № 7")
    other = make_org(full_name="МБОУ СОШ № 8", short_name="СОШ № 8")
    coordinator = make_user(role=Role.COORDINATOR)
    roadmap = make_roadmap(
        [
            ("1.1", "Родительское собрание", "сентябрь", [school, other]),
            ("1.2", "Отчёт", "1 раз в полугодие", [school]),
        ],
        publish=False,
    )
    return roadmap, coordinator


def task_count(roadmap_id: int) -> int:
    return db.session.scalar(select(func.count(Task.id)).where(Task.roadmap_id == roadmap_id))


def test_inline_job_generates_tasks(app, draft):
    roadmap, coordinator = draft
    assert not app.config.get("REDIS_URL")
    job_id = enqueue(
        "roadmap.jobs.tasks.generate_roadmap_tasks",
        roadmap.id,
        coordinator.id,
        user_id=coordinator.id,
        description="Формирование задач",
    )
    status = job_status(job_id)
    assert status.status == FINISHED and status.progress == 100 and status.backend == "inline"
    assert status.message == "Задачи сформированы: добавлено 4."  # the zeros left out
    assert status.result["link"] == ["plans.show", {"roadmap_id": roadmap.id}]
    assert task_count(roadmap.id) == 4
    db.session.refresh(roadmap)
    assert roadmap.status == RoadmapStatus.PUBLISHED


def test_status_endpoint_and_progress_page(app, client, auth, draft, make_user):
    roadmap, coordinator = draft
    job_id = enqueue("roadmap.jobs.tasks.generate_roadmap_tasks", roadmap.id, user_id=coordinator.id)
    auth.login(coordinator.login)
    data = client.get(f"/jobs/{job_id}").get_json()
    assert data["status"] == "finished" and data["is_done"] and data["progress"] == 100
    assert data["result"]["message"].startswith("Задачи сформированы")
    # The result's link is built by url_for and leads to the roadmap's page (not a 404).
    assert data["result"]["url"] == f"/roadmaps/{roadmap.id}"
    assert client.get(data["result"]["url"]).status_code == 200

    page = client.get(f"/jobs/{job_id}/progress")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-status-url="/jobs/{job_id}"' in html
    assert "/static/js/jobs.js" in html
    assert "<script>" not in html  # the CSP forbids inline scripts
    with client.get("/static/js/jobs.js") as script:
        assert script.status_code == 200

    # Someone else's job is as good as unknown.
    auth.logout()
    stranger = make_user(role=Role.COORDINATOR)
    auth.login(stranger.login)
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.get("/jobs/no-such-job").status_code == 404


def test_failed_job_shows_a_russian_message(app):
    job_id = enqueue("roadmap.jobs.tasks.generate_roadmap_tasks", 10**9)
    status = job_status(job_id)
    assert status.status == FAILED
    assert status.error == "Дорожная карта не найдена: возможно, её удалили."


def test_only_application_functions_run_as_jobs(app):
    for path in ("os.system", "subprocess.run", "roadmap", "roadmap.jobs.no_such_function"):
        with pytest.raises(ValueError):
            enqueue(path, "true")
    assert resolve("roadmap.jobs.tasks.send_reminders").__name__ == "send_reminders"


def test_start_generation_from_the_web(app, client, auth, draft, make_user):
    roadmap, coordinator = draft
    executor = make_user()
    auth.login(executor.login)
    assert client.post(f"/jobs/roadmaps/{roadmap.id}/generate").status_code == 403
    auth.logout()
    auth.login(coordinator.login)
    response = client.post(f"/jobs/roadmaps/{roadmap.id}/generate")
    assert response.status_code == 302
    assert "/progress" in response.headers["Location"]
    assert task_count(roadmap.id) == 4


def test_export_hook_stores_bytes_for_download(app, client, auth, make_user, monkeypatch):
    import roadmap.jobs.tasks as job_tasks

    calls = []

    def big_export(year, *, title):
        calls.append((year, title))
        return f"{title} {year}".encode()

    monkeypatch.setattr(job_tasks, "fake_export", big_export, raising=False)
    admin = make_user(role=Role.ADMIN)
    job_id = enqueue(
        "roadmap.jobs.tasks.run_export",
        "roadmap.jobs.tasks.fake_export",
        2023,
        title="Отчёт",
        filename="отчёт 2023.xlsx",
        user_id=admin.id,
    )
    status = job_status(job_id)
    assert status.status == FINISHED, status.error
    assert calls == [(2023, "Отчёт")]
    assert status.result["filename"] == "отчёт 2023.xlsx"
    auth.login(admin.login)
    data = client.get(f"/jobs/{job_id}").get_json()
    with client.get(data["download_url"]) as download:
        assert download.status_code == 200
        assert download.data == "Отчёт 2023".encode()
        assert "attachment" in download.headers["Content-Disposition"]


def test_export_hook_passes_text_through(app):
    job_id = enqueue("roadmap.jobs.tasks.run_export", "roadmap.reminders.text.shorten", "  Итоги   года ")
    assert job_status(job_id).message == "Итоги года"


def test_admin_starts_the_reminder_job(app, client, auth, make_user):
    admin = make_user(role=Role.ADMIN)
    executor = make_user()
    auth.login(executor.login)
    assert client.post("/jobs/reminders/send").status_code == 403
    auth.logout()
    auth.login(admin.login)
    response = client.post("/jobs/reminders/send")
    assert response.status_code == 302
    job_id = response.headers["Location"].rstrip("/").split("/")[-2]
    data = client.get(f"/jobs/{job_id}").get_json()
    assert data["status"] == "finished", data
    assert data["message"] == "Напоминаний отправлено: 0, уже отправлены ранее: 0, с ошибкой адреса: 0."
