"""Forms forgive mistakes: errors in Russian next to the field, what was typed kept, nothing half-saved."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import Notice, NoticeKind, OrgGroup, OrgKind, Report, Role, Task, TaskStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(make_org, make_user, make_roadmap):
    school = make_org(kind=OrgKind.SCHOOL, municipality="г. Т", short_name="СОШ 1", student_count=300)
    group = OrgGroup(name="ОО г. Т", kind=OrgKind.SCHOOL, municipality=municipality_named("г. Т"))
    db.session.add(group)
    db.session.flush()
    roadmap = make_roadmap([("1.1", "Классные часы", "сентябрь", [group])])
    make_user(organization=school, login="school")
    make_user(role=Role.COORDINATOR, login="coord")
    task = db.session.scalars(select(Task).where(Task.organization_id == school.id)).one()
    return {"roadmap": roadmap, "task": task, "school": school}


def _submit(client, task, **fields):
    return client.post(f"/tasks/{task.id}/submit", data={"version": str(task.version), **fields})


def _reports(task):
    return db.session.scalars(select(Report).where(Report.task_id == task.id)).all()


def test_a_number_that_is_not_whole_is_refused_in_russian_next_to_the_field_and_the_text_is_kept(client, auth, world):
    task = world["task"]
    auth.login("school")
    response = _submit(client, task, coverage_total="1,5", comment="Провели классный час в 9 «А»")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not a valid" not in page
    assert "Неверное целое число" in page
    # the message sits next to the coverage field, and the comment is still there
    field = page.index('id="coverage_total"')
    assert "is-invalid" in page[page.rfind("<input", 0, field) : field + 200]
    assert "Провели классный час в 9 «А»" in page
    assert "Отчёт не отправлен" in page
    assert _reports(task) == [] and db.session.get(Task, task.id).status == TaskStatus.PLANNED


def test_negative_coverage_is_refused_next_to_the_field(client, auth, world):
    task = world["task"]
    auth.login("school")
    response = _submit(client, task, coverage_total="-5", comment="Сделано")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Введите целое число от 0 до 10 000 000." in page
    assert 'value="-5"' in page and "Сделано" in page
    assert _reports(task) == []


def test_parts_above_the_total_open_the_categories_and_keep_the_figures(client, auth, world):
    task = world["task"]
    auth.login("school")
    response = _submit(client, task, coverage_total="10", coverage_students="8", coverage_parents="7", comment="x")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Сумма охвата по категориям" in page
    assert '<details class="mb-2" open>' in page  # the categories the user typed are not hidden
    assert 'value="8"' in page and 'value="7"' in page
    assert _reports(task) == []


def test_an_empty_report_says_what_to_fill(client, auth, world):
    task = world["task"]
    auth.login("school")
    response = _submit(client, task)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Опишите, что сделано" in page
    assert _reports(task) == []


@pytest.mark.parametrize(
    ("held_on", "message"),
    [
        ((date.today() + timedelta(days=800)).isoformat(), "позже сегодняшнего дня нельзя"),
        ("1923-09-15", "слишком далеко от срока мероприятия"),
        ("15.09.2023", "Неверное значение даты"),
    ],
)
def test_held_on_far_off_or_mistyped_is_refused_next_to_the_date(client, auth, world, held_on, message):
    task = world["task"]
    auth.login("school")
    response = _submit(client, task, held_on=held_on, comment="Проведено")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "Проведено" in page
    assert _reports(task) == []


def test_a_wrong_file_type_is_refused_and_the_figures_stay(client, auth, world):
    task = world["task"]
    auth.login("school")
    response = client.post(
        f"/tasks/{task.id}/submit",
        data={
            "version": str(task.version),
            "comment": "Отчёт",
            "coverage_total": "42",
            "files": (io.BytesIO(b"MZ\x90\x00"), "setup.exe"),
        },
        content_type="multipart/form-data",
    )
    # The refusal redirects (a reload must not resend the upload) and the page keeps the figures.
    assert response.status_code == 302
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    field = page.index('id="files"')
    assert "не принят" in page[field : field + 600]
    assert 'value="42"' in page and "Отчёт</textarea>" in page
    assert _reports(task) == []
    # once shown, the draft is gone
    assert 'value="42"' not in client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_a_draft_too_long_for_the_session_is_dropped_with_a_word_of_warning(client, auth, world):
    task = world["task"]
    auth.login("school")
    client.post(
        f"/tasks/{task.id}/submit",
        data={"version": str(task.version), "comment": "я" * 4000, "files": (io.BytesIO(b"MZ"), "a.exe")},
        content_type="multipart/form-data",
    )
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "не принят" in page and "введите его снова" in page
    assert "я" * 100 not in page


def test_not_applicable_without_a_reason_keeps_the_section_open(client, auth, world):
    task = world["task"]
    auth.login("school")
    response = client.post(f"/tasks/{task.id}/not-applicable", data={"version": str(task.version), "reason": "  "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Укажите причину" in page
    assert '<details class="mt-3" open>' in page
    assert _reports(task) == []


def _returned(client, auth, task):
    auth.login("school")
    _submit(client, task, coverage_total="20", coverage_students="15", comment="Первый отчёт")
    auth.logout()
    auth.login("coord")
    version = db.session.get(Task, task.id).version
    client.post(
        f"/tasks/{task.id}/review",
        data={"version": version, "send_back": "1", "reason": "coverage", "comment": "уточните число родителей"},
    )
    auth.logout()
    assert db.session.get(Task, task.id).status == TaskStatus.RETURNED


def test_a_returned_report_shows_why_and_the_form_starts_from_what_was_sent(client, auth, world):
    task = world["task"]
    _returned(client, auth, task)
    auth.login("school")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    alert = page.index("<strong>Отчёт возвращён на доработку</strong>")
    assert "уточните число родителей" in page[alert : alert + 400]
    form = page[page.index(f'action="/tasks/{task.id}/submit"') :]
    assert 'value="20"' in form and 'value="15"' in form and "Первый отчёт" in form
    # in the list it has a group of its own, at the top
    listing = client.get("/tasks").get_data(as_text=True)
    assert "Возвращено на доработку" in listing
    assert listing.index("Возвращено на доработку") < listing.index("Классные часы")
    assert "Координатор: «охват указан неверно или не указан: уточните число родителей»" in listing


def test_the_coordinator_returning_without_a_reason_keeps_the_comment(client, auth, world):
    task = world["task"]
    auth.login("school")
    _submit(client, task, comment="Сделано")
    auth.logout()
    auth.login("coord")
    version = db.session.get(Task, task.id).version
    response = client.post(
        f"/tasks/{task.id}/review", data={"version": version, "send_back": "1", "comment": "нет фото с мероприятия"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Выберите причину возврата" in page
    assert "нет фото с мероприятия" in page
    assert db.session.get(Task, task.id).status == TaskStatus.SUBMITTED


def test_bulk_return_without_a_reason_changes_nothing_and_says_so_once(client, auth, world):
    task = world["task"]
    auth.login("school")
    _submit(client, task, comment="Сделано")
    auth.logout()
    auth.login("coord")
    response = client.post(
        "/review", data={"task": [str(task.id)], "send_back": "1", "comment": "доработайте"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert page.count("Выберите причину возврата") == 1
    assert "Возвращено отчётов: 0" not in page
    assert db.session.get(Task, task.id).status == TaskStatus.SUBMITTED
    # what was ticked and typed is still there
    assert f'value="{task.id}" id="t{task.id}" checked' in page or f'value="{task.id}" checked' in page
    assert "доработайте" in page


def test_the_menu_counts_unread_notices(client, auth, world, make_user):
    auth.login("school")
    user_id = db.session.scalar(select(Task.organization_id).where(Task.id == world["task"].id))
    from roadmap.models import User

    school_user = db.session.scalars(select(User).where(User.login == "school")).one()
    assert user_id == school_user.organization_id
    for text in ("первое", "второе", "третье"):
        db.session.add(Notice(user_id=school_user.id, kind=NoticeKind.RETURNED, text=text))
    db.session.flush()
    page = client.get("/tasks").get_data(as_text=True)
    menu = page[page.index("Главное меню") : page.index("</nav>")]
    assert '>3<span class="visually-hidden"> новых</span>' in menu
    # on a phone the menu is folded: its button carries the count
    assert 'aria-label="Показать меню: 3 новых уведомления"' in page
    client.post("/notices", data={})
    page = client.get("/tasks").get_data(as_text=True)
    assert "новых</span>" not in page[page.index("Главное меню") : page.index("</nav>")]


def test_due_soon_holds_only_tasks_due_within_two_weeks(client, auth, make_org, make_user, make_roadmap):
    school = make_org(kind=OrgKind.SCHOOL, short_name="СОШ 7")
    today = date.today()
    roadmap = make_roadmap(
        [("1.1", "Весь год", "в течение года", [school])],
        period=(date(today.year, 1, 1), date(today.year, 12, 31)),
    )
    make_user(organization=school, login="s7")
    task = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).one()
    task.start_on, task.due_on, task.due_effective_on = (
        today - timedelta(days=3),
        today + timedelta(days=60),
        today + timedelta(days=60),
    )
    db.session.flush()
    auth.login("s7")
    page = client.get("/tasks").get_data(as_text=True)
    assert "Срок в ближайшие 2 недели" not in page
    assert "Идут сейчас, срок позже" in page
    task.due_on = task.due_effective_on = today + timedelta(days=5)
    db.session.flush()
    page = client.get("/tasks").get_data(as_text=True)
    assert "Срок в ближайшие 2 недели" in page and "Идут сейчас, срок позже" not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"coverage_total": "1e3"}, "Неверное целое число."),
        ({"coverage_total": "99999999999999999999"}, "Введите целое число от 0 до 10 000 000."),
    ],
)
def test_a_wrong_number_gets_one_clear_message(client, auth, world, fields, message):
    task = world["task"]
    auth.login("school")
    page = _submit(client, task, comment="x", **fields).get_data(as_text=True)
    field = page.index('id="coverage_total"')
    feedback = page[field : page.index("</div>", field)]
    assert feedback.count("invalid-feedback") == 1 and message in feedback


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"coverage_total": "30", "coverage_students": "10", "coverage_disabled": "12"}, "чем обучающихся"),
        ({"coverage_total": "30", "coverage_disabled": "31"}, "чем участников всего"),
    ],
)
def test_more_ovz_students_than_students_is_refused(client, auth, world, fields, message):
    task = world["task"]
    auth.login("school")
    page = _submit(client, task, comment="x", **fields).get_data(as_text=True)
    field = page.index('id="coverage_disabled"')
    assert "Обучающихся с ОВЗ не может быть больше" in page[field : field + 400] and message in page
    assert _reports(task) == []


def test_a_missing_task_page_explains_and_names_who_is_logged_in(client, auth, world):
    auth.login("school")
    response = client.get("/tasks/987654")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<title>Страница не найдена" in page
    assert "относится к другой организации" in page and "(СОШ 1)" in page


def test_a_long_review_queue_says_it_shows_only_the_first(client, auth, world, monkeypatch, make_roadmap):
    from roadmap.web import tasks as task_views

    school = world["school"]
    other_roadmap = make_roadmap([("2.1", "Экскурсии", "октябрь", [school])], title="Вторая карта")
    second = db.session.scalars(select(Task).where(Task.roadmap_id == other_roadmap.id)).one()
    auth.login("school")
    for task in (world["task"], second):
        _submit(client, task, comment="Сделано")
    auth.logout()
    auth.login("coord")
    monkeypatch.setattr(task_views, "QUEUE_LIMIT", 1)
    page = client.get("/review").get_data(as_text=True)
    assert ">1+</span>" in page and "Показаны первые 1 отчёт" in page
    monkeypatch.setattr(task_views, "QUEUE_LIMIT", 200)
    page = client.get("/review").get_data(as_text=True)
    assert ">2</span>" in page and "Показаны первые" not in page
