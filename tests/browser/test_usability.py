"""Usability in a real browser: nothing scrolls sideways on a phone, and a refused report keeps what was typed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Object of type <Measure> not in session:sqlalchemy.exc.SAWarning"),
]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}

# Each role's pages, the lists with many columns among them.
PAGES = {
    "school1": ["/tasks", "/notices", "/proposals/", "/reports/my", "/account/password", "/account/reminders"],
    "coordinator": ["/review", "/proposals/", "/roadmaps/"],
    "admin": ["/admin/organizations", "/admin/users", "/admin/audit", "/admin/organizations/import"],
}


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("login", list(PAGES))
def test_nothing_scrolls_sideways_on_a_phone(open_session, login):
    session = open_session(**PHONE)
    page = session.login(login)
    wide = []
    for path in PAGES[login]:
        page.goto(path)
        width = _width(page)
        if width > 376:
            wide.append(f"{path}: {width}px")
            session.shot("u-phone-wide" + path.replace("/", "-").rstrip("-"))
    assert not wide, f"pages scroll sideways on a phone: {wide}"


def _planned_task_id(live_server, login: str) -> int:
    from roadmap.extensions import db
    from roadmap.models import Task, TaskStatus, User

    with live_server.app.app_context():
        try:
            organization_id = db.session.scalar(select(User.organization_id).where(User.login == login))
            return db.session.scalar(
                select(Task.id)
                .where(Task.organization_id == organization_id, Task.status == TaskStatus.PLANNED)
                .order_by(Task.id)
                .limit(1)
            )
        finally:
            db.session.remove()


def test_a_refused_report_keeps_what_was_typed_and_says_why_next_to_the_field(open_session, live_server):
    task_id = _planned_task_id(live_server, "school4")
    session = open_session(**PHONE)
    page = session.login("school4")
    page.goto(f"/tasks/{task_id}")
    page.get_by_label("Охват, всего человек").fill("10")
    page.get_by_text("Охват по категориям").click()
    page.get_by_label("из них обучающихся").fill("12")
    page.get_by_label("Что сделано").fill("Классный час в 8 «Б»")
    page.get_by_role("button", name="Отправить отчёт").click()
    page.wait_for_load_state()
    session.shot("u-report-refused-phone")
    assert "Отчёт не отправлен" in page.locator("main").inner_text()
    total = page.get_by_label("Охват, всего человек")
    assert total.input_value() == "10"
    assert "is-invalid" in (total.get_attribute("class") or "")
    assert page.get_by_label("из них обучающихся").is_visible()  # the categories stay open
    assert page.get_by_label("из них обучающихся").input_value() == "12"
    assert page.get_by_label("Что сделано").input_value() == "Классный час в 8 «Б»"
    assert "больше общего охвата" in page.locator(".invalid-feedback").first.inner_text()
    assert _width(page) <= 376

    # corrected, it goes through
    page.get_by_label("Охват, всего человек").fill("30")
    page.get_by_role("button", name="Отправить отчёт").click()
    page.wait_for_load_state()
    assert "Отчёт отправлен координатору" in page.locator("main").inner_text()


def test_the_menu_shows_how_many_notices_are_unread(open_session):
    session = open_session()
    page = session.login("school5")
    link = page.get_by_role("navigation", name="Главное меню").get_by_role("link", name="Уведомления")
    badge = link.locator(".badge")
    assert badge.count() == 1 and badge.inner_text().split()[0].isdigit()
    session.shot("u-menu-unread")
    page.goto("/notices")
    page.get_by_role("button", name="Отметить все прочитанными").click()
    page.wait_for_load_state()
    link = page.get_by_role("navigation", name="Главное меню").get_by_role("link", name="Уведомления")
    assert link.locator(".badge").count() == 0


def test_the_first_field_to_fix_is_focused_and_in_view(open_session, live_server):
    task_id = _planned_task_id(live_server, "school6")
    session = open_session(**PHONE)
    page = session.login("school6")
    page.goto(f"/tasks/{task_id}")
    page.get_by_label("Что сделано").fill("Родительское собрание")
    page.get_by_label("Охват, всего человек").fill("-4")
    page.get_by_role("button", name="Отправить отчёт").click()
    page.wait_for_load_state()
    session.shot("u-report-refused-focused")
    assert page.evaluate("document.activeElement.id") == "coverage_total"
    assert page.get_by_label("Охват, всего человек").is_visible()
    box = page.get_by_label("Охват, всего человек").bounding_box()
    assert 0 <= box["y"] <= 667, "the field to fix is off screen"


def test_a_double_click_sends_the_report_once(open_session, live_server):
    from roadmap.extensions import db
    from roadmap.models import Report

    task_id = _planned_task_id(live_server, "school7")
    session = open_session()
    page = session.login("school7")
    page.goto(f"/tasks/{task_id}")
    page.get_by_label("Что сделано").fill("Экскурсия на завод")
    page.get_by_role("button", name="Отправить отчёт").dblclick()
    page.get_by_text("Отчёт отправлен координатору").wait_for()
    page.wait_for_timeout(500)  # a second request, had it gone out, would have been answered by now
    text = page.locator("main").inner_text()
    assert "Отчёт отправлен координатору" in text
    assert "изменил другой пользователь" not in text
    with live_server.app.app_context():
        try:
            assert len(db.session.scalars(select(Report).where(Report.task_id == task_id)).all()) == 1
        finally:
            db.session.remove()


def test_a_second_submit_of_the_same_form_within_seconds_is_held_back(open_session, live_server):
    task_id = _planned_task_id(live_server, "school8")
    session = open_session()
    page = session.login("school8")
    page.goto(f"/tasks/{task_id}")
    prevented = page.evaluate(
        """() => {
            const form = document.querySelector('form[action$="/submit"]');
            const seen = [];
            // runs after the page's own listener on document; stops the real navigation
            window.addEventListener("submit", (event) => { seen.push(event.defaultPrevented); event.preventDefault(); });
            form.requestSubmit();
            form.requestSubmit();
            return seen;
        }"""
    )
    assert prevented == [False, True]
