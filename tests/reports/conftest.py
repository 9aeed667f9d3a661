"""A small roadmap with known outcomes, built through the real workflow.

Period 2023 (calendar). Schools A, B, C. Today is 15 October 2023.

1.1 "до 1 сентября, ежегодно"  A, B, C   A on time (31.08), B late (05.09), C overdue
1.2 "сентябрь, ежегодно"        A, B      A accepted on time (due 02.10: 30.09 is a Saturday),
                                          B "not applicable" (submitted)
2.1 "1 раз в полугодие"         A         H1 on time, H2 open (due 31.12)
2.2 "по отдельному графику"     A         no tasks (manual dates never set)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import Role, Task, Transition

TODAY = date(2023, 10, 15)


@dataclass
class Data:
    roadmap: object
    orgs: dict
    users: dict
    coordinator: object
    tasks: dict


def tasks_of(roadmap, number: str | None = None):
    from roadmap.models import Measure

    stmt = select(Task).join(Measure).where(Task.roadmap_id == roadmap.id).order_by(Task.start_on, Task.id)
    if number:
        stmt = stmt.where(Measure.number == number)
    return list(db.session.scalars(stmt))


def submit(task, user, at: datetime, **fields):
    """Submit a report through the workflow, then date its transition at `at` (UTC)."""
    from roadmap.tasks.workflow import ReportInput, submit_report

    fields.setdefault("comment", "Проведено")
    report = submit_report(task, user, ReportInput(**fields))
    transition = db.session.scalars(
        select(Transition).where(Transition.task_id == task.id).order_by(Transition.id.desc())
    ).first()
    transition.at = at
    db.session.flush()
    return report


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def data(app, make_org, make_user, make_roadmap):
    from roadmap.tasks.workflow import accept, mark_not_applicable

    orgs = {
        key: make_org(short_name=f"МБОУ СОШ № {n}", full_name=f"Средняя школа № {n}")
        for key, n in (("A", 1), ("B", 2), ("C", 3))
    }
    users = {key: make_user(role=Role.EXECUTOR, organization=org) for key, org in orgs.items()}
    owner = make_org(short_name="МКУ КНМЦ", full_name="МКУ «Краснодарский научно-методический центр»")
    coordinator = make_user(role=Role.COORDINATOR, organization=owner)
    roadmap = make_roadmap(
        [
            (
                "1.1",
                "Семинар для заместителей директоров",
                "до 1 сентября, ежегодно",
                [orgs["A"], orgs["B"], orgs["C"]],
            ),
            ("1.2", 'Родительское собрание "Выбор профессии"', "сентябрь, ежегодно", [orgs["A"], orgs["B"]]),
            ("2.1", "Профессиональные пробы", "1 раз в полугодие", [orgs["A"]]),
            ("2.2", "Экскурсии на предприятия", "по отдельному графику", [orgs["A"]]),
        ],
        owner=owner,
    )
    by = {}
    for task in tasks_of(roadmap):
        key = (task.measure.number, next(k for k, o in orgs.items() if o.id == task.organization_id))
        by.setdefault(key, []).append(task)

    submit(
        by[("1.1", "A")][0],
        users["A"],
        utc(2023, 8, 31, 20, 30),
        held_on=date(2023, 8, 30),
        coverage_total=120,
        coverage_students=100,
        coverage_parents=10,
        coverage_teachers=5,
        coverage_disabled=3,
        comment="Семинар проведён",
    )
    # 1 September 00:30 in Moscow is 31 August 21:30 UTC: still on time for a 1 September deadline.
    submit(
        by[("1.1", "B")][0],
        users["B"],
        utc(2023, 9, 5, 9, 0),
        held_on=date(2023, 9, 4),
        coverage_total=80,
        coverage_students=80,
        comment="Проведён с опозданием",
    )
    submit(
        by[("1.2", "A")][0],
        users["A"],
        utc(2023, 10, 2, 12, 0),
        held_on=date(2023, 9, 28),
        coverage_total=300,
        coverage_parents=300,
        comment='Собрание "Выбор профессии" проведено',
    )
    accept(by[("1.2", "A")][0], coordinator)
    mark_not_applicable(by[("1.2", "B")][0], users["B"], "нет 9-х классов")
    h1, h2 = by[("2.1", "A")]
    submit(
        h1,
        users["A"],
        utc(2023, 6, 20, 10, 0),
        held_on=date(2023, 6, 15),
        coverage_total=25,
        coverage_students=25,
        coverage_parents=0,
        coverage_teachers=0,
        coverage_disabled=2,
        comment="Пробы на базе колледжа",
    )
    db.session.flush()
    return Data(roadmap=roadmap, orgs=orgs, users=users, coordinator=coordinator, tasks=by)


@pytest.fixture(scope="session")
def tiny_png() -> bytes:
    from roadmap.reports import charts

    return charts.to_png(charts.status_distribution({"planned": 1}), width_in=2, dpi=30)
