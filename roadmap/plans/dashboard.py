"""Set-based queries for the coordinator's pages: a fixed number of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from roadmap.clock import today_in
from roadmap.extensions import db
from roadmap.models import DateProposal, Measure, Organization, OrgKind, ProposalStatus, Roadmap, Task, TaskStatus
from roadmap.reports import queries as report_queries
from roadmap.reports.queries import Overview
from roadmap.schedule import ScheduleKind
from roadmap.schedule import current_plan_year as schedule_current_plan_year
from roadmap.tasks.state import Timeliness


@dataclass
class Dashboard:
    """The roadmap dashboard. Its figures and charts come from `roadmap.reports.queries.overview`,
    the same classification and sums as the exported reports, so the page and the files agree."""

    overview: Overview
    charts: dict[str, str]
    plan_years: list[int]
    review_count: int = 0
    manual_without_dates: list[ManualMeasure] = field(default_factory=list)
    status_labels: dict[str, str] = field(default_factory=lambda: dict(report_queries.WORKFLOW_STATE_LABELS))


@dataclass
class ManualMeasure:
    """A measure left to the executors' own schedule with no dates for everyone: where its
    executors' proposed dates stand."""

    measure: Measure
    confirmed: int = 0  # organizations with confirmed dates of their own
    pending: int = 0  # proposals waiting for the coordinator


def manual_measures(roadmap_id: int) -> list[ManualMeasure]:
    """Manual measures without common dates, with their proposals counted; two queries."""
    measures = db.session.scalars(
        select(Measure)
        .where(
            Measure.roadmap_id == roadmap_id,
            Measure.is_removed.is_(False),
            Measure.schedule_kind == ScheduleKind.MANUAL,
            Measure.manual_dates.is_(None),
        )
        .order_by(Measure.position, Measure.id)
    ).all()
    if not measures:
        return []
    items = {m.id: ManualMeasure(m) for m in measures}
    for measure_id, status, count in db.session.execute(
        select(DateProposal.measure_id, DateProposal.status, func.count(func.distinct(DateProposal.organization_id)))
        .where(
            DateProposal.measure_id.in_(items),
            DateProposal.status.in_([ProposalStatus.CONFIRMED, ProposalStatus.PROPOSED]),
        )
        .group_by(DateProposal.measure_id, DateProposal.status)
    ):
        if status == ProposalStatus.CONFIRMED:
            items[measure_id].confirmed = count
        else:
            items[measure_id].pending = count
    return list(items.values())


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
    roadmap: Roadmap,
    plan_year: int | None,
    today: date,
    *,
    plan_years: list[int] | None = None,
    municipality_id: int | None = None,
) -> Dashboard:
    """The dashboard of `roadmap` for `plan_year` (None: every plan year) as of `today`; of one
    municipality's organizations only when `municipality_id` is given (the region's drill-down).

    A fixed handful of queries whatever the size: the overview's five, the manual measures
    without dates and the review count (plus the plan years unless given). The last two are the
    whole roadmap's work, left out of a municipality's dashboard.
    """
    from roadmap.reports.service import build_scope, overview_charts

    scope = build_scope(roadmap, plan_year, today=today, default_year=False, municipality_id=municipality_id)
    data = report_queries.overview(roadmap, scope)
    whole = municipality_id is None
    return Dashboard(
        overview=data,
        charts=overview_charts(data),
        plan_years=plan_years if plan_years is not None else plan_years_of(roadmap.id),
        review_count=review_count(roadmap.id) if whole else 0,
        manual_without_dates=manual_measures(roadmap.id) if whole else [],
    )


@dataclass(frozen=True)
class MatrixMark:
    """One state of a matrix cell as shown: its mark, with the count when above one."""

    state: str
    title: str  # "Принято: 3"
    text: str  # "✓3"


@dataclass
class MatrixRow:
    """A measure's row of the matrix: the marks of each executor on the page, in their order."""

    measure: object
    cells: list[tuple[MatrixMark, ...]]


@dataclass
class Matrix:
    """Measures × executors; a cell counts its tasks by workflow state, and the overdue ones
    apart (a returned task past its deadline is in both). `rows` are the same cells as shown,
    made in one pass so that the template only writes them out (thousands of cells a page)."""

    measures: list
    executors: list
    cells: dict[tuple[int, int], dict[str, int]]
    overdue: dict[tuple[int, int], int]
    page: int
    pages: int
    total_executors: int
    rows: list[MatrixRow] = field(default_factory=list)


MATRIX_PAGE = 120
OVERDUE = Timeliness.OVERDUE.value
# The matrix filter: a workflow state, or "просрочено" (whatever the state).
MATRIX_FILTERS = {**report_queries.WORKFLOW_STATE_LABELS, OVERDUE: Timeliness.OVERDUE.label}
# The mark of each state in a cell and in the legend.
MATRIX_MARKS = {"planned": "·", "submitted": "?", "accepted": "✓", "returned": "↺", OVERDUE: "!", "not_applicable": "—"}


def matrix_mark(state: str, count: int) -> MatrixMark:
    mark = MATRIX_MARKS.get(state, state)
    return MatrixMark(state, f"{MATRIX_FILTERS.get(state, state)}: {count}", f"{mark}{count}" if count > 1 else mark)


def matrix_rows(
    measures: list, executor_ids: list[int], cells: dict[tuple[int, int], dict[str, int]], overdue: dict
) -> list[MatrixRow]:
    """The cells of every measure × executor: the states in the order counted, the overdue last."""
    rows = []
    for measure in measures:
        marks = []
        for org_id in executor_ids:
            key = (measure.id, org_id)
            shown = [matrix_mark(state, count) for state, count in cells.get(key, {}).items()]
            if late := overdue.get(key):
                shown.append(matrix_mark(OVERDUE, late))
            marks.append(tuple(shown))
        rows.append(MatrixRow(measure, marks))
    return rows


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
    """Measures × executors with each cell summarised by status. Three queries per page.

    The tasks are the reports' (`reports.queries.classified`): a regional roadmap's measure shows
    its municipal children's tasks under it, as its figures on the dashboard do (the roll-up).
    `status` is a workflow state or "overdue" (`MATRIX_FILTERS`); an unknown one filters nothing.
    """
    from roadmap.reports.service import build_scope

    scope = build_scope(roadmap, plan_year, today=today, default_year=False)
    tasks = report_queries.classified(scope)
    c = tasks.c
    conditions = []
    if section_id:
        conditions.append(c.section_id == section_id)
    if kind and kind in {k.value for k in OrgKind}:
        conditions.append(Organization.kind == OrgKind(kind))
    late = c.outcome == OVERDUE
    if status == OVERDUE:
        conditions.append(late)
    elif status in report_queries.WORKFLOW_STATES:
        conditions.append(c.workflow == status)

    def selected(*columns):
        return (
            select(*columns)
            .select_from(tasks)
            .join(Organization, Organization.id == c.organization_id)
            .where(*conditions)
        )

    # organization.sort_key is natural_key(short_name), kept with the row: no key computed here.
    executor_rows = db.session.execute(
        selected(Organization.id, Organization.short_name, Organization.sort_key).group_by(
            Organization.id, Organization.short_name, Organization.sort_key
        )
    ).all()
    executor_rows = sorted(executor_rows, key=lambda row: (row.sort_key, row.id))
    pages = max(1, -(-len(executor_rows) // MATRIX_PAGE))
    page = min(max(1, page), pages)
    executors = executor_rows[(page - 1) * MATRIX_PAGE : page * MATRIX_PAGE]
    executor_ids = [row.id for row in executors]
    cells: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    overdue_counts: dict[tuple[int, int], int] = defaultdict(int)
    measure_ids = set()
    if executor_ids:
        overdue_flag = case((late, 1), else_=0)
        for measure_id, org_id, cell_state, is_late, count in db.session.execute(
            selected(c.measure_id, c.organization_id, c.workflow, overdue_flag, func.count())
            .where(c.organization_id.in_(executor_ids))
            .group_by(c.measure_id, c.organization_id, c.workflow, overdue_flag)
        ):
            key = (measure_id, org_id)
            cells[key][cell_state] = cells[key].get(cell_state, 0) + count
            if is_late:
                overdue_counts[key] += count
            measure_ids.add(measure_id)
    measures = db.session.execute(
        select(Measure.id, Measure.number, Measure.title).where(Measure.id.in_(measure_ids)).order_by(Measure.position)
    ).all()
    overdue = dict(overdue_counts)
    rows = matrix_rows(measures, executor_ids, cells, overdue)
    return Matrix(measures, executors, dict(cells), overdue, page, pages, len(executor_rows), rows)


@dataclass
class RoadmapCard:
    """A roadmap in the list: its measures and, for its current plan year, the report's figures."""

    measures: int = 0
    plan_year: int | None = None
    figures: report_queries.Figures | None = None


def current_plan_year(roadmap: Roadmap, years: list[int], today: date) -> int | None:
    """The plan year a page opens on (``roadmap.schedule.current_plan_year``), among `years`."""
    return schedule_current_plan_year(roadmap.period_start, roadmap.period_end, roadmap.year_type, today, years)


def roadmap_cards(roadmaps: list[Roadmap]) -> dict[int, RoadmapCard]:
    """Cards for the list of roadmaps, the figures counted as on each dashboard; three queries."""
    from roadmap.reports.service import build_scope

    if not roadmaps:
        return {}
    ids = [r.id for r in roadmaps]
    cards = {r.id: RoadmapCard() for r in roadmaps}
    for roadmap_id, count in db.session.execute(
        select(Measure.roadmap_id, func.count(Measure.id))
        .where(Measure.roadmap_id.in_(ids), Measure.is_removed.is_(False))
        .group_by(Measure.roadmap_id)
    ):
        cards[roadmap_id].measures = count
    years: dict[int, list[int]] = defaultdict(list)
    for roadmap_id, year in db.session.execute(
        select(Task.roadmap_id, Task.plan_year)
        .where(Task.roadmap_id.in_(ids), Task.is_cancelled.is_(False))
        .distinct()
        .order_by(Task.roadmap_id, Task.plan_year)
    ):
        years[roadmap_id].append(year)
    scopes = []
    for roadmap in roadmaps:
        if not years[roadmap.id]:
            continue
        today = today_in(roadmap.timezone)
        card = cards[roadmap.id]
        card.plan_year = current_plan_year(roadmap, years[roadmap.id], today)
        scopes.append(build_scope(roadmap, card.plan_year, today=today, default_year=False))
    for roadmap_id, figures in report_queries.figures_of(scopes).items():
        cards[roadmap_id].figures = figures
    return cards
