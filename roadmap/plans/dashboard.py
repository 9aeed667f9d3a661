"""Set-based queries for the coordinator's pages: a fixed number of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select

from roadmap.extensions import db
from roadmap.models import Measure, Organization, OrgKind, Roadmap, Task, TaskStatus
from roadmap.reports import queries as report_queries
from roadmap.reports.queries import Overview


def today_in(timezone: str) -> date:
    """Today's date where the roadmap lives (Europe/Moscow by default), not on the server."""
    return datetime.now(ZoneInfo(timezone)).date()


@dataclass
class Progress:
    total: int = 0
    submitted: int = 0
    accepted: int = 0
    returned: int = 0
    overdue: int = 0
    not_applicable: int = 0

    @property
    def done(self) -> int:
        return self.submitted + self.accepted

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def accepted_percent(self) -> int:
        return round(100 * self.accepted / self.total) if self.total else 0


def _progress_columns(today: date):
    open_statuses = (TaskStatus.PLANNED.value, TaskStatus.RETURNED.value)
    return (
        func.count(Task.id),
        func.sum(case((Task.status == TaskStatus.SUBMITTED, 1), else_=0)),
        func.sum(case((Task.status == TaskStatus.ACCEPTED, 1), else_=0)),
        func.sum(case((Task.status == TaskStatus.RETURNED, 1), else_=0)),
        func.sum(case((and_(Task.status.in_(open_statuses), Task.due_effective_on < today), 1), else_=0)),
        func.sum(case((and_(Task.is_not_applicable.is_(True), Task.status == TaskStatus.ACCEPTED), 1), else_=0)),
    )


def _progress(row) -> Progress:
    return Progress(*(int(value or 0) for value in row))


def _base_filter(roadmap_id: int, plan_year: int | None):
    conditions = [Task.roadmap_id == roadmap_id, Task.is_cancelled.is_(False)]
    if plan_year is not None:
        conditions.append(Task.plan_year == plan_year)
    return conditions


@dataclass
class Dashboard:
    """The roadmap dashboard. Its figures and charts come from `roadmap.reports.queries.overview`,
    the same classification and sums as the exported reports, so the page and the files agree."""

    overview: Overview
    charts: dict[str, str]
    plan_years: list[int]
    review_count: int = 0
    manual_without_dates: list[Measure] = field(default_factory=list)
    status_labels: dict[str, str] = field(default_factory=lambda: dict(report_queries.DISPLAY_LABELS))


def plan_years_of(roadmap_id: int) -> list[int]:
    """The plan years that have (not cancelled) tasks: those the reports accept."""
    return report_queries.plan_years_of(roadmap_id)


def review_count(roadmap_id: int) -> int:
    return db.session.scalar(
        select(func.count(Task.id)).where(
            Task.roadmap_id == roadmap_id, Task.status == TaskStatus.SUBMITTED, Task.is_cancelled.is_(False)
        )
    )


def dashboard(
    roadmap: Roadmap, plan_year: int | None, today: date, *, plan_years: list[int] | None = None
) -> Dashboard:
    """The dashboard of `roadmap` for `plan_year` (None: every plan year) as of `today`.

    A fixed handful of queries whatever the size: the overview's five, the manual measures
    without dates and the review count (plus the plan years unless given).
    """
    from roadmap.reports.service import build_scope, overview_charts

    scope = build_scope(roadmap, plan_year, today=today, default_year=False)
    data = report_queries.overview(roadmap, scope)
    manual = db.session.scalars(
        select(Measure).where(
            Measure.roadmap_id == roadmap.id,
            Measure.is_removed.is_(False),
            Measure.schedule_kind == "manual",
            Measure.manual_dates.is_(None),
        )
    ).all()
    return Dashboard(
        overview=data,
        charts=overview_charts(data),
        plan_years=plan_years if plan_years is not None else plan_years_of(roadmap.id),
        review_count=review_count(roadmap.id),
        manual_without_dates=list(manual),
    )


@dataclass
class Matrix:
    measures: list
    executors: list
    cells: dict[tuple[int, int], dict[str, int]]
    page: int
    pages: int
    total_executors: int


MATRIX_PAGE = 120


def matrix(
    roadmap: Roadmap,
    plan_year: int | None,
    today: date,
    *,
    section_id: int | None = None,
    status: str | None = None,
    kind: str | None = None,
    page: int = 1,
) -> Matrix:
    """Measures × executors with each cell summarised by status. Three queries per page."""
    conditions = _base_filter(roadmap.id, plan_year)
    if section_id:
        conditions.append(Measure.section_id == section_id)
    if kind and kind in {k.value for k in OrgKind}:
        conditions.append(Organization.kind == OrgKind(kind))
    open_statuses = (TaskStatus.PLANNED, TaskStatus.RETURNED)
    state = case(
        (and_(Task.status.in_(open_statuses), Task.due_effective_on < today), "overdue"),
        (and_(Task.is_not_applicable.is_(True), Task.status == TaskStatus.ACCEPTED), "not_applicable"),
        else_=Task.status,
    )
    if status:
        conditions.append(state == status)
    executor_rows = db.session.execute(
        select(Organization.id, Organization.short_name)
        .join(Task, Task.organization_id == Organization.id)
        .join(Measure, Measure.id == Task.measure_id)
        .where(*conditions)
        .group_by(Organization.id, Organization.short_name)
        .order_by(Organization.short_name)
    ).all()
    pages = max(1, -(-len(executor_rows) // MATRIX_PAGE))
    page = min(max(1, page), pages)
    executors = executor_rows[(page - 1) * MATRIX_PAGE : page * MATRIX_PAGE]
    executor_ids = [row.id for row in executors]
    cells: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    measure_ids = set()
    if executor_ids:
        for measure_id, org_id, cell_state, count in db.session.execute(
            select(Task.measure_id, Task.organization_id, state, func.count(Task.id))
            .join(Measure, Measure.id == Task.measure_id)
            .join(Organization, Organization.id == Task.organization_id)
            .where(*conditions, Task.organization_id.in_(executor_ids))
            .group_by(Task.measure_id, Task.organization_id, state)
        ):
            cells[(measure_id, org_id)][cell_state] = count
            measure_ids.add(measure_id)
    measures = db.session.execute(
        select(Measure.id, Measure.number, Measure.title).where(Measure.id.in_(measure_ids)).order_by(Measure.position)
    ).all()
    return Matrix(measures, executors, cells, page, pages, len(executor_rows))


def review_queue(roadmap_id: int | None = None, limit: int = 200):
    stmt = (
        select(
            Task.id,
            Task.version,
            Task.label,
            Task.due_effective_on,
            Task.is_not_applicable,
            Task.updated_at,
            Measure.number,
            Measure.title,
            Organization.short_name,
            Roadmap.title.label("roadmap_title"),
        )
        .join(Measure, Measure.id == Task.measure_id)
        .join(Organization, Organization.id == Task.organization_id)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .where(Task.status == TaskStatus.SUBMITTED, Task.is_cancelled.is_(False))
        .order_by(Task.updated_at)
        .limit(limit)
    )
    if roadmap_id:
        stmt = stmt.where(Task.roadmap_id == roadmap_id)
    return db.session.execute(stmt).all()


def roadmap_summaries(roadmaps: list[Roadmap], today: date) -> dict[int, Progress]:
    if not roadmaps:
        return {}
    columns = _progress_columns(today)
    return {
        row[0]: _progress(row[1:])
        for row in db.session.execute(
            select(Task.roadmap_id, *columns)
            .where(Task.roadmap_id.in_([r.id for r in roadmaps]), Task.is_cancelled.is_(False))
            .group_by(Task.roadmap_id)
        )
    }
