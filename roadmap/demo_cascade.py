"""The demo region's cascade: a regional roadmap of the ministry whose measures go to the
municipalities' centres and schools; each municipality passes measure 1.1 on to its schools, the
schools report, the municipal coordinators accept, the centres send their summaries up (г. Сочи's
accepted by the region, Абинский район's waiting on review). Loading it twice changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from roadmap.accounts.service import find_user
from roadmap.clock import today_in
from roadmap.directory.cascade import ensure_cascade_groups, schools_group_name
from roadmap.extensions import db
from roadmap.models import Municipality, Region, Roadmap, Role, Task, TaskStatus, User

REGIONAL_TITLE = "Региональная дорожная карта по профориентации на {year} год (Краснодарский край)"
REGIONAL_MEASURES = (
    ("1.1", "Единый день профориентации «Билет в будущее»", "сентябрь", "все муниципальные центры"),
    ("1.2", "Совещание с руководителями муниципальных методических служб", "до 20 декабря", "все муниципальные центры"),
    ("1.3", "Всероссийский открытый урок «Шоу профессий»", "октябрь", "все школы края"),
    ("1.4", "Методический десант в школы", "ноябрь", "школы муниципалитета г. Сочи"),
)
# The municipality, the coordinator who fans 1.1 out, and the centre's executor who reports up.
CASCADE = (
    ("г. Краснодар", "coordinator", "knmc"),
    ("г. Сочи", "coordinator-sochi", "sochi-centre"),
    ("Абинский район", "coordinator-abinsk", "abinsk-centre"),
)


def regional_title() -> str:
    return REGIONAL_TITLE.format(year=today_in().year)


def load_demo_cascade(region: Region) -> None:
    from roadmap.importers.model import ParsedMeasure, ParsedRoadmap, ParsedSection
    from roadmap.plans.service import create_roadmap, publish_roadmap

    ensure_cascade_groups(region)
    if db.session.scalar(select(Roadmap.id).where(Roadmap.title == regional_title())):
        return
    year = today_in().year
    ministry = find_user("region")
    parsed = ParsedRoadmap(
        title=regional_title(),
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        sections=[ParsedSection("1", "Профориентационные мероприятия региона", 0)],
        measures=[ParsedMeasure(n, "1", t, d, r, position=i) for i, (n, t, d, r) in enumerate(REGIONAL_MEASURES)],
    )
    roadmap = create_roadmap(parsed, user=ministry, filename="region.docx")
    publish_roadmap(roadmap, ministry)
    db.session.flush()
    first = next(m for m in roadmap.measures if m.number == "1.1")
    for number, (place, coordinator_login, centre_login) in enumerate(CASCADE):
        _cascade_into(first, place, find_user(coordinator_login), find_user(centre_login), accept_summary=number < 2)
    db.session.flush()


def _cascade_into(parent, place_name: str, coordinator: User, centre: User | None, *, accept_summary: bool) -> None:
    from roadmap.plans.cascade import fan_out, summary_of, target_roadmaps
    from roadmap.plans.service import publish_roadmap
    from roadmap.tasks.workflow import ReportInput, accept, submit_report

    place = db.session.scalar(select(Municipality).where(Municipality.name == place_name))
    # г. Сочи and Абинский район add the measure to their roadmap of the year; г. Краснодар, whose
    # roadmap is the big demo one, gets a roadmap of its own for the region's measures.
    own = [r for r in target_roadmaps(coordinator, parent) if r.status.value == "published"]
    target = own[0] if own and place_name != "г. Краснодар" else None
    result = fan_out(parent, coordinator, roadmap=target, responsible=schools_group_name(place))
    if result.roadmap.status.value == "draft":
        publish_roadmap(result.roadmap, coordinator)
    db.session.flush()
    tasks = db.session.scalars(
        select(Task).where(Task.measure_id == result.measure.id).order_by(Task.organization_id)
    ).all()
    executors = {
        u.organization_id: u
        for u in db.session.scalars(select(User).where(User.role == Role.EXECUTOR, User.organization_id.is_not(None)))
    }
    held = date(today_in().year, 9, 20)
    for index, task in enumerate(tasks):
        author = executors.get(task.organization_id)
        if author is None or index % 3 == 2:  # every third school has not reported yet
            continue
        submit_report(
            task,
            author,
            ReportInput(
                held_on=held,
                coverage_total=60 + 15 * index,
                coverage_students=50 + 12 * index,
                coverage_parents=10 + 3 * index,
                comment="Проведены встречи с представителями предприятий и профпробы",
            ),
        )
        if index % 3 == 0:
            accept(task, coordinator)
    db.session.flush()
    summary_task = db.session.scalar(
        select(Task).where(
            Task.measure_id == parent.id,
            Task.organization_id == (centre.organization_id if centre else -1),
            Task.is_cancelled.is_(False),
        )
    )
    if centre is None or summary_task is None or summary_task.status != TaskStatus.PLANNED:
        return
    figures = summary_of(summary_task)
    submit_report(
        summary_task,
        centre,
        ReportInput(
            held_on=held,
            coverage_total=figures.coverage.total,
            coverage_students=figures.coverage.students,
            coverage_parents=figures.coverage.parents,
            comment=f"Свод по {place_name}: отчитались {figures.reported} из {figures.applicable} школ",
        ),
    )
    if accept_summary:
        accept(summary_task, find_user("region"))
