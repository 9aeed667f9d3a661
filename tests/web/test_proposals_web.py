"""The pages where a school proposes its dates and the coordinator confirms them."""

from datetime import date

import pytest
from sqlalchemy import event, select

from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import DateProposal, OrgGroup, OrgKind, ProposalStatus, Role, Task, User


@pytest.fixture
def world(make_org, make_user, make_roadmap):
    school = make_org(kind=OrgKind.SCHOOL, municipality="г. Д", short_name="СОШ 7")
    other = make_org(kind=OrgKind.SCHOOL, municipality="г. Д", short_name="СОШ 8")
    college = make_org(kind=OrgKind.COLLEGE, short_name="Колледж 1")
    group = OrgGroup(name="ОО г. Д", kind=OrgKind.SCHOOL, municipality=municipality_named("г. Д"))
    db.session.add(group)
    db.session.flush()
    roadmap = make_roadmap(
        [
            ("1.1", "Дни открытых дверей", "по плану ОО", [group]),
            ("1.2", "Совещание", "сентябрь", [group]),
        ]
    )
    make_user(organization=school, login="school")
    make_user(organization=other, login="other")
    make_user(organization=college, login="college")
    make_user(role=Role.COORDINATOR, login="coord")
    make_user(role=Role.OBSERVER, login="observer")
    return {"roadmap": roadmap, "manual": roadmap.measures[0], "dated": roadmap.measures[1], "school": school}


def _tasks(measure):
    return db.session.scalars(select(Task).where(Task.measure_id == measure.id)).all()


def test_school_proposes_coordinator_confirms_with_a_correction(client, auth, world):
    manual = world["manual"]
    auth.login("school")
    page = client.get("/tasks").get_data(as_text=True)
    assert "1 мероприятие ждёт ваших дат" in page
    listing = client.get("/proposals/").get_data(as_text=True)
    assert "Дни открытых дверей" in listing and "нужны даты" in listing
    form = client.get(f"/proposals/measure/{manual.id}")
    assert form.status_code == 200 and "по плану ОО" in form.get_data(as_text=True)

    bad = client.post(f"/proposals/measure/{manual.id}", data={"dates": "31.02.2023"})
    assert bad.status_code == 400
    assert "Строка 1: такой даты нет в календаре." in bad.get_data(as_text=True)
    outside = client.post(f"/proposals/measure/{manual.id}", data={"dates": "10.01.2024"})
    assert outside.status_code == 400 and "вне срока дорожной карты" in outside.get_data(as_text=True)
    assert db.session.scalar(select(DateProposal.id)) is None

    sent = client.post(
        f"/proposals/measure/{manual.id}",
        data={"dates": "12.10.2023 – 13.10.2023\n20.04.2023", "comment": "две волны"},
    )
    assert sent.status_code == 302
    proposal = db.session.scalars(select(DateProposal)).one()
    assert proposal.ranges == [(date(2023, 4, 20), date(2023, 4, 20)), (date(2023, 10, 12), date(2023, 10, 13))]
    assert "ждёт подтверждения" in client.get("/proposals/").get_data(as_text=True)
    assert "ждут ваших дат" not in client.get("/tasks").get_data(as_text=True)
    auth.logout()

    auth.login("coord")
    queue = client.get("/proposals/").get_data(as_text=True)
    assert "СОШ 7" in queue and "20 апреля 2023" in queue
    detail = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Подтвердить даты" in detail and "две волны" in detail
    confirmed = client.post(
        f"/proposals/{proposal.id}",
        data={"dates": "20.04.2023\n12.10.2023 – 14.10.2023", "comment": "", "confirm": "Подтвердить даты"},
    )
    assert confirmed.status_code == 302
    assert proposal.status == ProposalStatus.CONFIRMED
    assert sorted((t.organization_id, t.due_on) for t in _tasks(manual)) == [
        (world["school"].id, date(2023, 4, 20)),
        (world["school"].id, date(2023, 10, 14)),
    ]
    auth.logout()

    auth.login("school")
    assert "Даты мероприятия 1.1 подтверждены" in client.get("/notices").get_data(as_text=True)
    assert "Дни открытых дверей" in client.get("/tasks?year=2023").get_data(as_text=True)


def test_rejection_needs_a_reason_and_reaches_the_school(client, auth, world):
    manual = world["manual"]
    auth.login("school")
    client.post(f"/proposals/measure/{manual.id}", data={"dates": "01.07.2023"})
    proposal = db.session.scalars(select(DateProposal)).one()
    auth.logout()
    auth.login("coord")
    refused = client.post(
        f"/proposals/{proposal.id}", data={"reject": "Отклонить", "comment": ""}, follow_redirects=True
    )
    assert "Напишите, почему даты не подходят" in refused.get_data(as_text=True)
    assert proposal.status == ProposalStatus.PROPOSED
    client.post(f"/proposals/{proposal.id}", data={"reject": "Отклонить", "comment": "июль — каникулы"})
    assert proposal.status == ProposalStatus.REJECTED
    auth.logout()
    auth.login("school")
    page = client.get(f"/proposals/measure/{manual.id}").get_data(as_text=True)
    assert "июль — каникулы" in page and "01.07.2023" in page  # prefilled to correct
    assert "1 мероприятие ждёт ваших дат" in client.get("/tasks").get_data(as_text=True)


def test_who_may_see_and_decide(client, auth, world):
    manual, dated = world["manual"], world["dated"]
    auth.login("school")
    client.post(f"/proposals/measure/{manual.id}", data={"dates": "05.05.2023"})
    proposal = db.session.scalars(select(DateProposal)).one()
    # Its own proposal leads the school back to the measure page.
    assert client.get(f"/proposals/{proposal.id}").headers["Location"].endswith(f"/proposals/measure/{manual.id}")
    assert client.get(f"/proposals/measure/{dated.id}").status_code == 404  # dates set by the roadmap
    auth.logout()

    auth.login("other")  # same measure, another school: its own page, not the first school's proposal
    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    assert client.get(f"/proposals/measure/{manual.id}").status_code == 200
    auth.logout()

    auth.login("college")  # not responsible at all
    assert client.get(f"/proposals/measure/{manual.id}").status_code == 404
    assert "Таких мероприятий у вашей организации нет" in client.get("/proposals/").get_data(as_text=True)
    auth.logout()

    auth.login("observer")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Подтвердить даты" not in page
    assert client.post(f"/proposals/{proposal.id}", data={"confirm": "Подтвердить даты"}).status_code == 403
    assert proposal.status == ProposalStatus.PROPOSED
    assert client.get(f"/proposals/measure/{manual.id}").status_code == 403


def test_coordinator_confirms_and_rejects_in_bulk(client, auth, world):
    manual = world["manual"]
    for login, day in (("school", "05.05.2023"), ("other", "06.05.2023")):
        auth.login(login)
        client.post(f"/proposals/measure/{manual.id}", data={"dates": day})
        auth.logout()
    first, second = db.session.scalars(select(DateProposal).order_by(DateProposal.id)).all()
    auth.login("coord")
    nothing = client.post("/proposals/", data={"confirm": "Подтвердить отмеченные"}, follow_redirects=True)
    assert "Отметьте хотя бы одно предложение" in nothing.get_data(as_text=True)
    no_reason = client.post(
        "/proposals/", data={"proposal": [str(first.id)], "reject": "Отклонить отмеченные"}, follow_redirects=True
    )
    assert "Напишите, почему" in no_reason.get_data(as_text=True)
    assert first.status == ProposalStatus.PROPOSED
    done = client.post(
        "/proposals/",
        data={"proposal": [str(first.id), str(second.id)], "confirm": "Подтвердить отмеченные"},
        follow_redirects=True,
    )
    assert "Подтверждено 2. Задачи: добавлено 2" in done.get_data(as_text=True)
    assert sorted(t.due_on for t in _tasks(manual)) == [date(2023, 5, 5), date(2023, 5, 6)]
    auth.logout()
    auth.login("observer")
    page = client.get("/proposals/").get_data(as_text=True)
    assert "Подтвердить отмеченные" not in page and "Последние решения" in page
    assert client.post("/proposals/", data={"proposal": [str(first.id)], "confirm": "x"}).status_code == 403


def test_demo_coordinator_finds_proposals_waiting(client, auth, demo):
    auth.login("coordinator", "demo2026")
    page = client.get("/proposals/").get_data(as_text=True)
    assert page.count('name="proposal"') == 3
    assert "отклонено" in page and "подтверждено" in page
    assert "Последние решения" in page
    auth.logout()
    auth.login("school1", "demo2026")
    assert "даты подтверждены" in client.get("/proposals/").get_data(as_text=True)


def _queries(client, path: str) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    client.get(path)  # the first request of a session loads what every later one reuses
    # The test's session outlives requests: forget what it holds so that lazy loads show up.
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_pages_run_the_same_queries_for_one_proposal_or_many(client, auth, make_org, make_user, make_roadmap):
    from roadmap.tasks.proposals import propose_dates

    make_user(role=Role.COORDINATOR, login="coord")
    counts = {}
    for size in (1, 6):
        schools = [make_org(kind=OrgKind.SCHOOL, short_name=f"СОШ {size}-{n}") for n in range(size)]
        rows = [(f"1.{n + 1}", f"Собрание {n + 1}", "по плану ОО", schools) for n in range(size)]
        roadmap = make_roadmap(rows, title=f"Карта на {size}")
        executor = make_user(organization=schools[0], login=f"school-{size}")
        for measure in roadmap.measures:
            for school in schools:
                user = executor if school is schools[0] else make_user(organization=school)
                propose_dates(measure, user, [(date(2023, 5, 5), date(2023, 5, 5))])
        db.session.commit()
        auth.login(f"school-{size}")
        counts[("executor", size)] = (_queries(client, "/proposals/"), _queries(client, "/tasks"))
        auth.logout()
        auth.login("coord")
        counts[("coordinator", size)] = _queries(client, "/proposals/")
        auth.logout()
    assert counts[("executor", 1)] == counts[("executor", 6)], counts
    assert counts[("coordinator", 1)] == counts[("coordinator", 6)], counts


def test_task_of_own_dates_links_to_moving_them(client, auth, world):
    from roadmap.tasks.proposals import confirm_proposal, propose_dates

    manual, dated = world["manual"], world["dated"]
    school_user = db.session.scalars(select(User).where(User.login == "school")).one()
    coordinator = db.session.scalars(select(User).where(User.login == "coord")).one()
    confirm_proposal(propose_dates(manual, school_user, [(date(2023, 3, 3), date(2023, 3, 3))]), coordinator)
    db.session.commit()
    own = db.session.scalars(select(Task).where(Task.measure_id == manual.id)).one()
    other = db.session.scalars(
        select(Task).where(Task.measure_id == dated.id, Task.organization_id == world["school"].id)
    ).one()
    auth.login("school")
    assert f"/proposals/measure/{manual.id}" in client.get(f"/tasks/{own.id}").get_data(as_text=True)
    assert "предложить другие даты" not in client.get(f"/tasks/{other.id}").get_data(as_text=True)


def test_dashboard_tells_where_the_schools_dates_stand(client, auth, world):
    from roadmap.tasks.proposals import confirm_proposal, propose_dates

    manual = world["manual"]
    users = {u.login: u for u in db.session.scalars(select(User))}
    confirm_proposal(propose_dates(manual, users["school"], [(date(2023, 3, 3), date(2023, 3, 3))]), users["coord"])
    propose_dates(manual, users["other"], [(date(2023, 4, 4), date(2023, 4, 4))])
    db.session.commit()
    auth.login("coord")
    page = client.get(f"/roadmaps/{world['roadmap'].id}?year=all").get_data(as_text=True)
    block = page[page.index('id="manual-measures"') :]
    block = " ".join(block[: block.index("</div>")].split())
    assert "Дни открытых дверей — даты подтверждены у 1 организации, ждут подтверждения: 1" in block
    assert 'href="/proposals/"' in block


def test_bulk_decision_skips_a_proposal_decided_meanwhile_and_keeps_the_others(client, auth, world):
    from roadmap.models import AuditEvent
    from roadmap.tasks.proposals import reject_proposal

    manual = world["manual"]
    for login, day in (("school", "05.05.2023"), ("other", "06.05.2023")):
        auth.login(login)
        client.post(f"/proposals/measure/{manual.id}", data={"dates": day})
        auth.logout()
    first, second = db.session.scalars(select(DateProposal).order_by(DateProposal.id)).all()
    coordinator = db.session.scalars(select(User).where(User.login == "coord")).one()
    # A colleague rejects the second one while this coordinator's page is open.
    reject_proposal(second, coordinator, "не те даты")
    db.session.flush()
    auth.login("coord")
    page = client.post(
        "/proposals/",
        data={"proposal": [str(first.id), str(second.id)], "confirm": "Подтвердить отмеченные"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Подтверждено 1. Не подтверждено 1: 1.1, СОШ 8 — по этому предложению уже есть решение: отклонено." in page
    assert "Задачи: добавлено 1" in page
    assert (first.status, second.status) == (ProposalStatus.CONFIRMED, ProposalStatus.REJECTED)
    assert [t.due_on for t in _tasks(manual)] == [date(2023, 5, 5)]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "proposal.confirm_many")).one()
    assert event.details["done"] == [first.id]
    assert [item["id"] for item in event.details["skipped"]] == [second.id]
