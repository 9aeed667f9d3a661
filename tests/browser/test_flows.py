"""The main flows in a real browser, as users meet them. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import select

pytestmark = [
    pytest.mark.browser,
    # The server runs in this process, so pytest's "warnings are errors" reaches its thread too.
    pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Object of type <Measure> not in session:sqlalchemy.exc.SAWarning"),
]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@contextmanager
def database(live_server):
    from roadmap.extensions import db

    with live_server.app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def roadmap_docx() -> bytes:
    """A Word roadmap with one deadline nobody can parse and one responsible body nobody knows."""
    from docx import Document

    year = date.today().year
    document = Document()
    document.add_paragraph(f"План мероприятий по профориентации (браузерный тест) на {year} год")
    rows = [
        ["№ п/п", "Мероприятие", "Сроки исполнения", "Ответственный"],
        ["1. Методическая работа", "", "", ""],
        ["1.1", "Семинар для ответственных за профориентацию", "сентябрь, ежегодно", "МКУ КНМЦ"],
        ["1.2", "Совещание с партнёрами по профориентации", "когда получится", "ООО Ромашка"],
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(1, 3))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_coordinator_imports_fixes_and_publishes(open_session, live_server):
    session = open_session()
    page = session.login("coordinator")
    session.shot("a1-coordinator-home")

    page.goto("/roadmaps/import")
    page.locator("input[type=file][name=file]").set_input_files(
        {
            "name": "дорожная-карта.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": roadmap_docx(),
        }
    )
    session.shot("a2-import-form")
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(re.compile(r"/roadmaps/\d+/review"))
    roadmap_id = int(re.search(r"/roadmaps/(\d+)/review", page.url).group(1))
    body = page.locator("main")
    meeting = page.locator("article", has_text="Совещание с партнёрами")
    assert "когда получится" in meeting.inner_text()
    assert "ООО Ромашка" in meeting.inner_text()
    assert meeting.locator("li.text-danger").count() >= 2  # both problems flagged, nothing guessed
    session.shot("a3-review-with-flags")

    page.get_by_role("link", name="Только проблемы").click()
    page.wait_for_url(re.compile(r"problems=1"))
    assert page.locator("article", has_text="Совещание с партнёрами").count() == 1
    assert page.locator("article", has_text="Семинар для ответственных").count() == 0
    session.shot("a4-only-problems")

    meeting = page.locator("article", has_text="Совещание с партнёрами")
    meeting.locator("input[name=deadline]").fill("октябрь, ежегодно")
    meeting.locator("input[name=deadline]").locator("xpath=..").get_by_role("button", name="Применить").click()
    page.wait_for_load_state()
    assert "Срок мероприятия 1.2 изменён" in body.inner_text()
    session.shot("a5-deadline-fixed")

    meeting = page.locator("article", has_text="Совещание с партнёрами")
    meeting.locator("input[name=target]").fill("МКУ КНМЦ")  # typed, or picked from the shared list
    meeting.get_by_role("button", name="Сопоставить").click()
    page.wait_for_load_state()
    assert "«ООО Ромашка» сопоставлен" in body.inner_text()
    assert "Проблем нет" in body.inner_text() or page.locator("article.border-danger").count() == 0
    session.shot("a6-party-mapped")

    if page.locator("#mostly-past").count():  # late in the year September and October are over
        page.get_by_label(re.compile("Опубликовать как есть")).check()
        page.locator("#mostly-past").get_by_role("button", name="Опубликовать").click()
    else:
        page.get_by_role("button", name="Опубликовать").click()
    page.wait_for_url(re.compile(rf"/roadmaps/{roadmap_id}(\?|$)"))
    assert "Дорожная карта опубликована" in body.inner_text()
    session.shot("a7-published-dashboard")

    from roadmap.models import Roadmap, RoadmapStatus, Task

    with database(live_server) as db_session:
        roadmap = db_session.get(Roadmap, roadmap_id)
        assert roadmap.status == RoadmapStatus.PUBLISHED
        tasks = db_session.scalars(select(Task).where(Task.roadmap_id == roadmap_id)).all()
        assert tasks and {t.organization.short_name for t in tasks} == {"МКУ КНМЦ"}


def _dashboard_numbers(page) -> dict[str, int]:
    numbers = {}
    for card in page.locator(".card-body.py-2").all():
        label = card.locator(".small").inner_text().strip()
        value = card.locator(".fs-4").inner_text().strip()
        if value.isdigit():
            numbers[label] = int(value)
    return numbers


def test_executor_reports_and_coordinator_accepts(open_session, live_server, tmp_path):
    from roadmap.models import Task, TaskStatus

    school = open_session()
    page = school.login("school1")
    assert page.get_by_role("heading", level=1).count() >= 1
    links = page.locator("main a[href^='/tasks/']")
    assert links.count() > 0, "school1 sees no tasks"
    school.shot("b1-my-tasks")

    ids = [int(href.rsplit("/", 1)[-1]) for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    with database(live_server) as db_session:
        open_ids = db_session.scalars(
            select(Task.id).where(Task.id.in_(ids), Task.status.in_([TaskStatus.PLANNED, TaskStatus.RETURNED]))
        ).all()
        assert open_ids, "no open task on school1's page"
        task = db_session.get(Task, open_ids[0])
        task_id, roadmap_id, plan_year = task.id, task.roadmap_id, task.plan_year
    page.locator(f"main a[href='/tasks/{task_id}']").first.click()
    page.wait_for_url(f"**/tasks/{task_id}")
    school.shot("b2-task")

    evidence = tmp_path / "справка.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Охват, всего человек").fill("25")
    page.get_by_label("Что сделано").fill("Проведён классный час для 9-х классов.")
    page.locator("input[type=file][name=files]").set_input_files(str(evidence))
    page.get_by_role("button", name="Отправить отчёт").click()
    page.wait_for_load_state()
    assert "Отчёт отправлен координатору" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="справка.pdf").count() == 1
    school.shot("b3-report-sent")

    coordinator = open_session()
    page = coordinator.login("coordinator")
    page.goto(f"/roadmaps/{roadmap_id}?year={plan_year}")
    before = _dashboard_numbers(page)
    coordinator.shot("c1-dashboard-before")

    page.goto("/review")
    row = page.locator(f"#t{task_id}")
    assert row.count() == 1, "the report is not in the review queue"
    coordinator.shot("c2-review-queue")
    row.check()
    page.get_by_role("button", name="Принять отмеченные").click()
    page.wait_for_load_state()
    assert "Принято 1." in page.locator("main").inner_text()
    coordinator.shot("c3-accepted")

    page.goto(f"/roadmaps/{roadmap_id}?year={plan_year}")
    after = _dashboard_numbers(page)
    coordinator.shot("c4-dashboard-after")
    assert after["Выполнено (отчёт принят)"] == before["Выполнено (отчёт принят)"] + 1
    assert after["На проверке"] == before["На проверке"] - 1

    with database(live_server) as db_session:
        assert db_session.get(Task, task_id).status == TaskStatus.ACCEPTED


def test_calendar_subscription_page(open_session, live_server):
    if "feeds.subscriptions" not in live_server.app.view_functions:
        pytest.skip("the calendar subscription page (roadmap/web/feeds.py) is not there yet")
    session = open_session()
    page = session.login("school2")
    page.get_by_role("link", name="Календарь").first.click()
    page.wait_for_url("**/feeds/")
    session.shot("d1-subscriptions")
    page.get_by_label("Название").fill("Телефон")
    page.get_by_role("button", name="Создать подписку").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "Подписка создана" in text
    feed_url = re.search(r"https?://[^\s\"']+\.ics", page.content()).group(0)
    assert "webcal://" in page.content()
    session.shot("d2-subscription-created")
    path = feed_url.split("://", 1)[1].split("/", 1)[1]
    response = session.context.request.get(f"/{path}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in response.text()


def test_keyboard_reaches_skip_link_and_navigation(open_session):
    session = open_session()
    page = session.login("school1")
    page.goto("/tasks")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
    )
    assert focused == ["Перейти к содержанию", "#content"]
    box = page.evaluate("() => document.activeElement.getBoundingClientRect().width")
    assert box > 10, "the skip link must become visible when focused"
    session.shot("e1-skip-link-focused")
    seen = []
    for _ in range(6):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.textContent.trim()"))
    assert "Мои задачи" in seen, seen
    page.goto("/tasks")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"


def test_phone_viewport_shows_the_menu_toggler(open_session):
    session = open_session(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = session.login("school1")
    page.goto("/tasks")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    nav_link = page.locator("#mainnav").get_by_role("link", name="Мои задачи")
    assert not nav_link.is_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page scrolls sideways on a phone: {width}px"
    session.shot("f1-phone-collapsed")
    toggler.click()
    nav_link.wait_for(state="visible")
    session.shot("f2-phone-menu-open")


def test_school_proposes_its_dates_on_a_phone_and_coordinator_confirms(open_session, live_server):
    """A school with no dates yet for "по плану ОО" proposes them by keyboard on a phone."""
    from roadmap.models import DateProposal, ProposalStatus, Task

    year = date.today().year
    school = open_session(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = school.login("school20")
    page.goto("/tasks")
    page.get_by_role("link", name="Указать даты").click()
    page.wait_for_url("**/proposals/")
    school.shot("g1-own-schedule")
    page.locator("main .list-group a", has_text="нужны даты").first.click()
    page.wait_for_url("**/proposals/measure/*")
    page.get_by_label("Когда вы проведёте мероприятие").focus()
    page.keyboard.type(f"14.12.{year}")
    page.keyboard.press("Tab")
    page.keyboard.type("собрание после полугодия")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/proposals/")
    assert "Даты отправлены координатору" in page.locator("main").inner_text()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page scrolls sideways on a phone: {width}px"
    school.shot("g2-proposal-sent")

    with database(live_server) as db_session:
        proposal = db_session.scalars(
            select(DateProposal).where(DateProposal.comment == "собрание после полугодия")
        ).one()
        proposal_id, measure_id, organization_id = proposal.id, proposal.measure_id, proposal.organization_id

    coordinator = open_session()
    page = coordinator.login("coordinator")
    page.get_by_role("link", name="Предложенные даты").first.click()
    page.wait_for_url("**/proposals/")
    coordinator.shot("g3-proposals-queue")
    page.locator(f"main a[href='/proposals/{proposal_id}']").click()
    page.get_by_role("button", name="Подтвердить даты").click()
    page.wait_for_load_state()
    assert "Даты подтверждены" in page.locator("main").inner_text()
    coordinator.shot("g4-confirmed")

    with database(live_server) as db_session:
        assert db_session.get(DateProposal, proposal_id).status == ProposalStatus.CONFIRMED
        dues = db_session.scalars(
            select(Task.due_on).where(Task.measure_id == measure_id, Task.organization_id == organization_id)
        ).all()
        assert dues == [date(year, 12, 14)]
