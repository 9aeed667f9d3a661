"""Closed vocabularies: every enum column accepts exactly its enum's values, in the migrated database."""

from datetime import date

import pytest
from sqlalchemy import Enum, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from roadmap.extensions import db
from roadmap.models import (
    Base,
    DateProposal,
    Measure,
    MeasureTarget,
    Notice,
    NoticeKind,
    OrgGroup,
    OrgKind,
    ReminderKind,
    ReminderLog,
    Roadmap,
    Subscription,
    SubscriptionKind,
    Task,
    TaskStatus,
    Transition,
)
from roadmap.models.task import refresh_tallies
from roadmap.schedule import KINDS, ScheduleKind, ShiftRule, YearType, parse
from roadmap.targets import TargetKind


def _enum_columns():
    return [
        (table.name, column.name, column.type.enum_class)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Enum)
    ]


@pytest.fixture
def one_row_each(make_org, make_user, make_roadmap):
    """A row in every table that has an enum column."""
    school = make_org(short_name="Школа 1", kind=OrgKind.SCHOOL)
    db.session.add(OrgGroup(name="Все школы", kind=OrgKind.SCHOOL))
    user = make_user(organization=school)
    roadmap = make_roadmap([("1.1", "Мероприятие", "сентябрь", [school])])
    task = db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).first()
    measure = db.session.get(Measure, task.measure_id)
    db.session.add_all(
        [
            Transition(
                task_id=task.id, user_id=user.id, from_status=TaskStatus.SUBMITTED, to_status=TaskStatus.RETURNED
            ),
            Notice(user_id=user.id, kind=NoticeKind.RETURNED, text="Отчёт возвращён"),
            Subscription(user_id=user.id, name="Телефон", token_hash="h" * 64, kind=SubscriptionKind.PERSONAL),
            ReminderLog(user_id=user.id, kind=ReminderKind.DAILY, sent_on=date(2023, 9, 1)),
            DateProposal(measure_id=measure.id, organization_id=school.id, dates=[]),
            MeasureTarget(measure_id=measure.id, kind=TargetKind.PARTICIPANTS, planned=10, text=""),
        ]
    )
    db.session.flush()


def _set(table: str, column: str, value: str) -> None:
    with db.session.begin_nested():
        db.session.execute(text(f"UPDATE {table} SET {column} = :value"), {"value": value})


def test_every_enum_column_is_covered_here():
    covered = {
        ("organization", "kind"),
        ("org_group", "kind"),
        ("user_account", "role"),
        ("roadmap", "year_type"),
        ("roadmap", "shift_rule"),
        ("roadmap", "status"),
        ("measure", "schedule_kind"),
        ("task", "status"),
        ("transition", "from_status"),
        ("transition", "to_status"),
        ("transition", "reason"),
        ("notice", "kind"),
        ("subscription", "kind"),
        ("reminder_log", "kind"),
        ("date_proposal", "status"),
        ("measure_target", "kind"),
    }
    assert {(table, column) for table, column, _ in _enum_columns()} == covered


@pytest.mark.parametrize(("table", "column", "enum_cls"), _enum_columns(), ids=lambda v: getattr(v, "__name__", v))
def test_the_database_accepts_the_vocabulary_and_refuses_anything_else(one_row_each, table, column, enum_cls):
    assert db.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() >= 1
    # Every member is allowed: a member added without a migration fails here, not in production.
    for member in enum_cls:
        _set(table, column, member.value)
    for bad in ("bogus", member.value.upper(), f" {member.value}"):
        with pytest.raises(IntegrityError):
            _set(table, column, bad)
    if table == "task":
        # Raw writes of tasks: their occurrences counted again, as the application's bulk writers do.
        roadmap_ids = db.session.scalars(select(Roadmap.id)).all()
        refresh_tallies(db.session.connection(), dict.fromkeys(roadmap_ids))


def test_orm_attributes_hold_members_and_refuse_other_values(one_row_each):
    roadmap = db.session.scalars(select(Roadmap)).first()
    roadmap.year_type = "academic"
    assert roadmap.year_type is YearType.ACADEMIC
    assert Subscription(kind="roadmap").kind is SubscriptionKind.ROADMAP
    with pytest.raises(ValueError, match="'fiscal' is not a valid YearType"):
        roadmap.year_type = "fiscal"
    assert roadmap.year_type is YearType.ACADEMIC
    # Bound parameters are checked too (a Core UPDATE bypasses the attribute).
    with pytest.raises(StatementError, match="'fiscal' is not among the defined enum values"):
        db.session.execute(Roadmap.__table__.update().values(year_type="fiscal"))


def test_columns_use_the_pure_core_vocabularies():
    # One definition: the schedule's own enums are the columns' enums.
    assert Measure.__table__.c.schedule_kind.type.enum_class is ScheduleKind
    assert Roadmap.__table__.c.year_type.type.enum_class is YearType
    assert Roadmap.__table__.c.shift_rule.type.enum_class is ShiftRule
    assert Transition.__table__.c.to_status.type.enum_class is TaskStatus
    assert tuple(ScheduleKind) == KINDS


@pytest.mark.parametrize(
    ("phrase", "kind"),
    [
        ("до 1 сентября", ScheduleKind.DEADLINE),
        ("сентябрь–октябрь", ScheduleKind.WINDOW),
        ("в течение года", ScheduleKind.CONTINUOUS),
        ("ежеквартально", ScheduleKind.PERIODIC),
        ("по плану ОО", ScheduleKind.MANUAL),
        ("когда-нибудь", ScheduleKind.UNPARSED),
    ],
)
def test_parsed_kinds_are_members(phrase, kind):
    schedule = parse(phrase)
    assert schedule.kind is kind
    assert type(schedule.from_dict(schedule.to_dict()).kind) is ScheduleKind


def test_read_back_values_are_members(one_row_each):
    roadmap = db.session.scalars(select(Roadmap)).first()
    db.session.expire_all()
    assert roadmap.year_type is YearType.CALENDAR
    assert roadmap.shift_rule is ShiftRule.NEXT
    assert db.session.scalars(select(Subscription.kind)).one() is SubscriptionKind.PERSONAL
    assert db.session.scalars(select(Subscription)).one().kind.label == "Мои задачи"
    assert [t.reason for t in db.session.scalars(select(Transition))] == [None]
