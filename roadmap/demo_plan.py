"""The demo roadmap, imported through the real pipeline and published, with a plausible
half-year of history: reports submitted, accepted, returned; some tasks overdue. Behind it the
two years before, archived: the first imported the same way, the next rolled over from it, each
with a year of accepted reports, so that the reports compare three years side by side."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, insert, select, update

from roadmap.clock import today_in
from roadmap.contingent import Band
from roadmap.demo_data import TITLE
from roadmap.directory.service import remember_alias
from roadmap.extensions import db
from roadmap.importers import read_document
from roadmap.models import (
    Organization,
    OrgKind,
    Report,
    ReturnReason,
    Roadmap,
    RoadmapStatus,
    Role,
    Task,
    TaskStatus,
    Transition,
    User,
)
from roadmap.plans.examples import example_docx
from roadmap.plans.service import (
    apply_responsible,
    archive_roadmap,
    build_directory,
    create_roadmap,
    publish_roadmap,
    rollover,
    set_manual_dates,
)
from roadmap.plans.targets import set_target
from roadmap.tasks.proposals import confirm_proposal, propose_dates, reject_proposal
from roadmap.tasks.service import generate_tasks

COMMENTS = [
    "Проведено согласно плану, материалы размещены на сайте школы.",
    "Мероприятие проведено для обучающихся 8–11 классов.",
    "Проведены классные часы и встреча с представителями колледжа.",
    "Организована экскурсия, участвовали родители.",
    "Проведено анкетирование, результаты обобщены в справке.",
]


def load_demo_plan(today: date | None = None) -> Roadmap | None:
    """Import and publish this year's demo roadmap once; fill the past half-year with history."""
    today = today or today_in()
    title = TITLE.format(year=today.year)
    if db.session.scalar(select(Roadmap.id).where(Roadmap.title == title)):
        return None
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    department = db.session.scalar(select(Organization).where(Organization.kind == OrgKind.DEPARTMENT))
    centre = db.session.scalar(select(Organization).where(Organization.kind == OrgKind.CENTRE))
    # The document says "ДО МО г.Краснодар" for the department in places: remembered as the coordinator would.
    remember_alias("ДО МО г. Краснодар", organization_id=department.id)
    parsed = read_document(example_docx(today.year), "demo.docx")
    roadmap = create_roadmap(parsed, user=coordinator, filename="Дорожная карта (демо).docx")
    _prepare(roadmap, today.year, centre)
    _targets(roadmap, coordinator)
    publish_roadmap(roadmap, coordinator)
    _date_proposals(roadmap, coordinator, today)
    _history(roadmap, coordinator, today)
    _earlier_years(roadmap, coordinator, centre, today)
    return roadmap


def _prepare(roadmap: Roadmap, year: int, centre: Organization) -> None:
    """What the coordinator settles on the review screen before publishing."""
    directory = build_directory()
    for measure in roadmap.measures:
        if measure.number == "3.6":  # empty responsible cell in the document: the centre takes it
            apply_responsible(measure, centre.short_name, directory)
        if measure.number == "2.1":  # "по отдельному графику": dates set by hand
            set_manual_dates(
                measure, [(date(year, 3, 15), date(year, 3, 15)), (date(year, 10, 20), date(year, 10, 20))]
            )
    db.session.flush()


# Earlier plan years: (years back, share of tasks reported, mean participants per report).
EARLIER_YEARS = ((2, 0.78, 70), (1, 0.86, 85))


def _earlier_years(current: Roadmap, coordinator: User, centre: Organization, today: date) -> None:
    """The two plan years before `current`, archived, linked as its predecessors: the older one
    imported from the document, the next rolled over from it (as a coordinator would)."""
    rng = random.Random(2024)
    previous: Roadmap | None = None
    for back, reported_share, mean in EARLIER_YEARS:
        year = today.year - back
        existing = db.session.scalar(select(Roadmap).where(Roadmap.title == TITLE.format(year=year)))
        if existing is not None:  # the demo loaded in an earlier year made this one
            previous = existing
            continue
        if previous is None:
            parsed = read_document(example_docx(year), "demo.docx")
            roadmap = create_roadmap(parsed, user=coordinator, filename=f"Дорожная карта {year} (демо).docx")
        else:
            roadmap = rollover(previous, coordinator)
        _prepare(roadmap, year, centre)
        # Published back then: executors are not notified today of a year that is over.
        roadmap.status = RoadmapStatus.PUBLISHED
        roadmap.published_at = datetime.combine(roadmap.period_start, time(9), UTC)
        db.session.flush()
        generate_tasks(roadmap)
        _year_of_reports(roadmap, coordinator, rng, reported_share, mean)
        archive_roadmap(roadmap, coordinator)
        previous = roadmap
    if previous is not None and current.previous_roadmap_id is None:
        current.previous_roadmap_id = previous.id
    db.session.flush()


def _year_of_reports(roadmap: Roadmap, coordinator: User, rng: random.Random, share: float, mean: int) -> None:
    """Reports for a year that is over: `share` of the tasks reported and accepted, the rest
    left undone. Bulk statements (three inserts and one update), as generation writes tasks:
    a year of reports at the ORM's pace would double the demo's loading time."""
    from roadmap.models.task import bump_feed_versions

    executors = {
        user.organization_id: user.id
        for user in db.session.scalars(select(User).where(User.role == Role.EXECUTOR).order_by(User.id))
    }
    tasks = db.session.execute(
        select(Task.id, Task.organization_id, Task.start_on, Task.due_on, Task.sequence)
        .where(Task.roadmap_id == roadmap.id)
        .order_by(Task.id)
    ).all()
    reports, moments = [], {}
    for task in tasks:
        author = executors.get(task.organization_id)
        if author is None or rng.random() > share:
            continue
        held = max(task.due_on - timedelta(days=rng.randint(0, 10)), task.start_on)
        submitted_at = datetime.combine(held + timedelta(days=rng.randint(0, 4)), time(10), UTC)
        total = max(5, int(rng.gauss(mean, mean / 3)))
        students = int(total * 0.8)
        moments[task.id] = (author, submitted_at, task.sequence)
        reports.append(
            {
                "task_id": task.id,
                "author_id": author,
                "held_on": held,
                "coverage_total": total,
                "coverage_students": students,
                "coverage_parents": total - students,
                "comment": rng.choice(COMMENTS),
                "links": "",
                "created_at": submitted_at,
            }
        )
    if not reports:
        return
    created = db.session.execute(insert(Report).returning(Report.id, Report.task_id), reports).all()
    transitions, updates = [], []
    for report_id, task_id in created:
        author, submitted_at, sequence = moments[task_id]
        reviewed_at = submitted_at + timedelta(days=2)
        transitions += [
            {
                "task_id": task_id,
                "user_id": author,
                "at": submitted_at,
                "from_status": TaskStatus.PLANNED,
                "to_status": TaskStatus.SUBMITTED,
                "comment": "отчёт",
            },
            {
                "task_id": task_id,
                "user_id": coordinator.id,
                "at": reviewed_at,
                "from_status": TaskStatus.SUBMITTED,
                "to_status": TaskStatus.ACCEPTED,
                "comment": "",
            },
        ]
        updates.append({"b_id": task_id, "b_report": report_id, "b_sequence": sequence + 2, "b_at": reviewed_at})
    db.session.execute(insert(Transition), transitions)
    table = Task.__table__
    db.session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            current_report_id=bindparam("b_report"),
            status=TaskStatus.ACCEPTED,
            sequence=bindparam("b_sequence"),
            version=table.c.version + 1,
            updated_at=bindparam("b_at"),
        ),
        updates,
    )
    bump_feed_versions(db.session.connection(), [roadmap.id])


# Targets of the demo (целевые показатели), as a municipal programme states them: some the
# half-year of history meets, some it misses, so that a newcomer sees both.
DEMO_TARGETS = {
    "1.3": ("events", 1, Band()),  # график мероприятий составлен
    "4.2": ("band_share", 40, Band(8, 9)),  # 40 % обучающихся 8–9 классов
    "5.2": ("participants", 3000, Band()),  # не менее 3000 участников
    "6.1": ("contingent_share", 10, Band()),  # 10 % всех обучающихся
    "6.4": ("org_share", 90, Band()),  # 90 % школ
    "6.7": ("band_share", 60, Band(10, 11)),  # 60 % обучающихся СОО; one school gives its level total
}


def _targets(roadmap: Roadmap, coordinator: User) -> None:
    for measure in roadmap.measures:
        if measure.number in DEMO_TARGETS:
            kind, planned, band = DEMO_TARGETS[measure.number]
            set_target(measure, plan_year=None, kind=kind, planned=planned, band=band, user=coordinator)


def _date_proposals(roadmap: Roadmap, coordinator: User, today: date) -> None:
    """Schools' own dates for "по плану ОО" (parents' meetings): some confirmed, some waiting, one refused."""
    measure = next((m for m in roadmap.measures if m.deadline_text.strip() == "по плану ОО"), None)
    if measure is None:
        return
    schools = db.session.scalars(
        select(User)
        .join(Organization, Organization.id == User.organization_id)
        .where(User.role == Role.EXECUTOR, Organization.kind == OrgKind.SCHOOL)
        .order_by(Organization.id)
        .limit(10)
    ).all()
    year = roadmap.period_start.year
    for index, school in enumerate(schools):
        spring = date(year, 4, 6 + index)
        autumn = date(year, 11, 16 + index)
        proposal = propose_dates(
            measure, school, [(spring, spring), (autumn, autumn)], "общешкольное и классные собрания"
        )
        if index < 6:
            confirm_proposal(proposal, coordinator)
        elif index == 6:
            reject_proposal(proposal, coordinator, "в эти дни в городе единый родительский день: перенесите на неделю")


def _history(roadmap: Roadmap, coordinator: User, today: date) -> None:
    rng = random.Random(2026)
    executors = {
        user.organization_id: user
        for user in db.session.scalars(select(User).where(User.role == Role.EXECUTOR).order_by(User.id))
    }
    tasks = db.session.scalars(
        select(Task).where(Task.roadmap_id == roadmap.id, Task.due_effective_on < today + timedelta(days=30))
    ).all()
    horizon = today - timedelta(days=183)
    for task in tasks:
        author = executors.get(task.organization_id)
        if author is None or task.due_effective_on < horizon - timedelta(days=60):
            continue
        roll = rng.random()
        if task.due_effective_on >= today:
            if roll > 0.25:
                continue  # most upcoming tasks are still open
        elif roll > 0.82:
            continue  # left overdue
        held = min(task.due_on, today - timedelta(days=1))
        held = max(held - timedelta(days=rng.randint(0, 10)), task.start_on)
        submitted_at = datetime.combine(min(held + timedelta(days=rng.randint(0, 5)), today), time(10), UTC)
        report = Report(
            task=task,
            author_id=author.id,
            held_on=held,
            coverage_total=rng.randint(20, 180),
            coverage_students=None,
            comment=rng.choice(COMMENTS),
            links="",
            created_at=submitted_at,
        )
        report.coverage_students = int(report.coverage_total * 0.8)
        report.coverage_parents = report.coverage_total - report.coverage_students
        db.session.add(report)
        db.session.flush()
        task.current_report_id = report.id
        db.session.add(
            Transition(
                task=task,
                user_id=author.id,
                at=submitted_at,
                from_status=TaskStatus.PLANNED,
                to_status=TaskStatus.SUBMITTED,
                comment="отчёт",
            )
        )
        status = TaskStatus.SUBMITTED
        review_roll = rng.random()
        reviewed_at = submitted_at + timedelta(days=2)
        if reviewed_at.date() < today and review_roll < 0.7:
            db.session.add(
                Transition(
                    task=task,
                    user_id=coordinator.id,
                    at=reviewed_at,
                    from_status=TaskStatus.SUBMITTED,
                    to_status=TaskStatus.ACCEPTED,
                )
            )
            status = TaskStatus.ACCEPTED
        elif reviewed_at.date() < today and review_roll < 0.8:
            db.session.add(
                Transition(
                    task=task,
                    user_id=coordinator.id,
                    at=reviewed_at,
                    from_status=TaskStatus.SUBMITTED,
                    to_status=TaskStatus.RETURNED,
                    comment="охват указан неверно или не указан: уточните число участников",
                    reason=ReturnReason.COVERAGE,
                )
            )
            status = TaskStatus.RETURNED
        task.status = status
        task.sequence += 1
        task.updated_at = max(submitted_at, reviewed_at if status != TaskStatus.SUBMITTED else submitted_at)
    db.session.flush()
