from datetime import date

from sqlalchemy import func, select

from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import OrgGroup, OrgKind, Report, Task, TaskStatus, Transition
from roadmap.plans.service import apply_deadline
from roadmap.tasks.service import generate_tasks


def _count(roadmap, **filters):
    stmt = select(func.count(Task.id)).where(Task.roadmap_id == roadmap.id)
    for name, value in filters.items():
        stmt = stmt.where(getattr(Task, name) == value)
    return db.session.scalar(stmt)


def test_fan_out_per_party_kind(make_org, make_roadmap):
    schools = [make_org(kind=OrgKind.SCHOOL, municipality="г. Н") for _ in range(5)]
    make_org(kind=OrgKind.SCHOOL, municipality="г. Другой")
    make_org(kind=OrgKind.SCHOOL, municipality="г. Н", is_active=False)
    colleges = [make_org(kind=OrgKind.COLLEGE) for _ in range(3)]
    partners = [make_org(kind=OrgKind.ENTERPRISE) for _ in range(2)]
    centre = make_org(kind=OrgKind.CENTRE)
    all_schools = OrgGroup(name="ОО г. Н", kind=OrgKind.SCHOOL, municipality=municipality_named("г. Н"))
    all_colleges = OrgGroup(name="СПО тест", kind=OrgKind.COLLEGE)
    partner_group = OrgGroup(name="партнёры тест", members=partners)
    db.session.add_all([all_schools, all_colleges, partner_group])
    db.session.flush()
    roadmap = make_roadmap(
        [
            ("1.1", "Школам", "сентябрь, ежегодно", [all_schools]),
            ("1.2", "Колледжам и центру", "1 раз в полугодие", [all_colleges, centre]),
            ("1.3", "Партнёрам", "до 1 сентября", [partner_group]),
            ("1.4", "Школам и колледжам с пересечением", "май", [all_schools, schools[0]]),
        ]
    )
    by_measure = dict(
        db.session.execute(
            select(Task.measure_id, func.count(Task.id)).where(Task.roadmap_id == roadmap.id).group_by(Task.measure_id)
        ).all()
    )
    counts = [by_measure[m.id] for m in roadmap.measures]
    # 5 active schools of the municipality; (3 colleges + centre) × 2 halves; 2 partners; no duplicate school.
    assert counts == [5, 8, 2, 5]
    assert {
        t.organization_id for t in db.session.scalars(select(Task).where(Task.measure_id == roadmap.measures[2].id))
    } == {p.id for p in partners}
    assert len(colleges) == 3


def test_generation_twice_changes_nothing(make_org, make_roadmap):
    org = make_org()
    roadmap = make_roadmap([("1.1", "М", "ежемесячно", [org]), ("1.2", "Н", "ноябрь-январь", [org])])
    before = db.session.execute(select(Task.id, Task.version, Task.due_on).order_by(Task.id)).all()
    result = generate_tasks(roadmap)
    assert result.written == 0
    assert result.unchanged == 13
    assert db.session.execute(select(Task.id, Task.version, Task.due_on).order_by(Task.id)).all() == before


def test_new_school_gets_its_tasks_and_dates_move(make_org, make_roadmap):
    group = OrgGroup(name="ОО поздние", kind=OrgKind.SCHOOL, municipality=municipality_named("г. П"))
    db.session.add(group)
    make_org(kind=OrgKind.SCHOOL, municipality="г. П")
    db.session.flush()
    roadmap = make_roadmap([("1.1", "М", "сентябрь", [group])])
    assert _count(roadmap) == 1
    make_org(kind=OrgKind.SCHOOL, municipality="г. П")
    assert generate_tasks(roadmap).added == 1
    measure = roadmap.measures[0]
    apply_deadline(measure, "октябрь")
    result = generate_tasks(roadmap)
    assert result.changed == 2 and result.added == 0
    task = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).first()
    assert (task.start_on, task.due_on) == (date(2023, 10, 1), date(2023, 10, 31))
    assert task.sequence == 1


def test_task_with_history_is_cancelled_not_deleted(make_org, make_user, make_roadmap):
    org = make_org()
    other = make_org()
    roadmap = make_roadmap([("1.1", "М", "сентябрь", [org, other])])
    task = db.session.scalars(select(Task).where(Task.organization_id == org.id)).one()
    user = make_user(organization=org)
    db.session.add(Report(task=task, author_id=user.id, comment="сделано"))
    db.session.add(Transition(task=task, user_id=user.id, from_status="planned", to_status="submitted"))
    task.status = TaskStatus.SUBMITTED
    db.session.flush()
    roadmap.measures[0].is_removed = True
    db.session.flush()
    result = generate_tasks(roadmap, reason="исключено")
    assert (result.cancelled, result.removed) == (1, 1)
    kept = db.session.get(Task, task.id)
    assert kept.is_cancelled and kept.cancel_reason == "исключено"
    assert _count(roadmap) == 1
    roadmap.measures[0].is_removed = False
    db.session.flush()
    result = generate_tasks(roadmap)
    assert result.restored == 1 and result.added == 1
    assert not db.session.get(Task, task.id).is_cancelled


def test_multi_year_roadmap_has_tasks_for_every_plan_year(make_org, make_roadmap):
    org = make_org()
    roadmap = make_roadmap(
        [("1.1", "М", "сентябрь, ежегодно", [org]), ("1.2", "Н", "в течение всего периода", [org])],
        period=(date(2022, 1, 1), date(2024, 12, 31)),
    )
    years = db.session.scalars(
        select(Task.plan_year).where(Task.measure_id == roadmap.measures[0].id).order_by(Task.plan_year)
    ).all()
    assert years == [2022, 2023, 2024]
    assert _count(roadmap) == 4


def test_academic_year_and_shift_rules(make_org, make_roadmap):
    org = make_org()
    roadmap = make_roadmap(
        [("1.1", "М", "январь, ежегодно", [org]), ("1.2", "Н", "сентябрь", [org])],
        period=(date(2023, 9, 1), date(2024, 8, 31)),
        year_type="academic",
        shift="previous",
    )
    tasks = {t.measure_id: t for t in db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id))}
    january = tasks[roadmap.measures[0].id]
    assert (january.start_on, january.due_on) == (date(2024, 1, 1), date(2024, 1, 31))
    september = tasks[roadmap.measures[1].id]
    assert september.due_on == date(2023, 9, 30)  # a Saturday
    assert september.due_effective_on == date(2023, 9, 29)


def test_overdue_with_each_shift_rule_and_across_year_end(make_org, make_roadmap):
    org = make_org()
    for shift, effective in (("next", date(2023, 10, 2)), ("previous", date(2023, 9, 29)), ("none", date(2023, 9, 30))):
        roadmap = make_roadmap([("1.1", "М", "сентябрь", [org])], shift=shift, title=f"Карта {shift}")
        task = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).one()
        assert task.due_effective_on == effective
        assert not task.is_overdue(effective)
        from datetime import timedelta

        assert task.is_overdue(effective + timedelta(days=1))
    wrap = make_roadmap([("1.1", "М", "ноябрь-январь", [org])], title="Через год")
    task = db.session.scalars(select(Task).where(Task.roadmap_id == wrap.id)).one()
    assert task.due_on == date(2024, 1, 31)
    assert not task.is_overdue(date(2023, 12, 31))
    assert task.is_overdue(date(2024, 2, 1))


def test_publishing_notifies_each_executor_once(make_org, make_user, make_roadmap):
    from roadmap.models import Notice, Role
    from roadmap.plans.service import publish_roadmap

    school, other = make_org(), make_org()
    make_user(organization=other)
    first, second = make_user(organization=school), make_user(organization=school)
    make_user(role=Role.COORDINATOR)
    roadmap = make_roadmap([("1.1", "М", "ежеквартально", [school])], publish=False)
    publish_roadmap(roadmap, None)
    notices = db.session.execute(select(Notice.user_id, Notice.text)).all()
    assert sorted(n.user_id for n in notices) == sorted([first.id, second.id])
    assert {n.text for n in notices} == {"4 новые задачи по дорожной карте «Тестовая дорожная карта на 2023 г.»."}


def test_rollover_copies_the_roadmap_for_the_next_year(make_org, make_roadmap):
    from roadmap.models import Roadmap, RoadmapStatus
    from roadmap.plans.service import rollover

    org = make_org()
    old = make_roadmap([("1.1", "М", "сентябрь, ежегодно", [org]), ("1.2", "Н", "май", [org])], title="План на 2023 г.")
    copy = rollover(old, None)
    assert copy.title == "План на 2024 г." and copy.status == RoadmapStatus.DRAFT
    assert (copy.period_start, copy.period_end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert [m.number for m in copy.measures] == ["1.1", "1.2"]
    assert copy.measures[0].parties[0].organization_id == org.id
    assert copy.previous_roadmap_id == old.id
    assert db.session.get(Roadmap, old.id).status == RoadmapStatus.PUBLISHED
    assert _count(old) == 2
