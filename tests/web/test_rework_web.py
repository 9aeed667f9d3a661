"""Rework and review through the pages: a corrected report keeps its files unless ticked «убрать»,
the reviewer sees what changed and goes from report to report with the queue's filters kept;
every input rule of the report form answers beside its field, with what was typed kept."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from roadmap.extensions import db
from roadmap.models import Attachment, Report, Role, Task, TaskStatus
from roadmap.tasks.files import check_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def uploads(app, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    app.config["UPLOAD_FOLDER"] = folder
    return folder


@pytest.fixture
def world(make_org, make_user, make_roadmap):
    schools = [make_org(short_name=f"СОШ № {n}") for n in (1, 2, 10)]
    roadmap = make_roadmap(
        [
            ("1.1", "Классные часы", "сентябрь", schools),
            ("2.1", "Родительские собрания", "октябрь", schools),
        ]
    )
    for n, school in zip((1, 2, 10), schools, strict=True):
        make_user(organization=school, login=f"school{n}")
    make_user(role=Role.COORDINATOR, login="coord")
    tasks = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id).order_by(Task.id)).all()
    return {"roadmap": roadmap, "schools": schools, "tasks": tasks}


def _task_of(world, school_index: int, number: str) -> Task:
    school = world["schools"][school_index]
    return next(t for t in world["tasks"] if t.organization_id == school.id and t.measure.number == number)


def _submit(client, task, files=(), **fields):
    # Encoded here rather than by the test client, which spools big bodies to a temporary file
    # it never closes when the app refuses to read them (413).
    values = MultiDict({"version": str(db.session.get(Task, task.id).version), **fields})
    for name, content in files:
        values.add("files", FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream"))
    boundary, body = encode_multipart(values)
    return client.post(f"/tasks/{task.id}/submit", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _as(auth, login):
    auth.logout()
    auth.login(login)


def test_a_returned_report_is_fixed_without_attaching_anything_again(client, auth, world, uploads):
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    sent = _submit(
        client,
        task,
        files=[("справка.pdf", PDF), ("фото.png", PNG)],
        comment="Проведено",
        coverage_total="10",
        links="https://school1.ru/news/1\nhttps://school1.ru/news/2",
    )
    assert sent.status_code == 302
    _as(auth, "coord")
    client.post(
        f"/tasks/{task.id}/review",
        data={"version": db.session.get(Task, task.id).version, "send_back": "1", "reason": "coverage"},
    )
    assert db.session.get(Task, task.id).status == TaskStatus.RETURNED

    _as(auth, "school1")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Файлы и ссылки прошлого отчёта" in page
    old = db.session.get(Report, db.session.get(Task, task.id).current_report_id)
    photo = next(a for a in old.attachments if a.original_name == "фото.png")
    assert f'name="remove_file" value="{photo.id}"' in page
    assert 'name="remove_link" value="https://school1.ru/news/2"' in page
    assert 'value="10"' in page and "Проведено</textarea>" in page  # the fields come prefilled

    fixed = _submit(
        client,
        task,
        comment="Проведено",
        coverage_total="25",
        remove_file=str(photo.id),
        remove_link="https://school1.ru/news/2",
    )
    assert fixed.status_code == 302
    new = db.session.get(Report, db.session.get(Task, task.id).current_report_id)
    assert [a.original_name for a in new.attachments] == ["справка.pdf"]
    assert new.link_list == ["https://school1.ru/news/1"]
    assert check_files().clean
    with client.get(f"/attachments/{new.attachments[0].id}") as download:
        assert download.status_code == 200 and download.data == PDF

    _as(auth, "coord")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    changes = page[page.index('id="changes"') :]
    assert "Что изменено после возврата" in changes
    assert re.search(r"Охват, всего: <del>10</del> → <ins>25</ins>", changes)
    assert "Файлы убраны: фото.png" in changes and "Ссылки убраны: https://school1.ru/news/2" in changes
    queue = client.get("/review?kind=again").get_data(as_text=True)
    assert f'id="q{task.id}"' in queue
    assert "Изменено после возврата: охват, всего; файлы: −1; ссылки: −1" in queue


def test_a_refused_file_keeps_what_was_ticked_to_remove(client, auth, world, uploads):
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    _submit(client, task, files=[("справка.pdf", PDF), ("фото.png", PNG)], comment="Проведено")
    old = db.session.get(Report, db.session.get(Task, task.id).current_report_id)
    photo = next(a for a in old.attachments if a.original_name == "фото.png")
    response = _submit(client, task, files=[("пустой.pdf", b"")], comment="Исправлено", remove_file=str(photo.id))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Файл «пустой.pdf» пустой" in page and "Исправлено</textarea>" in page
    assert f'name="remove_file" value="{photo.id}" id="remove-file-{photo.id}" checked' in page
    assert db.session.get(Task, task.id).current_report_id == old.id  # nothing sent


def test_the_date_field_offers_only_the_allowed_dates(client, auth, world):
    task = _task_of(world, 0, "1.1")  # September 2023
    auth.login("school1")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'min="2023-03-02"' in page and "С 02.03.2023 по " in page


def _submit_all(client, auth, world):
    for index, n in enumerate((1, 2, 10)):
        _as(auth, f"school{n}")
        for number in ("1.1", "2.1"):
            assert (
                _submit(
                    client, _task_of(world, index, number), comment=f"отчёт {n} {number}", coverage_total="7"
                ).status_code
                == 302
            )
    _as(auth, "coord")


def test_the_queue_shows_each_report_and_filters_it(client, auth, world, uploads):
    task = _task_of(world, 1, "2.1")
    auth.login("school2")
    _submit(client, task, files=[("протокол.pdf", PDF)], comment="Собрание провели", links="https://school2.ru/a")
    _as(auth, "coord")
    page = client.get("/review").get_data(as_text=True)
    item = page[page.index(f'id="q{task.id}"') :]
    item = item[: item.index("</li>")]
    assert "Собрание провели" in item and "протокол.pdf" in item and "https://school2.ru/a" in item
    school = world["schools"][1]
    page = client.get(f"/review?org={school.id}").get_data(as_text=True)
    assert f'id="q{task.id}"' in page
    other = _task_of(world, 0, "2.1")
    auth.logout()
    auth.login("school1")
    _submit(client, other, comment="тоже", coverage_total="3")
    _as(auth, "coord")
    assert f'id="q{other.id}"' not in client.get(f"/review?org={school.id}").get_data(as_text=True)
    assert f'id="q{other.id}"' in client.get("/review").get_data(as_text=True)
    assert "Охват: 3" in client.get("/review").get_data(as_text=True)
    assert "По этому фильтру отчётов на проверке нет" in client.get("/review?kind=not_applicable").get_data(
        as_text=True
    )


def test_a_decision_opens_the_next_report_with_the_queues_filters(client, auth, world):
    _submit_all(client, auth, world)
    roadmap = world["roadmap"]
    section = next(s for s in roadmap.sections if s.number == "1")
    args = f"review=1&roadmap={roadmap.id}&section={section.id}"
    queue_page = client.get(f"/review?roadmap={roadmap.id}&section={section.id}").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'id="q(\d+)"', queue_page)]
    assert len(ids) == 3  # measure 1.1 of three schools
    seen = []
    current = ids[0]
    for _ in ids:
        page = client.get(f"/tasks/{current}?{args}").get_data(as_text=True)
        crumb = re.search(r'<li class="breadcrumb-item"><a href="([^"]+)">На проверке</a>', page)
        assert crumb and parse_qs(urlsplit(crumb.group(1).replace("&amp;", "&")).query) == {
            "roadmap": [str(roadmap.id)],
            "section": [str(section.id)],
        }
        assert f'name="section" value="{section.id}"' in page  # the decision carries the filters
        seen.append(current)
        response = client.post(
            f"/tasks/{current}/review",
            data={
                "version": db.session.get(Task, current).version,
                "accept": "Принять",
                "review": "1",
                "roadmap": roadmap.id,
                "section": section.id,
            },
        )
        assert response.status_code == 302
        location = response.headers["Location"]
        query = parse_qs(urlsplit(location).query)
        assert query["roadmap"] == [str(roadmap.id)] and query["section"] == [str(section.id)]
        if urlsplit(location).path.startswith("/tasks/"):
            current = int(urlsplit(location).path.rsplit("/", 1)[-1])
    assert seen == ids
    assert urlsplit(location).path == "/review"
    assert "В очереди больше нет отчётов" in client.get(location).get_data(as_text=True)
    assert all(db.session.get(Task, i).status == TaskStatus.ACCEPTED for i in ids)
    assert db.session.scalar(select(Task.id).where(Task.status == TaskStatus.SUBMITTED)) is not None  # 2.1 untouched


def test_a_bulk_decision_keeps_the_filters(client, auth, world):
    _submit_all(client, auth, world)
    school = world["schools"][2]
    tasks = [t.id for t in world["tasks"] if t.organization_id == school.id]
    response = client.post(f"/review?org={school.id}", data={"task": [str(i) for i in tasks], "accept": "Принять"})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).query == f"org={school.id}"
    assert all(db.session.get(Task, i).status == TaskStatus.ACCEPTED for i in tasks)


# --------------------------------------------------------------------------- input rules


def test_an_empty_file_is_refused_by_name_and_the_text_is_kept(client, auth, world, uploads):
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    response = _submit(client, task, files=[("пустой.pdf", b"")], comment="Классный час провели")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Файл «пустой.pdf» пустой" in page and "Классный час провели</textarea>" in page
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED
    assert list(uploads.iterdir()) == []


def test_a_file_name_with_control_characters_is_cleaned_and_downloads(client, auth, world, uploads):
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    assert _submit(client, task, files=[("отчёт\x07\x1b\tитог.pdf", PDF)], comment="x").status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.original_name == "отчёт итог.pdf"
    with client.get(f"/attachments/{attachment.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]


def test_an_attachment_stored_before_names_were_cleaned_still_downloads(client, auth, world, uploads):
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    assert _submit(client, task, files=[("акт.pdf", PDF)], comment="x").status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    attachment.original_name = (
        "акт\r\nSet-Cookie: x=1\x07.pdf"  # as an older version stored it (PostgreSQL refuses NUL)
    )
    db.session.flush()
    with client.get(f"/attachments/{attachment.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert "Set-Cookie" not in download.headers or "x=1" not in download.headers.get("Set-Cookie", "")
        assert "\n" not in download.headers["Content-Disposition"]


def test_a_link_that_is_not_http_is_refused_beside_the_field(client, auth, world):
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    response = _submit(client, task, comment="Проведено", links="https://school1.ru\nшкола.рф/новости")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "«школа.рф/новости» — не ссылка: укажите адрес, начинающийся с http:// или https://" in page
    links = page[page.index('id="links"') - 200 :]
    assert "is-invalid" in links[: links.index("</textarea>")]
    assert "Проведено</textarea>" in page
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED


def test_a_held_date_in_the_future_names_the_allowed_range(client, auth, world):
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    response = _submit(client, task, comment="Проведено", held_on="2099-05-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"Дата проведения — с \d\d\.\d\d\.\d{4} по \d\d\.\d\d\.\d{4}: позже сегодняшнего дня нельзя", page)


def test_a_file_over_the_limit_is_refused_beside_the_field_keeping_the_text(app, client, auth, world, uploads):
    app.config["MAX_UPLOAD_MB"] = 1
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    big = PDF + b"0" * (1024 * 1024 + 10)
    response = _submit(client, task, files=[("большой.pdf", big)], comment="Классный час", coverage_total="12")
    assert response.status_code == 302  # read, refused by name, not a bare 413
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Файл «большой.pdf» больше 1 МБ" in page
    assert "Классный час</textarea>" in page and 'value="12"' in page
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED and list(uploads.iterdir()) == []


def test_a_request_over_the_reports_limit_comes_back_to_the_form(app, client, auth, world, uploads):
    app.config["MAX_UPLOAD_MB"] = 1
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    huge = PDF + b"0" * (7 * 1024 * 1024)
    response = _submit(client, task, files=[("огромный.pdf", huge)], comment="Классный час")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    files = page[page.index('id="files"') :]
    assert "Файлы вместе больше 6 МБ" in files[:2000]
    assert "Вернитесь назад" not in page
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED


def test_only_a_signed_in_executor_gets_the_reports_larger_limit(app, client, auth, world):
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    task = _task_of(world, 0, "1.1")
    body = PDF + b"0" * (3 * 1024 * 1024)
    anonymous = _submit(client, task, files=[("x.pdf", body)], comment="x")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]  # the body is never read
    assert db.session.get(Task, task.id).status == TaskStatus.PLANNED
    auth.login("school1")
    response = _submit(client, task, files=[("x.pdf", body)], comment="x")
    assert response.status_code == 302 and "больше 1 МБ" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_the_file_field_carries_the_limit_for_the_pages_script(client, auth, world):
    task = _task_of(world, 0, "1.1")
    auth.login("school1")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'data-max-bytes="10485760"' in page
    assert 'data-too-large="Файл «{name}» больше 10 МБ' in page and 'data-empty="Файл «{name}» пустой' in page
