"""Rework and review in a real browser, clicks counted: a school fixes a returned report without
attaching anything again; a coordinator decides 20 reports in a row without going back to the queue."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import select

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Object of type <Measure> not in session:sqlalchemy.exc.SAWarning"),
]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}


@contextmanager
def app_context(live_server):
    from roadmap.extensions import db

    with live_server.app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


class Clicks:
    """Counts what a person does with the mouse or a key that acts (typing into a field is not a click)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, locator) -> None:
        self.count += 1
        locator.click()


def _open_task_of(session, login: str):
    from roadmap.models import Roadmap, RoadmapStatus, Task, TaskStatus, User

    organization_id = session.scalar(select(User.organization_id).where(User.login == login))
    return session.scalars(
        select(Task)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .where(Task.organization_id == organization_id, Task.status == TaskStatus.PLANNED, Task.is_cancelled.is_(False))
        .where(Roadmap.status == RoadmapStatus.PUBLISHED)  # the demo's earlier years are archived
        .order_by(Task.due_on, Task.id)
        .limit(1)
    ).one()


def test_a_school_fixes_a_returned_report_in_four_clicks_keeping_its_files(open_session, live_server):
    from roadmap.models import Report, Task, TaskStatus, User
    from roadmap.tasks.files import check_files
    from roadmap.tasks.workflow import ReportInput, UploadedFile, return_report, submit_report

    with app_context(live_server) as session:
        task = _open_task_of(session, "school6")
        executor = session.scalars(select(User).where(User.login == "school6")).one()
        coordinator = session.scalars(select(User).where(User.login == "coordinator")).one()
        submit_report(
            task,
            executor,
            ReportInput(
                comment="Классный час проведён",
                coverage_total=20,
                links="https://school6.example/news/1",
                files=[UploadedFile("справка.pdf", PDF), UploadedFile("фото.png", PNG)],
            ),
        )
        return_report(task, coordinator, "coverage", "укажите охват по категориям")
        session.commit()
        task_id = task.id

    school = open_session(**PHONE)
    page = school.login("school6")
    click = Clicks()
    page.goto("/")  # an executor's start page is «Мои задачи», with the returned reports first
    page.wait_for_url("**/tasks")
    school.shot("r1-returned-in-my-tasks")
    click(page.locator(f"main a[href='/tasks/{task_id}']").first)
    page.wait_for_url(f"**/tasks/{task_id}")
    kept = page.locator("#kept-evidence")
    assert kept.get_by_role("link", name="справка.pdf").count() == 1
    assert kept.get_by_role("link", name="фото.png").count() == 1
    assert page.get_by_label("Охват, всего человек").input_value() == "20"
    school.shot("r2-returned-report-form")
    page.get_by_label("Охват, всего человек").fill("25")
    click(page.get_by_text("Охват по категориям", exact=True))
    page.get_by_label("из них обучающихся").fill("25")
    click(page.get_by_role("button", name="Отправить отчёт"))
    page.wait_for_load_state()
    assert "Отчёт отправлен координатору" in page.locator("main").inner_text()
    assert click.count <= 4, f"{click.count} clicks to fix a returned report"
    school.shot("r3-resubmitted")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376

    with app_context(live_server) as session:
        task = session.get(Task, task_id)
        assert task.status == TaskStatus.SUBMITTED
        report = session.get(Report, task.current_report_id)
        assert sorted(a.original_name for a in report.attachments) == ["справка.pdf", "фото.png"]
        assert report.link_list == ["https://school6.example/news/1"]
        assert report.coverage_students == 25
        assert check_files().clean

    coordinator = open_session()
    page = coordinator.login("coordinator")
    page.goto(f"/tasks/{task_id}")
    changes = page.locator("#changes").inner_text()
    assert "Охват, всего" in changes and "20" in changes and "25" in changes
    assert "Файлы" not in changes  # the same files: nothing to say about them
    current = page.locator("main section.card").first
    assert current.get_by_role("link", name="справка.pdf").count() == 1
    with page.expect_download() as download:
        current.get_by_role("link", name="фото.png").click()
    assert download.value.path().read_bytes() == PNG
    coordinator.shot("r4-reviewer-sees-changes")
    print(f"\nclicks to fix a returned report: {click.count}")


def _queue_of_twenty(session) -> int:
    """A roadmap with at least 21 reports waiting (demo reports, topped up from planned tasks)."""
    from sqlalchemy import func

    from roadmap.models import Role, Task, TaskStatus, User
    from roadmap.tasks.workflow import ReportInput, submit_report

    roadmap_id, waiting = session.execute(
        select(Task.roadmap_id, func.count(Task.id))
        .where(Task.status == TaskStatus.SUBMITTED)
        .group_by(Task.roadmap_id)
        .order_by(func.count(Task.id).desc())
        .limit(1)
    ).first() or (session.scalar(select(Task.roadmap_id).limit(1)), 0)
    executors = {
        user.organization_id: user
        for user in session.scalars(select(User).where(User.role == Role.EXECUTOR).order_by(User.id))
    }
    planned = session.scalars(
        select(Task)
        .where(
            Task.roadmap_id == roadmap_id,
            Task.status == TaskStatus.PLANNED,
            Task.is_cancelled.is_(False),
            Task.organization_id.in_(list(executors)),
        )
        .order_by(Task.id)
    ).all()
    for task in planned[: max(0, 21 - waiting)]:
        submit_report(task, executors[task.organization_id], ReportInput(comment="Проведено", coverage_total=12))
    session.commit()
    return roadmap_id


def test_a_coordinator_reviews_twenty_reports_without_going_back_to_the_queue(open_session, live_server):
    from roadmap.models import Task, TaskStatus

    with app_context(live_server) as session:
        roadmap_id = _queue_of_twenty(session)

    coordinator = open_session()
    page = coordinator.login("coordinator")
    page.goto(f"/review?roadmap={roadmap_id}")
    coordinator.shot("q1-queue-filtered")
    first = page.locator("#queue > li").first
    assert first.locator(".report-content").count() == 1  # the report's content shown inline
    click = Clicks()
    click(page.get_by_role("link", name="Проверять по одному, начиная с первого"))
    decided: list[int] = []
    for number in range(20):
        page.wait_for_url(re.compile(r"/tasks/\d+\?"))
        task_id = int(re.search(r"/tasks/(\d+)", page.url).group(1))
        assert task_id not in decided
        crumb = page.locator("nav .breadcrumb a", has_text="На проверке")
        assert f"roadmap={roadmap_id}" in crumb.get_attribute("href")  # back to the queue, filter kept
        if number % 4 != 3 and number % 2:  # by keyboard: the jump link to the decision, then Tab to «Принять»
            page.get_by_role("link", name="К решению").focus()
            page.keyboard.press("Enter")
            for _ in range(3):  # reason, comment, «Принять»
                page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.value") == "Принять"
        with page.expect_navigation(url=lambda url, current=task_id: f"/tasks/{current}?" not in url):
            if number % 4 == 3:
                page.get_by_label("Причина возврата").select_option(index=1)
                page.get_by_label("Комментарий").fill("Добавьте фото с мероприятия")
                click(page.get_by_role("button", name="Вернуть на доработку"))
            elif number % 2:
                page.keyboard.press("Enter")
                click.count += 1
            else:
                click(page.get_by_role("button", name="Принять"))
        decided.append(task_id)
        assert "/review" not in page.url or number == 19, f"back in the queue after {number + 1} reports"
        if number == 9:
            coordinator.shot("q2-tenth-report")
    assert click.count == 21  # one to start, one decision per report
    with app_context(live_server) as session:
        statuses = [session.get(Task, task_id).status for task_id in decided]
    assert statuses.count(TaskStatus.ACCEPTED) == 15 and statuses.count(TaskStatus.RETURNED) == 5
    print(f"\nclicks to review 20 reports: {click.count}, visits to the queue after the start: 0")


def test_the_bulk_actions_stay_in_reach_on_a_phone(open_session, live_server):
    with app_context(live_server) as session:
        _queue_of_twenty(session)
    coordinator = open_session(**PHONE)
    page = coordinator.login("coordinator")
    page.goto("/review")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    button = page.get_by_role("button", name="Принять отмеченные")
    box = button.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 667, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    coordinator.shot("q3-phone-bulk-bar")
    last = page.locator("#queue input[name=task]").last
    last.check()
    button.click()
    page.wait_for_load_state()
    assert "Принято 1." in page.locator("main").inner_text()


def test_an_oversize_file_is_refused_at_the_field_before_sending(open_session, live_server, tmp_path):
    with app_context(live_server) as session:
        task_id = _open_task_of(session, "school7").id
    school = open_session()
    page = school.login("school7")
    page.goto(f"/tasks/{task_id}")
    page.get_by_label("Что сделано").fill("Классный час провели")
    big = tmp_path / "большой.pdf"
    big.write_bytes(PDF + b"0" * (live_server.app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 1))
    page.locator("input[type=file][name=files]").set_input_files(str(big))
    message = page.locator("#files-chosen-error")
    assert "Файл «большой.pdf» больше" in message.inner_text()
    page.get_by_role("button", name="Отправить отчёт").click()
    assert page.url.endswith(f"/tasks/{task_id}")  # nothing sent
    assert page.get_by_label("Что сделано").input_value() == "Классный час провели"
    school.shot("r5-oversize-file-at-the-field")
