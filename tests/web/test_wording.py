"""The pages speak the users' Russian: agreement, punctuation, shortening, examples from the
roadmap's own years, no refusal on the first visit, no zeros or internal codes."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from roadmap.accounts.sessions import make_token
from roadmap.extensions import db
from roadmap.models import MeasureParty, Notice, OrgKind, Role, Task
from roadmap.tasks.service import GenerationResult
from roadmap.tasks.workflow import ReportInput, return_report, submit_report

ROOT = Path(__file__).resolve().parents[2]
PLAN_2026 = (date(2026, 1, 1), date(2026, 12, 31))


def _login(client, user) -> None:
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = make_token(user)
        session["_fresh"] = True


def _flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def test_the_first_visit_opens_the_login_page_without_a_refusal(client):
    first = client.get("/")
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Вход в систему" in page and "Войдите" not in page


def test_a_deep_link_asks_to_log_in_kindly(client):
    response = client.get("/tasks", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Вход в систему" in page
    assert "Войдите — и откроется страница, на которую вела ссылка." in page
    assert "чтобы открыть эту страницу" not in page


@pytest.mark.parametrize(
    ("party", "message"),
    [
        ("Классные руководители", "«Классные руководители» сопоставлены и запомнены."),
        ("Администрация школы", "«Администрация школы» сопоставлена и запомнена."),
        ("Управление образования", "«Управление образования» сопоставлено и запомнено."),
        ("Методический центр", "«Методический центр» сопоставлен и запомнен."),
    ],
)
def test_mapping_a_party_agrees_with_its_name(client, make_org, make_user, make_roadmap, party, message):
    school = make_org(kind=OrgKind.SCHOOL, short_name="СОШ № 1")
    roadmap = make_roadmap(
        [("1.1", "Классные часы", "сентябрь", [school])], publish=False, period=PLAN_2026, title="План на 2026 г."
    )
    measure = roadmap.measures[0]
    unmatched = MeasureParty(position=1, text=party)
    measure.parties.append(unmatched)
    db.session.flush()
    _login(client, make_user(role=Role.COORDINATOR))
    response = client.post(
        f"/roadmaps/{roadmap.id}/parties/{unmatched.id}/map", data={"target": f"o{school.id}", "remember": "y"}
    )
    assert response.status_code == 302
    assert message in _flashes(client)


def test_the_review_screen_gives_date_examples_of_the_plan_year(client, make_org, make_user, make_roadmap):
    school = make_org(short_name="СОШ № 1")
    roadmap = make_roadmap(
        [("1.1", "Классные часы", "по плану ОО", [school])], publish=False, period=PLAN_2026, title="План на 2026 г."
    )
    _login(client, make_user(role=Role.COORDINATOR))
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert "«01.09.2026» или «01.09.2026 – 30.09.2026»" in page
    assert "2023" not in page
    # A line that is not a date: the message's example is from the plan's year too.
    measure = roadmap.measures[0]
    client.post(f"/roadmaps/{roadmap.id}/measures/{measure.id}/dates", data={"dates": "когда-нибудь"})
    (message,) = _flashes(client)
    assert "«01.09.2026»" in message and "2023" not in message


def test_a_returned_comment_ends_its_sentence_once(client, make_org, make_user, make_roadmap):
    school = make_org(short_name="СОШ № 1")
    roadmap = make_roadmap([("1.1", "Классные часы", "сентябрь", [school])])
    task = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).one()
    executor = make_user(organization=school)
    submit_report(task, executor, ReportInput(comment="проведено", coverage_total=10))
    return_report(task, make_user(role=Role.COORDINATOR), "other", "Укажите дату.")
    db.session.flush()
    _login(client, executor)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Укажите дату»." in page
    assert ".»." not in page


def test_a_notice_shortens_a_long_title_at_a_word(make_org, make_user, make_roadmap):
    school = make_org(short_name="СОШ № 1")
    title = "Проведение профориентационных мероприятий для обучающихся общеобразовательных организаций города"
    roadmap = make_roadmap([("1.1", title, "сентябрь", [school])])
    task = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).one()
    executor = make_user(organization=school)
    submit_report(task, executor, ReportInput(comment="проведено", coverage_total=10))
    return_report(task, make_user(role=Role.COORDINATOR), "other", "нет фото")
    notice = db.session.scalars(select(Notice).where(Notice.user_id == executor.id)).one()
    shown = notice.text.split("1.1 ", 1)[1].split(" — ", 1)[0]
    assert shown.endswith("…") and title.startswith(shown[:-1]) and title[len(shown) - 1] == " "


def test_the_generation_summary_leaves_out_zeros_and_jargon():
    assert GenerationResult(added=4).summary() == "добавлено 4"
    assert GenerationResult().summary() == "изменений нет"
    text = GenerationResult(added=1, removed=3, cancelled=2, unchanged=7).summary()
    assert text == (
        "добавлено 1, отменено 2 (сделанное по ним сохранено), удалено 3 (по ним ещё ничего не сделано), "
        "без изменений 7"
    )
    assert "без истории" not in text and " 0" not in text


def test_publishing_reports_changes_without_zeros(client, make_org, make_user, make_roadmap):
    school = make_org(short_name="СОШ № 1")
    roadmap = make_roadmap(
        [("1.1", "Классные часы", "сентябрь", [school])], publish=False, period=PLAN_2026, title="План на 2026 г."
    )
    _login(client, make_user(role=Role.COORDINATOR))
    assert client.post(f"/roadmaps/{roadmap.id}/publish", data={"past_not_required": ""}).status_code == 302
    (message,) = [m for m in _flashes(client) if m.startswith("Дорожная карта опубликована")]
    assert message == "Дорожная карта опубликована. Задачи: добавлено 1."


def test_the_proposal_form_gives_examples_of_the_plan_year(client, make_org, make_user, make_roadmap):
    school = make_org(short_name="СОШ № 1")
    roadmap = make_roadmap(
        [("1.1", "Классные часы", "по плану ОО", [school])], period=(date(2027, 1, 1), date(2027, 12, 31))
    )
    _login(client, make_user(organization=school))
    page = client.get(f"/proposals/measure/{roadmap.measures[0].id}").get_data(as_text=True)
    assert "«01.09.2027» или «01.09.2027 – 30.09.2027»" in page and "2026" not in page


def test_every_recorded_audit_action_has_a_name():
    from roadmap.web.admin import AUDIT_ACTIONS

    recorded = set()
    for path in (ROOT / "roadmap").rglob("*.py"):
        recorded |= set(re.findall(r"\brecord\(\s*\"([a-z_.]+)\"", path.read_text(encoding="utf-8")))
    assert recorded and recorded <= set(AUDIT_ACTIONS), sorted(recorded - set(AUDIT_ACTIONS))


def test_the_audit_log_shows_no_action_codes(client, make_user):
    from roadmap import audit

    admin = make_user(role=Role.ADMIN)
    audit.record("tasks_not_required", user=admin, summary="Карта: 3")
    db.session.flush()
    _login(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Прошедшие задачи не требуются" in page
    assert "tasks_not_required" not in re.sub(r'value="[^"]*"', "", page)
