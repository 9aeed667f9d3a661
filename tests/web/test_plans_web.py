import io
import re
from datetime import date

from docx import Document
from sqlalchemy import func, select

from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import Alias, MeasureParty, OrgGroup, OrgKind, Roadmap, RoadmapStatus, Role, Task, TaskStatus
from roadmap.tasks.workflow import ReportInput, submit_report


def _docx(rows, title="План мероприятий на 2023 г."):
    document = Document()
    document.add_paragraph(title)
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(
        table.rows[0].cells, ["№ п/п", "Мероприятие", "Сроки проведения", "Ответственный"], strict=True
    ):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _setup(make_org, make_user, auth):
    coordinator = make_user(role=Role.COORDINATOR, login="coord")
    schools = [make_org(kind=OrgKind.SCHOOL, municipality="г. Т", short_name=f"СОШ {n}") for n in range(3)]
    db.session.add(OrgGroup(name="ОО г. Т", kind=OrgKind.SCHOOL, municipality=municipality_named("г. Т")))
    db.session.flush()
    auth.login("coord")
    return coordinator, schools


def _upload(client, data, name="karta.docx"):
    return client.post("/roadmaps/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_import_fix_and_publish(client, auth, make_org, make_user):
    _, schools = _setup(make_org, make_user, auth)
    data = _docx(
        [
            ("1.", "Классные часы", "сентябрь, ежегодно", "ОО г. Т"),
            ("2.", "Встречи", "когда получится", "ООО Ромашка"),
        ]
    )
    response = _upload(client, data)
    assert response.status_code == 302
    roadmap = db.session.scalar(select(Roadmap))
    assert roadmap.status == RoadmapStatus.DRAFT and roadmap.period_start == date(2023, 1, 1)
    page = client.get(f"/roadmaps/{roadmap.id}/review?problems=1").get_data(as_text=True)
    assert "срок не распознан" in page and "не найден" in page and "Классные часы" not in page
    refused = client.post(f"/roadmaps/{roadmap.id}/publish")
    assert refused.status_code == 302
    assert db.session.get(Roadmap, roadmap.id).status == RoadmapStatus.DRAFT
    measure = roadmap.measures[1]
    client.post(f"/roadmaps/{roadmap.id}/measures/{measure.id}/deadline", data={"deadline": "октябрь"})
    party = db.session.scalar(select(MeasureParty).where(MeasureParty.measure_id == measure.id))
    client.post(f"/roadmaps/{roadmap.id}/parties/{party.id}/map", data={"target": f"o{schools[0].id}", "remember": "y"})
    assert db.session.scalar(select(Alias.organization_id).where(Alias.text == "ООО Ромашка")) == schools[0].id
    assert "Проблем нет" in client.get(f"/roadmaps/{roadmap.id}/review?problems=1").get_data(as_text=True)
    assert client.post(f"/roadmaps/{roadmap.id}/publish").status_code == 302
    assert db.session.get(Roadmap, roadmap.id).status == RoadmapStatus.PUBLISHED
    assert db.session.scalar(select(func.count(Task.id)).where(Task.roadmap_id == roadmap.id)) == 4
    dashboard = client.get(f"/roadmaps/{roadmap.id}")
    assert dashboard.status_code == 200 and "Всего задач" in dashboard.get_data(as_text=True)
    assert client.get(f"/roadmaps/{roadmap.id}/matrix").status_code == 200
    # The alias is remembered for the next import.
    _upload(client, _docx([("1.", "Ещё", "май", "ООО Ромашка")]))
    second = db.session.scalars(select(Roadmap).order_by(Roadmap.id.desc())).first()
    assert second.measures[0].parties[0].organization_id == schools[0].id


def test_bad_documents_get_a_clear_message_and_write_nothing(client, auth, make_org, make_user):
    _setup(make_org, make_user, auth)
    for payload, name in ((b"hello", "a.docx"), (b"PK\x03\x04broken", "b.docx"), (_docx([]), "empty.docx")):
        response = _upload(client, payload, name)
        assert response.status_code == 400
        assert "alert-danger" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Roadmap.id))) == 0
    assert client.post("/roadmaps/import", data={}).status_code == 400


def test_reimport_diff_and_reported_task_survives(client, auth, make_org, make_user):
    _, schools = _setup(make_org, make_user, auth)
    _upload(client, _docx([("1.", "Первое", "сентябрь", "СОШ 0"), ("2.", "Второе", "май", "СОШ 0")]))
    roadmap = db.session.scalar(select(Roadmap))
    client.post(f"/roadmaps/{roadmap.id}/publish")
    executor = make_user(organization=schools[0])
    task = db.session.scalars(select(Task).where(Task.measure_id == roadmap.measures[1].id)).one()
    submit_report(task, executor, ReportInput(comment="сделано"))
    db.session.flush()
    revised = _docx([("1.", "Первое (уточнено)", "октябрь", "СОШ 0"), ("3.", "Третье", "март", "СОШ 0")])
    diff = client.post(
        f"/roadmaps/{roadmap.id}/reimport",
        data={"file": (io.BytesIO(revised), "v2.docx")},
        content_type="multipart/form-data",
    )
    text = diff.get_data(as_text=True)
    assert "Добавится: <strong>1</strong>" in text and "изменится: <strong>1</strong>" in text
    assert "исчезнет: <strong>1</strong>" in text
    token = text.split("/reimport/")[1].split('"')[0]
    assert client.post(f"/roadmaps/{roadmap.id}/reimport/{token}").status_code == 302
    kept = db.session.get(Task, task.id)
    assert kept is not None and kept.is_cancelled and kept.status == TaskStatus.SUBMITTED
    assert len(kept.reports) == 1
    first = db.session.scalars(select(Task).where(Task.measure_id == roadmap.measures[0].id)).one()
    assert first.start_on == date(2023, 10, 1)


def test_a_reimport_token_opens_only_the_roadmap_it_was_shown_for(client, auth, make_org, make_user):
    _setup(make_org, make_user, auth)
    _upload(client, _docx([("1.", "Первое", "сентябрь", "СОШ 0")]))
    _upload(client, _docx([("1.", "Другое", "май", "СОШ 0")]))
    first, other = db.session.scalars(select(Roadmap).order_by(Roadmap.id)).all()
    diff = client.post(
        f"/roadmaps/{first.id}/reimport",
        data={"file": (io.BytesIO(_docx([("1.", "Заменено", "март", "СОШ 0")])), "v2.docx")},
        content_type="multipart/form-data",
    )
    token = diff.get_data(as_text=True).split("/reimport/")[1].split('"')[0]
    response = client.post(f"/roadmaps/{other.id}/reimport/{token}", follow_redirects=True)
    assert "Загруженный файл не найден" in response.get_data(as_text=True)
    assert [m.title for m in db.session.get(Roadmap, other.id).measures] == ["Другое"]
    assert client.post(f"/roadmaps/{first.id}/reimport/{token}").status_code == 302
    assert [m.title for m in db.session.get(Roadmap, first.id).measures] == ["Заменено"]


def test_the_same_plan_uploaded_twice_is_flagged_with_a_link(client, auth, make_org, make_user):
    _setup(make_org, make_user, auth)
    rows = [("1.", "Классные часы", "сентябрь", "СОШ 0"), ("2.", "Встречи", "май", "СОШ 1")]
    first = _upload(client, _docx(rows), "karta.docx")
    assert "уже загружена" not in client.get(first.headers["Location"]).get_data(as_text=True)
    original = db.session.scalar(select(Roadmap))
    second = client.get(_upload(client, _docx(rows), "karta (1).docx").headers["Location"]).get_data(as_text=True)
    assert "Похоже, эта дорожная карта уже загружена" in second
    assert f'href="/roadmaps/{original.id}"' in second
    # the same measures under another title are the same plan too; other measures are not
    renamed = _upload(client, _docx(rows, title="Дорожная карта профориентации на 2023 год"))
    assert "уже загружена" in client.get(renamed.headers["Location"]).get_data(as_text=True)
    other = _upload(client, _docx([("1.", "Другое", "март", "СОШ 0")], title="Иной план на 2023 год"))
    assert "уже загружена" not in client.get(other.headers["Location"]).get_data(as_text=True)


def test_a_plan_dated_in_a_past_year_covers_its_dates_and_says_how(client, auth, make_org, make_user):
    _setup(make_org, make_user, auth)
    rows = [("1.", "Семинар", "март 2021", "СОШ 0"), ("2.", "Собрание", "ноябрь 2021", "СОШ 1")]
    response = _upload(client, _docx(rows, title="План мероприятий по профориентации"))
    roadmap = db.session.scalar(select(Roadmap))
    assert (roadmap.period_start, roadmap.period_end) == (date(2021, 1, 1), date(2021, 12, 31))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "период определён по датам в сроках мероприятий" in page
    client.post(f"/roadmaps/{roadmap.id}/publish")
    # every dated measure has its task: none is lost to "no dates in the period"
    assert {t.measure.number for t in db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id))} == {
        "1",
        "2",
    }


def test_a_measure_without_dates_in_the_period_is_never_published_silently(client, auth, make_org, make_user):
    from roadmap.plans.service import publish_problems

    _setup(make_org, make_user, auth)
    rows = [("1.", "Семинар", "сентябрь, ежегодно", "СОШ 0"), ("2.", "Форум", "май 2019", "СОШ 1")]
    _upload(client, _docx(rows))
    roadmap = db.session.scalar(select(Roadmap))
    measure = next(m for m in roadmap.measures if m.number == "2")
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert "Не создадут задач мероприятий: <strong>1</strong>" in page
    assert publish_problems(roadmap)  # blocked: no dates in the period
    client.post(f"/roadmaps/{roadmap.id}/publish")
    assert db.session.get(Roadmap, roadmap.id).is_draft
    # the coordinator decides: published without tasks, for a reason the reports show
    client.post(f"/roadmaps/{roadmap.id}/measures/{measure.id}/no-tasks", data={"reason": "форум прошёл в 2019 году"})
    assert db.session.get(type(measure), measure.id).no_tasks_reason == "форум прошёл в 2019 году"
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert "без задач: форум прошёл в 2019 году" in page
    client.post(f"/roadmaps/{roadmap.id}/publish")
    assert not db.session.get(Roadmap, roadmap.id).is_draft
    numbers = {t.measure.number for t in db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id))}
    assert numbers == {"1"}
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/roadmaps/{roadmap.id}/export.xlsx?year=2023").data))
    notes = [row[-1] for row in wb["Мероприятия"].iter_rows(values_only=True)]
    assert "Задачи не созданы: форум прошёл в 2019 году." in notes


def test_publishing_when_most_deadlines_have_passed_warns(client, auth, make_org, make_user):
    _setup(make_org, make_user, auth)
    _upload(client, _docx([("1.", "Семинар", "январь", "СОШ 0"), ("2.", "Форум", "февраль", "СОШ 1")]))
    roadmap = db.session.scalar(select(Roadmap))  # a 2023 plan seen in 2026: every deadline has passed
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert 'id="mostly-past"' in page and "Сроки 2 из 2 задач уже прошли" in page


def test_observer_reads_but_cannot_change(client, auth, make_org, make_user, make_roadmap):
    org = make_org()
    roadmap = make_roadmap([("1.1", "М", "сентябрь", [org])])
    make_user(role=Role.OBSERVER, login="obs")
    auth.login("obs")
    assert client.get(f"/roadmaps/{roadmap.id}").status_code == 200
    assert client.get(f"/roadmaps/{roadmap.id}/matrix").status_code == 200
    assert client.post(f"/roadmaps/{roadmap.id}/generate").status_code == 403
    assert client.get("/roadmaps/import").status_code == 403


def test_example_documents_import_to_48_measures(client, auth, make_org, make_user):
    _setup(make_org, make_user, auth)
    for fmt in ("docx", "xlsx"):
        data = client.get(f"/roadmaps/example.{fmt}").data
        assert _upload(client, data, f"example.{fmt}").status_code == 302
    roadmaps = db.session.scalars(select(Roadmap)).all()
    assert [len(r.measures) for r in roadmaps] == [48, 48]
    assert [len(r.sections) for r in roadmaps] == [6, 6]


def test_coordinator_sets_dates_for_everyone_and_sees_them_back(client, auth, make_org, make_user):
    _, schools = _setup(make_org, make_user, auth)
    _upload(client, _docx([("1.", "Дни открытых дверей", "по отдельному графику", "ОО г. Т")]))
    roadmap = db.session.scalars(select(Roadmap).order_by(Roadmap.id.desc())).first()
    measure = roadmap.measures[0]
    url = f"/roadmaps/{roadmap.id}/measures/{measure.id}/dates"
    refused = client.post(url, data={"dates": "30.09.2023 – 01.09.2023"}, follow_redirects=True)
    assert "Мероприятие 1: Строка 1: начало позже окончания." in refused.get_data(as_text=True)
    assert measure.manual_dates is None
    client.post(url, data={"dates": "2023-10-20\n01.09.2023 – 30.09.2023"})
    db.session.refresh(measure)
    assert measure.manual_dates == [
        {"start": "2023-09-01", "due": "2023-09-30"},
        {"start": "2023-10-20", "due": "2023-10-20"},
    ]
    review = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert "01.09.2023 – 30.09.2023\n20.10.2023</textarea>" in review


def test_roadmap_list_runs_the_same_queries_for_one_roadmap_or_four(client, auth, make_org, make_user, make_roadmap):
    from sqlalchemy import event

    make_user(role=Role.COORDINATOR, login="lister")
    school = make_org()

    def count() -> int:
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        client.get("/roadmaps/")
        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/roadmaps/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    auth.login("lister")
    make_roadmap([("1.1", "М", "сентябрь", [school])], title="Первая")
    one = count()
    for n in range(3):
        make_roadmap([("1.1", "М", "май", [school]), ("1.2", "Н", "июнь", [school])], title=f"Ещё {n}")
    assert count() == one


# ------------------------------------------------------------------ big documents (issue 15)


def _upload_big(client, data, name):
    # Encoded here, in memory: the test client spools a body over 500 KB to a temporary file
    # it never closes (a ResourceWarning, an error under filterwarnings).
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post("/roadmaps/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _big_roadmap(client, auth, make_org, make_user, measures=3000):
    from bench.documents import big_csv

    _setup(make_org, make_user, auth)
    response = _upload_big(client, big_csv(measures), "big.csv")
    assert response.status_code == 302
    roadmap = db.session.scalar(select(Roadmap))
    assert len(roadmap.measures) == measures
    return roadmap


def test_the_review_page_of_3000_measures_is_paginated_and_every_page_is_small(client, auth, make_org, make_user):
    from roadmap.plans.review_screen import REVIEW_PAGE_SIZE

    roadmap = _big_roadmap(client, auth, make_org, make_user)
    pages = -(-3000 // REVIEW_PAGE_SIZE)
    seen: set[str] = set()
    for page in range(1, pages + 1):
        body = client.get(f"/roadmaps/{roadmap.id}/review?page={page}").data
        # half of these measures name parties not in the directory: their fix forms are on the page
        assert len(body) < 2 * 1024 * 1024, (page, len(body))
        text = body.decode()
        ids = re.findall(r'<article class="card[^"]*" id="m(\d+)"', text)
        assert len(ids) == REVIEW_PAGE_SIZE and not seen & set(ids)
        seen |= set(ids)
        assert f'aria-current="page">{page}</a>' in text
    assert seen == {str(m.id) for m in roadmap.measures}
    assert "Мероприятий: <strong>3000</strong>" in text  # the totals count the whole roadmap
    assert f"Показаны {3000 - REVIEW_PAGE_SIZE + 1}–3000 из 3000." in text


def test_only_problems_is_kept_across_pages(client, auth, make_org, make_user):
    roadmap = _big_roadmap(client, auth, make_org, make_user)
    text = client.get(f"/roadmaps/{roadmap.id}/review?problems=1&page=2").get_data(as_text=True)
    assert f"/roadmaps/{roadmap.id}/review?problems=1&amp;page=3" in text
    assert f"/roadmaps/{roadmap.id}/review?problems=1&amp;page=1" in text
    assert "border-danger" in text and 'aria-current="page">2</a>' in text
    # measures whose parties all match and whose deadline gives dates are not on a problems page
    fine = next(m for m in roadmap.measures if m.responsible_text == "ОО г. Т" and m.deadline_text == "ежемесячно")
    assert f'id="m{fine.id}"' not in text


def test_links_to_a_measure_reach_its_page(client, auth, make_org, make_user):
    roadmap = _big_roadmap(client, auth, make_org, make_user)
    measure = roadmap.measures[2499]
    text = client.get(f"/roadmaps/{roadmap.id}/review?measure={measure.id}").get_data(as_text=True)
    assert f'id="m{measure.id}"' in text and 'aria-current="page">25</a>' in text
    # a measure without problems is reached even from the problems filter
    fine = [m for m in roadmap.measures if m.responsible_text == "ОО г. Т" and m.deadline_text == "ежемесячно"][-1]
    text = client.get(f"/roadmaps/{roadmap.id}/review?problems=1&measure={fine.id}").get_data(as_text=True)
    assert f'id="m{fine.id}"' in text
    # fixing a measure returns to its page, at its card
    response = client.post(
        f"/roadmaps/{roadmap.id}/measures/{measure.id}/deadline", data={"deadline": "октябрь", "problems": "1"}
    )
    assert response.status_code == 302
    assert f"measure={measure.id}" in response.location and response.location.endswith(f"#m{measure.id}")
    text = client.get(response.location).get_data(as_text=True)
    assert f'id="m{measure.id}"' in text and "«октябрь»" in text
    # the list of measures that will create no tasks links to each one's page
    text = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    late = re.findall(r'<li><a href="(/roadmaps/\d+/review\?measure=(\d+)#m\d+)"', text)
    assert late
    href, late_id = late[-1]
    assert f'id="m{late_id}"' in client.get(href).get_data(as_text=True)


def test_a_document_over_the_measure_limit_is_refused_and_writes_nothing(client, auth, make_org, make_user):
    from bench.documents import big_docx
    from roadmap.importers.document import MAX_MEASURES

    _setup(make_org, make_user, auth)
    response = _upload_big(client, big_docx(MAX_MEASURES + 1), "big.docx")
    assert response.status_code == 400
    assert f"может быть не больше {MAX_MEASURES}: разделите документ" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Roadmap)) == 0
