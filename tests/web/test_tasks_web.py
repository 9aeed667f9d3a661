import io

import pytest
from sqlalchemy import event, select

from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import Attachment, Notice, OrgGroup, OrgKind, Role, Task, TaskStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(make_org, make_user, make_roadmap):
    school = make_org(kind=OrgKind.SCHOOL, municipality="г. Т", short_name="СОШ 1", student_count=300)
    other = make_org(kind=OrgKind.SCHOOL, municipality="г. Т", short_name="СОШ 2")
    group = OrgGroup(name="ОО г. Т", kind=OrgKind.SCHOOL, municipality=municipality_named("г. Т"))
    db.session.add(group)
    db.session.flush()
    roadmap = make_roadmap(
        [("1.1", "Классные часы", "сентябрь", [group]), ("1.2", "Собрания", "ежеквартально", [group])]
    )
    make_user(organization=school, login="school")
    make_user(organization=other, login="other")
    make_user(role=Role.COORDINATOR, login="coord")
    own = db.session.scalars(
        select(Task).where(Task.organization_id == school.id, Task.measure_id == roadmap.measures[0].id)
    ).one()
    return {"roadmap": roadmap, "task": own, "school": school, "other": other}


def test_executor_reports_with_a_file_and_coordinator_accepts(client, auth, world):
    task = world["task"]
    auth.login("school")
    page = client.get("/tasks").get_data(as_text=True)
    assert "Классные часы" in page and "Собрания" in page
    response = client.post(
        f"/tasks/{task.id}/submit",
        data={
            "version": task.version,
            "comment": "Проведено",
            "coverage_total": "120",
            "held_on": "2023-09-15",
            "files": (io.BytesIO(PDF), "справка.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.get(Task, task.id).status == TaskStatus.SUBMITTED
    attachment = db.session.scalars(select(Attachment)).one()
    with client.get(f"/attachments/{attachment.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    auth.logout()
    auth.login("other")
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert client.post(f"/tasks/{task.id}/submit", data={"comment": "чужое"}).status_code == 404
    auth.logout()
    auth.login("coord")
    queue = client.get("/review").get_data(as_text=True)
    assert "Классные часы" in queue and "СОШ 1" in queue
    assert client.post("/review", data={"task": [str(task.id)], "accept": "Принять"}).status_code == 302
    assert db.session.get(Task, task.id).status == TaskStatus.ACCEPTED


def test_return_creates_a_notice_for_the_executor(client, auth, world):
    task = world["task"]
    auth.login("school")
    client.post(f"/tasks/{task.id}/submit", data={"version": task.version, "comment": "Сделано"})
    auth.logout()
    auth.login("coord")
    version = db.session.get(Task, task.id).version
    client.post(
        f"/tasks/{task.id}/review",
        data={"version": version, "send_back": "1", "reason": "coverage", "comment": "укажите охват"},
    )
    assert db.session.get(Task, task.id).status == TaskStatus.RETURNED
    auth.logout()
    auth.login("school")
    notices = client.get("/notices").get_data(as_text=True)
    assert "укажите охват" in notices
    assert db.session.scalar(select(Notice.id).where(Notice.kind == "returned")) is not None


def test_stale_form_gets_a_conflict_message(client, auth, world):
    task = world["task"]
    old_version = task.version
    auth.login("school")
    client.post(f"/tasks/{task.id}/submit", data={"version": old_version, "comment": "Первый"})
    response = client.post(
        f"/tasks/{task.id}/submit", data={"version": old_version, "comment": "Второй"}, follow_redirects=True
    )
    assert "изменил другой пользователь" in response.get_data(as_text=True)
    comments = [r.comment for r in db.session.get(Task, task.id).reports]
    assert comments == ["Первый"]


def test_coverage_above_students_asks_for_confirmation(client, auth, world):
    task = world["task"]
    auth.login("school")
    response = client.post(
        f"/tasks/{task.id}/submit",
        data={"version": task.version, "comment": "x", "coverage_total": "900", "coverage_students": "900"},
    )
    assert response.status_code == 409 and "Проверьте цифру" in response.get_data(as_text=True)
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED
    response = client.post(
        f"/tasks/{task.id}/submit",
        data={
            "version": task.version,
            "comment": "x",
            "coverage_total": "900",
            "coverage_students": "900",
            "confirm_coverage": "y",
        },
    )
    assert response.status_code == 302
    assert db.session.get(Task, task.id).status == TaskStatus.SUBMITTED


def _count_queries(client, url):
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_pages_do_not_issue_queries_per_row(client, auth, make_org, make_user, make_roadmap):
    def build(n_schools, n_measures, suffix):
        group = OrgGroup(name=f"ОО {suffix}", kind=OrgKind.SCHOOL, municipality=municipality_named(suffix))
        db.session.add(group)
        schools = [make_org(kind=OrgKind.SCHOOL, municipality=suffix) for _ in range(n_schools)]
        db.session.flush()
        rows = [(f"1.{i}", f"Мероприятие {i}", "ежеквартально", [group]) for i in range(1, n_measures + 1)]
        roadmap = make_roadmap(rows, title=f"Карта {suffix}")
        login = f"exec{suffix}"
        make_user(organization=schools[0], login=login)
        return roadmap, login

    make_user(role=Role.COORDINATOR, login="coordq")
    small, small_login = build(2, 2, "a")
    big, big_login = build(6, 8, "b")
    counts = {}
    for name, (roadmap, login) in {"small": (small, small_login), "big": (big, big_login)}.items():
        auth.login(login)
        counts[name, "my"] = _count_queries(client, "/tasks")
        auth.logout()
        auth.login("coordq")
        counts[name, "queue"] = _count_queries(client, f"/review?roadmap={roadmap.id}")
        counts[name, "index"] = _count_queries(client, "/roadmaps/")
        auth.logout()
    for page in ("my", "queue"):
        assert counts["small", page] == counts["big", page], counts


def test_conflicts_on_not_applicable_and_review_save_nothing(client, auth, world):
    task = world["task"]
    old_version = task.version
    auth.login("school")
    client.post(f"/tasks/{task.id}/submit", data={"version": old_version, "comment": "Проведено", "coverage_total": 5})
    late = client.post(f"/tasks/{task.id}/not-applicable", data={"version": old_version, "reason": "нет классов"})
    assert late.status_code == 303
    assert "изменил другой пользователь" in client.get(late.headers["Location"]).get_data(as_text=True)
    assert db.session.get(Task, task.id).is_not_applicable is False
    auth.logout()
    auth.login("coord")
    stale = client.post(f"/tasks/{task.id}/review", data={"version": old_version, "accept": "Принять"})
    assert stale.status_code == 303
    assert db.session.get(Task, task.id).status == TaskStatus.SUBMITTED


def test_expired_form_is_refused_in_russian_and_saves_nothing(app, client, auth, world):
    task = world["task"]
    auth.login("school")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/tasks/{task.id}/submit", data={"version": task.version, "comment": "Мой текст"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Форма устарела или отправлена не с этой страницы" in response.get_data(as_text=True)
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED
