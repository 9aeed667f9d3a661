"""The demo roadmap, imported through the real pipeline and published, with a plausible
half-year of history: reports submitted, accepted, returned; some tasks overdue."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

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
    Role,
    Task,
    TaskStatus,
    Transition,
    User,
)
from roadmap.plans.examples import example_docx
from roadmap.plans.service import apply_responsible, build_directory, create_roadmap, publish_roadmap, set_manual_dates
from roadmap.plans.targets import set_target
from roadmap.tasks.proposals import confirm_proposal, propose_dates, reject_proposal

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
    directory = build_directory()
    for measure in roadmap.measures:
        if measure.number == "3.6":  # empty responsible cell in the document: the centre takes it
            apply_responsible(measure, centre.short_name, directory)
        if measure.number == "2.1":  # "по отдельному графику": dates set by hand
            set_manual_dates(
                measure,
                [
                    (date(today.year, 3, 15), date(today.year, 3, 15)),
                    (date(today.year, 10, 20), date(today.year, 10, 20)),
                ],
            )
    db.session.flush()
    _targets(roadmap, coordinator)
    publish_roadmap(roadmap, coordinator)
    _date_proposals(roadmap, coordinator, today)
    _history(roadmap, coordinator, today)
    return roadmap


# Targets of the demo (целевые показатели), as a municipal programme states them: some the
# half-year of history meets, some it misses, so that a newcomer sees both.
DEMO_TARGETS = {
    "1.3": ("events", 1, Band()),  # график мероприятий составлен
    "4.2": ("band_share", 40, Band(8, 9)),  # 40 % обучающихся 8–9 классов
    "5.2": ("participants", 3000, Band()),  # не менее 3000 участников
    "6.1": ("contingent_share", 10, Band()),  # 10 % всех обучающихся
    "6.4": ("org_share", 90, Band()),  # 90 % школ
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
