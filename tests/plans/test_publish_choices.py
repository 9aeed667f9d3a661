"""Publishing when most deadlines are already past: the coordinator chooses, the page and the CLI
say what happened; and mapping parties through one shared list of organizations."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from roadmap.clock import today_for
from roadmap.extensions import db
from roadmap.models import AuditEvent, MeasureParty, Organization, OrgGroup, OrgKind, Role, Task
from roadmap.plans.service import (
    PastDeadlines,
    PlanError,
    mapping_targets,
    publish_problems,
    publish_roadmap,
    resolve_target,
    review_roadmap,
    start_period_today,
    task_forecast,
)


def _mostly_past_roadmap(make_roadmap, org):
    """A draft whose period runs from 200 days ago to 30 days ahead: three of four dates are over."""
    today = today_for(None)
    days = [today - timedelta(days=n) for n in (150, 100, 50)] + [today + timedelta(days=20)]
    rows = [(f"1.{n + 1}", f"Мероприятие {n + 1}", f"{day:%d.%m.%Y}", [org]) for n, day in enumerate(days)]
    roadmap = make_roadmap(rows, period=(today - timedelta(days=200), today + timedelta(days=30)), publish=False)
    return roadmap, today


def _tasks(roadmap):
    return db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id, Task.is_cancelled.is_(False))).all()


def test_the_review_page_asks_how_to_publish_when_most_deadlines_are_past(
    client, auth, make_org, make_user, make_roadmap
):
    roadmap, today = _mostly_past_roadmap(make_roadmap, make_org())
    make_user(role=Role.COORDINATOR, login="coord")
    auth.login("coord")
    assert task_forecast(roadmap, today).mostly_past
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert "Сроки 3 из 4 задач уже прошли" in page
    # no one-click publish: the button leads to the choice, each choice a required radio
    assert 'href="#mostly-past">Опубликовать…</a>' in page
    for choice in PastDeadlines:
        assert f'id="past-{choice.value}" value="{choice.value}" required' in page
    assert f"период начнётся {today:%d.%m.%Y}" in page


def test_start_from_today_moves_the_period_and_creates_only_what_is_ahead(
    client, auth, make_org, make_user, make_roadmap
):
    roadmap, today = _mostly_past_roadmap(make_roadmap, make_org())
    make_user(role=Role.COORDINATOR, login="coord")
    auth.login("coord")
    response = client.post(f"/roadmaps/{roadmap.id}/publish", data={"past": "from_today"}, follow_redirects=True)
    assert response.status_code == 200
    assert f"Период начинается {today:%d.%m.%Y}." in response.get_data(as_text=True)
    db.session.refresh(roadmap)
    assert roadmap.period_start == today and not roadmap.is_draft
    assert [task.due_on for task in _tasks(roadmap)] == [today + timedelta(days=20)]
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roadmap_period_changed"))
    assert audit is not None and f"→ {today:%d.%m.%Y}" in audit.summary


def test_not_required_creates_every_task_and_marks_the_past_ones(client, auth, make_org, make_user, make_roadmap):
    roadmap, today = _mostly_past_roadmap(make_roadmap, make_org())
    make_user(role=Role.COORDINATOR, login="coord")
    auth.login("coord")
    response = client.post(f"/roadmaps/{roadmap.id}/publish", data={"past": "not_required"}, follow_redirects=True)
    assert "Срок уже прошёл — отмечено «не требуется»: 3." in response.get_data(as_text=True)
    tasks = _tasks(roadmap)
    assert len(tasks) == 4
    assert sorted(task.is_not_applicable for task in tasks) == [False, True, True, True]
    assert all(task.is_not_applicable == (task.due_effective_on < today) for task in tasks)


def test_keep_publishes_as_is_and_an_unknown_choice_is_refused(client, auth, make_org, make_user, make_roadmap):
    roadmap, _ = _mostly_past_roadmap(make_roadmap, make_org())
    make_user(role=Role.COORDINATOR, login="coord")
    auth.login("coord")
    assert client.post(f"/roadmaps/{roadmap.id}/publish", data={"past": "whatever"}).status_code == 400
    assert db.session.get(type(roadmap), roadmap.id).is_draft
    client.post(f"/roadmaps/{roadmap.id}/publish", data={"past": "keep"})
    tasks = _tasks(roadmap)
    assert len(tasks) == 4 and not any(task.is_not_applicable for task in tasks)


def test_start_from_today_is_refused_outside_the_period(make_org, make_roadmap):
    roadmap = make_roadmap([("1.1", "М", "март", [make_org()])], publish=False)  # 2023: over
    with pytest.raises(PlanError, match="Период дорожной карты закончился 31.12.2023"):
        publish_roadmap(roadmap, None, PastDeadlines.FROM_TODAY)
    today = today_for(roadmap)
    ahead = make_roadmap(
        [("1.1", "М", f"{today + timedelta(days=40):%d.%m.%Y}", [make_org()])],
        period=(today + timedelta(days=10), today + timedelta(days=100)),
        publish=False,
    )
    with pytest.raises(PlanError, match="Период ещё не начался"):
        start_period_today(ahead, None, today)


def test_the_cli_offers_the_same_choices(app, make_org, make_roadmap):
    roadmap, today = _mostly_past_roadmap(make_roadmap, make_org())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["roadmap", "publish", str(roadmap.id), "--past", "from_today"])
    assert result.exit_code == 0, result.output
    assert f"Период начинается {today:%d.%m.%Y}." in result.output
    assert db.session.scalar(select(func.count(Task.id)).where(Task.roadmap_id == roadmap.id)) == 1
    bad = app.test_cli_runner().invoke(args=["roadmap", "publish", str(roadmap.id), "--past", "never"])
    assert bad.exit_code == 2


def test_publish_problems_from_given_reviews_equal_a_fresh_look(make_org, make_roadmap):
    roadmap = make_roadmap([("1.1", "М", "когда получится", [make_org()]), ("1.2", "Н", "март", [])], publish=False)
    reviews = review_roadmap(roadmap)
    assert publish_problems(roadmap, reviews) == publish_problems(roadmap) != []


# ---------------------------------------------------------------- mapping through one list


def test_targets_have_unique_labels_in_natural_order(make_org):
    make_org(kind=OrgKind.SCHOOL, short_name="СОШ № 10", full_name="МБОУ СОШ № 10")
    make_org(kind=OrgKind.SCHOOL, short_name="СОШ № 2", full_name="МБОУ СОШ № 2 г. Т")
    make_org(kind=OrgKind.SCHOOL, short_name="СОШ № 2", full_name="МБОУ СОШ № 2 ст. Е")
    db.session.add(OrgGroup(name="Все школы", kind=OrgKind.SCHOOL))
    db.session.flush()
    labels = [label for _, label in mapping_targets()]
    assert labels[0] == "Группа: Все школы"
    schools = [label for label in labels if label.startswith("СОШ")]
    assert schools == ["СОШ № 2 (МБОУ СОШ № 2 г. Т)", "СОШ № 2 (МБОУ СОШ № 2 ст. Е)", "СОШ № 10"]
    assert len(set(labels)) == len(labels)


def test_a_typed_or_picked_name_resolves_and_an_unknown_one_is_explained(make_org):
    school = make_org(short_name="Гимназия № 3")
    targets = mapping_targets()
    assert resolve_target("  гимназия   № 3 ", targets) == (school.id, None)
    assert resolve_target(f"o{school.id}", targets) == (school.id, None)
    with pytest.raises(PlanError, match="«Лицей № 99» нет среди организаций и групп"):
        resolve_target("Лицей № 99", targets)
    with pytest.raises(PlanError, match="Выберите организацию или группу"):
        resolve_target("   ", targets)


def test_mapping_by_name_on_the_review_page(client, auth, make_org, make_user, make_roadmap):
    school = make_org(short_name="СОШ № 7")
    roadmap = make_roadmap([("1.1", "М", "март", [])], publish=False)
    measure = roadmap.measures[0]
    party = MeasureParty(position=0, text="школа семь", measure=measure)
    db.session.add(party)
    db.session.flush()
    make_user(role=Role.COORDINATOR, login="coord")
    auth.login("coord")
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    assert page.count('<datalist id="mapping-targets">') == 1 and 'list="mapping-targets"' in page
    wrong = client.post(
        f"/roadmaps/{roadmap.id}/parties/{party.id}/map", data={"target": "СОШ № 77"}, follow_redirects=True
    )
    assert "«СОШ № 77» нет среди организаций и групп" in wrong.get_data(as_text=True)
    assert db.session.get(MeasureParty, party.id).organization_id is None
    client.post(f"/roadmaps/{roadmap.id}/parties/{party.id}/map", data={"target": "СОШ № 7"})
    assert db.session.get(MeasureParty, party.id).organization_id == school.id


def test_the_review_page_stays_small_with_a_region_of_organizations(client, auth, make_user, make_roadmap):
    """1,100 organizations and 100 measures with an unmatched party each: the list is sent once."""
    db.session.add_all(
        Organization(
            full_name=f"МБОУ СОШ № {n} муниципального образования", short_name=f"СОШ № {n}", kind=OrgKind.SCHOOL
        )
        for n in range(1, 1101)
    )
    roadmap = make_roadmap([(f"1.{n}", f"Мероприятие {n}", "март", []) for n in range(1, 101)], publish=False)
    for measure in roadmap.measures:
        db.session.add(MeasureParty(position=0, text=f"Кто-то {measure.number}", measure=measure))
    db.session.flush()
    make_user(role=Role.COORDINATOR, login="coord")
    auth.login("coord")
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data()
    assert page.count(b'list="mapping-targets"') == 100
    datalist = page.split(b'<datalist id="mapping-targets">')[1].split(b"</datalist>")[0]
    assert datalist.count(b"<option") == 1100
    assert page.count(b"<option") - 1100 < 20  # elsewhere only the settings' own short lists
    assert len(page) < 2 * 1024 * 1024, len(page)
