"""Fixtures for calendar feeds: two schools, a roadmap, users of each role, subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from roadmap.extensions import db
from roadmap.models import Role, Task
from tests.ical.conftest import ical_js, ruby_icalendar  # noqa: F401  (strict parsers, shared with tests/ical)

# Feeds cut a window around "today"; pinning it keeps the 2023 roadmap inside the window.
TODAY = date(2023, 9, 15)


@pytest.fixture(autouse=True)
def feed_today(app):
    app.config["FEED_TODAY"] = TODAY
    return TODAY


@dataclass
class World:
    school_a: Any
    school_b: Any
    roadmap: Any
    executor_a: Any
    executor_b: Any
    coordinator: Any
    observer: Any

    def tasks(self, org=None, number=None) -> list[Task]:
        from sqlalchemy import select

        from roadmap.models import Measure

        stmt = select(Task).join(Measure, Measure.id == Task.measure_id).order_by(Task.id)
        if org is not None:
            stmt = stmt.where(Task.organization_id == org.id)
        if number is not None:
            stmt = stmt.where(Measure.number == number)
        return list(db.session.scalars(stmt))


ROWS = [
    ("1.1", "Экскурсии на предприятия", "сентябрь, ежегодно"),
    ("1.2", "Родительское собрание по профориентации", "1 раз в полугодие"),
    ("2.1", "Отчёт о профориентационной работе", "до 1 декабря"),
    ("2.2", "Встреча с КубГУ; «Дни открытых дверей», этап 2", "октябрь"),
]


@pytest.fixture
def world(make_org, make_user, make_roadmap) -> World:
    school_a = make_org(short_name="МБОУ СОШ № 1", full_name="Школа № 1")
    school_b = make_org(short_name="МБОУ СОШ № 2", full_name="Школа № 2")
    centre = make_org(short_name="МКУ КНМЦ", full_name="Методический центр")
    rows = [
        (ROWS[0][0], ROWS[0][1], ROWS[0][2], [school_a, school_b]),
        (ROWS[1][0], ROWS[1][1], ROWS[1][2], [school_a, school_b]),
        (ROWS[2][0], ROWS[2][1], ROWS[2][2], [school_a]),
        (ROWS[3][0], ROWS[3][1], ROWS[3][2], [school_b]),
    ]
    roadmap = make_roadmap(rows)
    return World(
        school_a=school_a,
        school_b=school_b,
        roadmap=roadmap,
        executor_a=make_user(Role.EXECUTOR, organization=school_a, login="school1"),
        executor_b=make_user(Role.EXECUTOR, organization=school_b, login="school2"),
        coordinator=make_user(Role.COORDINATOR, organization=centre, login="coord"),
        observer=make_user(Role.OBSERVER, organization=centre, login="watcher"),
    )


@pytest.fixture
def subscribe():
    """``subscribe(user, kind="personal", target_id=None, **params)`` → (subscription, feed path)."""
    from roadmap.feeds.options import parse_options
    from roadmap.feeds.service import create_subscription

    def create(user, kind="personal", target_id=None, name="Телефон", **params):
        options = parse_options({k: str(v) for k, v in params.items()})
        subscription, token = create_subscription(user, name=name, kind=kind, target_id=target_id, options=options)
        db.session.flush()
        return subscription, f"/feeds/{token}.ics"

    return create


def bump(task: Task, **changes) -> None:
    """Change a task the way the workflow does: visible change, SEQUENCE + 1, updated now."""
    from roadmap.models import utcnow

    for name, value in changes.items():
        setattr(task, name, value)
    task.sequence += 1
    task.updated_at = utcnow()
    db.session.flush()


PAST = datetime(2023, 8, 1, 9, 30, tzinfo=UTC)


def age_everything(roadmap_id: int) -> None:
    """Pretend all was last changed on 1 August 2023, so Last-Modified lies in the past."""
    from sqlalchemy import update

    from roadmap.models import Measure, Roadmap
    from roadmap.models.task import refresh_tallies

    db.session.execute(update(Task).where(Task.roadmap_id == roadmap_id).values(updated_at=PAST, created_at=PAST))
    # A Core write of tasks: their occurrences' tallies counted again, as the application's bulk
    # writers do (without advancing the counter, which this pretends was last moved long ago).
    refresh_tallies(db.session.connection(), {roadmap_id: None})
    db.session.execute(update(Measure).where(Measure.roadmap_id == roadmap_id).values(updated_at=PAST))
    db.session.execute(update(Roadmap).where(Roadmap.id == roadmap_id).values(updated_at=PAST, feed_changed_at=PAST))
    db.session.expire_all()


@pytest.fixture
def big(world, make_roadmap):
    """Two years of monthly and weekly measures, some for both schools: feeds of hundreds of events."""
    rows = [
        (
            f"3.{n}",
            f"Мероприятие номер {n} «Профориентация» " + "текст; с запятыми, " * 8,
            "ежемесячно",
            [world.school_a],
        )
        for n in range(1, 9)
    ]
    rows += [(f"4.{n}", f"Еженедельная встреча {n}", "еженедельно", [world.school_a, world.school_b]) for n in (1, 2)]
    make_roadmap(rows, period=(date(2023, 1, 1), date(2024, 12, 31)), title="Большая карта")
    return world
