"""Calendar feeds keep to their subscriber's territory: an organization feed of a municipality's
staff shows that organization's tasks of the municipality's roadmaps only (not a regional
roadmap's, nor those a moved school left in its old municipality's), its version moves with
those alone; the regional staff follow everything; a regional measure is one event per
occurrence across municipalities, its counts summed over all of them."""

from __future__ import annotations

from datetime import date

import icalendar
import pytest
from sqlalchemy import select

from roadmap.directory.service import save_organization
from roadmap.extensions import db
from roadmap.feeds.service import create_subscription
from roadmap.models import OrgGroup, OrgKind, Role, SubscriptionKind, Task, utcnow

pytestmark = pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")


def _this_year() -> tuple[date, date]:
    today = date.today()
    return date(today.year, 1, 1), date(today.year, 12, 31)


def _regional_user(role: Role, login: str):
    from roadmap.accounts.service import create_user

    user = create_user(login=login, full_name=login, password="secret123", role=role, municipality=None)
    db.session.flush()
    return user


def _feed(app, user, kind, target_id):
    _subscription, token = create_subscription(user, name="Телефон", kind=kind, target_id=target_id)
    db.session.commit()
    return f"/feeds/{token}.ics"


def _events(app, path) -> tuple[list, str]:
    answer = app.test_client().get(path)
    assert answer.status_code == 200
    calendar = icalendar.Calendar.from_ical(answer.data)
    return list(calendar.walk("VEVENT")), answer.headers["ETag"]


def _task_uids(events) -> set[int]:
    return {int(str(e["UID"]).split("@")[0].removeprefix("task-")) for e in events}


def _tasks(roadmap, org) -> set[int]:
    stmt = select(Task.id).where(
        Task.roadmap_id == roadmap.id, Task.organization_id == org.id, Task.is_cancelled.is_(False)
    )
    return set(db.session.scalars(stmt))


def test_an_organization_feed_of_municipal_staff_shows_their_municipalitys_roadmaps_only(app, world, make_roadmap):
    regional = make_roadmap(
        [("1.1", "Краевое мероприятие", "в течение года", [world.org_a])], period=_this_year(), title="Краевая карта"
    )
    db.session.commit()
    own, of_region = _tasks(world.published, world.org_a), _tasks(regional, world.org_a)
    assert own and of_region
    # The world's own regional roadmap (the cascade's) asks something of school A too.
    of_region |= _tasks(world.regional_measure.roadmap, world.org_a)
    for role in ("coordinator", "observer"):
        events, _etag = _events(app, _feed(app, world.users[role], SubscriptionKind.ORGANIZATION, world.org_a.id))
        # The municipality's staff cannot open the regional roadmap's tasks: nor does their calendar.
        assert _task_uids(events) == own, role
        assert not any("Краевое мероприятие" in str(e["SUMMARY"]) for e in events), role
    # The regional coordinator follows the school's tasks wherever they are.
    region = _regional_user(Role.COORDINATOR, "feed-region-coord")
    events, _etag = _events(app, _feed(app, region, SubscriptionKind.ORGANIZATION, world.org_a.id))
    assert _task_uids(events) == own | of_region


def test_a_moved_school_feed_leaves_its_old_municipalitys_tasks_behind(app, world, make_roadmap):
    moving = world.org_b
    left_behind = _tasks(world.published, moving)
    assert left_behind
    save_organization(
        moving,
        full_name=moving.full_name,
        short_name=moving.short_name,
        kind=moving.kind,
        municipality=world.elsewhere,
        student_count=None,
        is_active=True,
    )
    db.session.flush()
    theirs = make_roadmap(
        [("1.1", "Мероприятие второго", "в течение года", [moving])],
        period=_this_year(),
        municipality=world.elsewhere,
        title="Карта второго",
    )
    db.session.commit()
    for role in ("coordinator_b", "observer_b"):
        path = _feed(app, world.users[role], SubscriptionKind.ORGANIZATION, moving.id)
        events, etag = _events(app, path)
        assert _task_uids(events) == _tasks(theirs, moving), role
        body = app.test_client().get(path).get_data(as_text=True)
        assert "Родительские собрания" not in body and "Опубликованная карта" not in body, role
        # A change of the old municipality's task is none of this feed's business: same version.
        task = db.session.get(Task, min(left_behind))
        task.sequence += 1
        task.updated_at = utcnow()
        db.session.commit()
        assert _events(app, path)[1] == etag, role


def test_a_municipal_coordinator_cannot_subscribe_to_another_municipalitys_calendars(app, world, make_org):
    from roadmap.feeds.service import SubscriptionError

    coordinator_b = world.users["coordinator_b"]
    regional_org = make_org(short_name="Министерство", kind=OrgKind.DEPARTMENT, municipality=None)
    for kind, target in (
        (SubscriptionKind.ORGANIZATION, world.org_a.id),
        (SubscriptionKind.ORGANIZATION, regional_org.id),
        (SubscriptionKind.ROADMAP, world.published.id),
    ):
        with pytest.raises(SubscriptionError):
            create_subscription(coordinator_b, name="Чужая", kind=kind, target_id=target)
    # Nor are they offered: the page's choices hold nothing of A.
    from tests.security.conftest import login_as

    page = login_as(app, coordinator_b).get("/feeds/").get_data(as_text=True)
    assert "СОШ № 901" not in page and "Опубликованная карта" not in page and "Министерство" not in page
    # And B's own aggregated calendar holds nothing of A.
    events, _etag = _events(app, _feed(app, world.users["observer_b"], SubscriptionKind.PERSONAL, None))
    assert events == []


def test_a_feed_made_before_a_move_stops_when_the_organization_leaves_the_territory(app, world):
    path = _feed(app, world.users["coordinator"], SubscriptionKind.ORGANIZATION, world.org_b.id)
    assert app.test_client().get(path).status_code == 200
    moving = world.org_b
    save_organization(
        moving,
        full_name=moving.full_name,
        short_name=moving.short_name,
        kind=moving.kind,
        municipality=world.elsewhere,
        student_count=None,
        is_active=True,
    )
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_regional_staff_see_a_regional_measure_once_per_occurrence_across_municipalities(
    app, world, make_org, make_roadmap
):
    school_there = make_org(short_name="СОШ второго", municipality=world.elsewhere)
    every_school = OrgGroup(name="Все школы края", kind=OrgKind.SCHOOL, municipality=None)
    db.session.add(every_school)
    db.session.flush()
    regional = make_roadmap(
        [("1.1", "Краевой классный час", "ежеквартально", [every_school])], period=_this_year(), title="Краевая"
    )
    db.session.commit()
    schools = set(db.session.scalars(select(Task.organization_id).where(Task.roadmap_id == regional.id)))
    assert {world.org_a.id, world.org_b.id, school_there.id} <= schools
    occurrences = {
        key: len(
            set(
                db.session.scalars(
                    select(Task.organization_id).where(Task.occurrence_key == key, Task.roadmap_id == regional.id)
                )
            )
        )
        for key in db.session.scalars(select(Task.occurrence_key).where(Task.roadmap_id == regional.id).distinct())
    }
    region = _regional_user(Role.OBSERVER, "feed-region-observer")
    path = _feed(app, region, SubscriptionKind.ROADMAP, regional.id)
    # Every planned status, so no occurrence drops out of the window's selection.
    start, end = _this_year()
    answer = app.test_client().get(f"{path}?status=all&from={start.isoformat()}&to={end.isoformat()}")
    assert answer.status_code == 200
    events = list(icalendar.Calendar.from_ical(answer.data).walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)) == len(occurrences)
    for event in events:
        key = str(event["UID"]).split("@")[0].split("-", 2)[2]
        assert str(event["SUMMARY"]).endswith(f"0 из {occurrences[key]} выполнили"), event["SUMMARY"]
