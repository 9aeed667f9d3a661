"""Municipalities do not see each other: the access rules and their SQL mirrors agree, lists of
another municipality's staff hold nothing of A, the regional staff see both, a school moving to
another municipality is seen from the new one only, a municipal roadmap reaches its own
municipality's organizations only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from roadmap.directory.service import group_members, save_organization
from roadmap.extensions import db
from roadmap.models import Organization, OrgGroup, OrgKind, Roadmap, Role, Task
from roadmap.tasks.access import (
    can_view_organization,
    can_view_roadmap,
    can_view_task,
    visible_organizations,
    visible_roadmaps,
    visible_tasks,
)
from tests.security.conftest import login_as

pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")


def _ids(stmt, column) -> set[int]:
    return set(db.session.scalars(stmt.with_only_columns(column)))


def test_sql_rules_agree_with_the_one_by_one_rules(app, world, make_org, make_roadmap):
    # Something of B too: a school and a published roadmap of the other municipality.
    school_b = make_org(short_name="СОШ № 1 другого", municipality=world.elsewhere)
    make_roadmap([("1.1", "Мероприятие Б", "в течение года", [school_b])], municipality=world.elsewhere, title="Б")
    regional = make_org(short_name="Министерство", kind=OrgKind.DEPARTMENT, municipality=None)
    region_coordinator = _user(Role.COORDINATOR, "region-coord")
    users = [*[u for u in world.users.values() if u is not None], region_coordinator]
    roadmaps, tasks = db.session.scalars(select(Roadmap)).all(), db.session.scalars(select(Task)).all()
    orgs = db.session.scalars(select(Organization)).all()
    for user in users:
        assert _ids(visible_roadmaps(user), Roadmap.id) == {r.id for r in roadmaps if can_view_roadmap(user, r)}
        assert _ids(visible_tasks(user), Task.id) == {t.id for t in tasks if can_view_task(user, t)}
        seen = _ids(visible_organizations(user), Organization.id)
        assert seen == {o.id for o in orgs if can_view_organization(user, o)}, user.login
    b = world.users["coordinator_b"]
    assert _ids(visible_organizations(b), Organization.id) >= {school_b.id, regional.id}
    assert world.org_a.id not in _ids(visible_organizations(b), Organization.id)
    assert {r.title for r in roadmaps if can_view_roadmap(b, r)} == {"Б"}
    assert {r.id for r in roadmaps if can_view_roadmap(region_coordinator, r)} == {r.id for r in roadmaps}


def _user(role, login, municipality=None):
    from roadmap.accounts.service import create_user

    user = create_user(login=login, full_name=login, password="secret123", role=role, municipality=municipality)
    db.session.flush()
    return user


def test_another_municipalitys_lists_hold_nothing_of_a(app, world):
    a_words = (
        "Опубликованная карта",
        "Черновик",
        "Карта для архива",
        "СОШ № 901",
        "СОШ № 902",
        "Классные часы",
        "Региональное поручение",  # the region asks it of A's school: B's cascade page does not list it
    )
    for role in ("coordinator_b", "observer_b"):
        client = login_as(app, world.users[role])
        for path in ("/roadmaps/", "/review", "/proposals/", "/feeds/", "/notices", "/", "/cascade/"):
            body = client.get(path).get_data(as_text=True)
            leaked = [word for word in a_words if word in body]
            assert not leaked, (role, path, leaked)
        headers = {"Authorization": f"Bearer {world.api_tokens[role]}"}
        api = app.test_client()
        for path in ("/api/v1/roadmaps", "/api/v1/tasks", "/api/v1/organizations"):
            answer = api.get(path, headers=headers).get_json()
            items = answer["items"] if isinstance(answer, dict) else answer
            assert items == [], (role, path)
        groups = api.get("/api/v1/groups", headers=headers).get_json()
        assert all(world.org_a.id not in g["member_ids"] for g in groups)
    # Nor may B's coordinator subscribe to A's calendars.
    client = login_as(app, world.users["coordinator_b"])
    for kind, target in (("organization", world.org_a.id), ("roadmap", world.published.id)):
        field = "organization_id" if kind == "organization" else "roadmap_id"
        answer = client.post("/feeds/new", data={"name": "Чужая", "kind": kind, field: target, "statuses": ["planned"]})
        assert answer.status_code == 400, kind
    # A's coordinator sees all of it.
    body = login_as(app, world.users["coordinator"]).get("/roadmaps/").get_data(as_text=True)
    assert "Опубликованная карта" in body and "Черновик" in body
    assert "Региональное поручение" in login_as(app, world.users["coordinator"]).get("/cascade/").get_data(as_text=True)


def test_the_regional_coordinator_sees_every_municipality(app, world, make_org, make_roadmap):
    school_b = make_org(short_name="СОШ № 7 второго", municipality=world.elsewhere)
    make_roadmap([("1.1", "Мероприятие второго", "в течение года", [school_b])], municipality=world.elsewhere)
    region = _user(Role.COORDINATOR, "region-coord")
    db.session.commit()
    client = login_as(app, region)
    body = client.get("/roadmaps/").get_data(as_text=True)
    assert "Опубликованная карта" in body and "Тестовая дорожная карта" in body
    assert client.get(f"/roadmaps/{world.published.id}").status_code == 200
    assert client.get(f"/tasks/{world.task_a.id}").status_code == 200


def test_a_school_moving_to_another_municipality_is_seen_from_the_new_one(app, world, make_roadmap):
    here, elsewhere = world.here, world.elsewhere
    schools_here = OrgGroup(name="ОО первого", kind=OrgKind.SCHOOL, municipality=here)
    schools_there = OrgGroup(name="ОО второго", kind=OrgKind.SCHOOL, municipality=elsewhere)
    db.session.add_all([schools_here, schools_there])
    db.session.flush()
    today = date.today()
    plan = make_roadmap(
        [("1.1", "Для всех школ первого", "ежемесячно", [schools_here])],
        period=(date(today.year, 1, 1), date(today.year, 12, 31)),
        municipality=here,
        title="Карта первого",
    )
    moving = world.org_b
    before = db.session.scalars(
        select(Task).where(Task.roadmap_id == plan.id, Task.organization_id == moving.id, Task.is_cancelled.is_(False))
    ).all()
    assert before
    a, b = world.users["coordinator"], world.users["coordinator_b"]
    assert can_view_organization(a, moving) and not can_view_organization(b, moving)

    save_organization(
        moving,
        full_name=moving.full_name,
        short_name=moving.short_name,
        kind=moving.kind,
        municipality=elsewhere,
        student_count=None,
        is_active=True,
    )
    db.session.flush()
    assert moving.region_id == elsewhere.region_id
    # The directory follows: the old municipality's staff lose sight of the school, the new one's gain it.
    assert not can_view_organization(a, moving) and can_view_organization(b, moving)
    assert moving.id not in _ids(visible_organizations(a), Organization.id)
    assert moving.id in _ids(visible_organizations(b), Organization.id)
    members = group_members({schools_here.id, schools_there.id})
    assert moving.id not in members[schools_here.id] and moving.id in members[schools_there.id]
    # Regenerating the old municipality's roadmap takes the school's open tasks out of it; its
    # reported task (history) stays the school's: its executor still opens it.
    from roadmap.tasks.service import generate_tasks

    generate_tasks(plan)
    db.session.flush()
    still = db.session.scalars(
        select(Task).where(Task.roadmap_id == plan.id, Task.organization_id == moving.id, Task.is_cancelled.is_(False))
    ).all()
    assert still == []
    executor_b = world.users["executor_other"]
    assert can_view_task(executor_b, world.task_b)


def test_a_municipal_roadmap_reaches_only_its_municipality(app, world, make_org, make_roadmap):
    school_there = make_org(short_name="СОШ второго", municipality=world.elsewhere)
    college = make_org(short_name="Региональный колледж", kind=OrgKind.COLLEGE, municipality=None)
    every_school = OrgGroup(name="Все школы края", kind=OrgKind.SCHOOL, municipality=None)
    every_college = OrgGroup(name="Все колледжи края", kind=OrgKind.COLLEGE, municipality=None)
    db.session.add_all([every_school, every_college])
    db.session.flush()
    plan = make_roadmap(
        [("1.1", "Всем школам", "в течение года", [every_school, every_college, school_there])],
        municipality=world.here,
    )
    reached = set(db.session.scalars(select(Task.organization_id).where(Task.roadmap_id == plan.id)))
    assert school_there.id not in reached
    assert {world.org_a.id, world.org_b.id, college.id} <= reached
    regional = make_roadmap([("1.1", "Всем школам края", "в течение года", [every_school])])
    reached = set(db.session.scalars(select(Task.organization_id).where(Task.roadmap_id == regional.id)))
    assert {world.org_a.id, world.org_b.id, school_there.id} <= reached


def test_a_municipal_coordinator_imports_into_their_municipality(app, world):
    from roadmap.importers.model import ParsedRoadmap
    from roadmap.plans.service import create_roadmap

    roadmap = create_roadmap(ParsedRoadmap(), user=world.users["coordinator_b"], title="Карта второго")
    assert roadmap.municipality_id == world.elsewhere.id
    assert not can_view_roadmap(world.users["coordinator"], roadmap)
    regional = create_roadmap(ParsedRoadmap(), user=_user(Role.COORDINATOR, "region-coord"), title="Краевая")
    assert regional.municipality_id is None


def test_reminder_digests_tell_each_coordinator_of_their_own_territory(app, world):
    from roadmap.reminders.service import coordinator_digests

    world.users["coordinator"].email = "a@example.invalid"
    world.users["coordinator_b"].email = "b@example.invalid"
    db.session.flush()
    digests = {recipient.id: digest for recipient, digest in coordinator_digests(date.today())}
    mine = digests[world.users["coordinator"].id]
    assert mine.waiting_count == 1  # A's submitted report
    assert world.users["coordinator_b"].id not in digests  # nothing of B's waits or is overdue


def test_the_admin_sets_a_users_territory(app, world):
    admin = login_as(app, world.users["admin"])
    user = world.users["coordinator_b"]
    page = admin.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "Территория" in page and "Весь регион" in page and "г. Второй" in page
    form = {"login": user.login, "full_name": user.full_name, "role": "coordinator", "organization_id": 0}
    answer = admin.post(
        f"/admin/users/{user.id}/edit", data={**form, "municipality_id": world.here.id, "is_active": "y"}
    )
    assert answer.status_code == 302
    db.session.refresh(user)
    assert user.municipality_id == world.here.id
    admin.post(f"/admin/users/{user.id}/edit", data={**form, "municipality_id": 0, "is_active": "y"})
    db.session.refresh(user)
    assert user.municipality_id is None
    # An executor is scoped by its organization: a municipality for it is refused, in Russian.
    executor = world.users["executor_own"]
    refused = admin.post(
        f"/admin/users/{executor.id}/edit",
        data={
            "login": executor.login,
            "full_name": "И",
            "role": "executor",
            "organization_id": world.org_a.id,
            "municipality_id": world.here.id,
            "is_active": "y",
        },
    )
    assert refused.status_code == 400
    assert "Муниципалитет задаётся только координатору и наблюдателю" in refused.get_data(as_text=True)
    assert "г. Первый" in admin.get("/admin/users").get_data(as_text=True)


def test_the_organization_pages_show_the_municipality(app, world):
    admin = login_as(app, world.users["admin"])
    listing = admin.get("/admin/organizations?q=901").get_data(as_text=True)
    assert "СОШ № 901" in listing and "г. Первый" in listing
    edit = admin.get(f"/admin/organizations/{world.org_a.id}/edit").get_data(as_text=True)
    assert 'value="г. Первый"' in edit


def test_another_municipality_guessing_ids_reaches_nothing(app, world):
    client = login_as(app, world.users["coordinator_b"])
    for path in (
        f"/roadmaps/{world.published.id}",
        f"/roadmaps/{world.draft.id}/review",
        f"/roadmaps/{world.published.id}/export.xlsx",
        f"/tasks/{world.task_a.id}",
        f"/attachments/{world.attachment_a.id}",
        f"/proposals/{world.proposal_a.id}",
        f"/reports/my.csv?roadmap={world.published.id}&org={world.org_a.id}",
    ):
        assert client.get(path).status_code == 404, path
    client.post("/proposals/", data={"proposal": [str(world.proposal_a.id)], "confirm": "Подтвердить отмеченные"})
    db.session.refresh(world.proposal_a)
    assert world.proposal_a.status.value == "proposed"
    client.post(f"/tasks/{world.task_a.id}/review", data={"accept": "Принять"})
    client.post("/review", data={"accept": "Принять", "task": [str(world.task_a.id)]})
    db.session.refresh(world.task_a)
    assert world.task_a.status.value == "submitted"
