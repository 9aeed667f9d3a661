"""Monitoring figures of a roadmap: set-based SQL, one GROUP BY per view of the data.

The vocabulary is roadmap.tasks.state's, two axes; this module is its SQL mirror. Every task of
the scope (not cancelled, of a measure not removed) has

- a **workflow** state (``workflow``): planned, submitted (на проверке), returned, accepted, or
  not_applicable (an accepted "not applicable");
- an **outcome** on the timeliness axis: ``on_time`` / ``late`` once a report is handed in (on
  review or accepted), by the date of the *first* submission (the first transition to
  "submitted", as a date in the roadmap's time zone; when no transition is recorded, the
  creation time of the current report stands in for it); ``overdue`` / ``open`` while it is not
  (planned or returned) by ``due_effective_on`` against ``today``; ``not_applicable`` for a
  "not applicable" on review or accepted, which leaves the applicable tasks.

A returned task past its deadline is workflow "returned" *and* outcome "overdue".

"Done" (выполнено) is accepted and not "not applicable"; "reported" (включая на проверке) is
``on_time + late``; the completion rate is done / (total − not applicable). Coverage (охват)
sums the current reports of reported tasks.

A date range selects the tasks whose window ``[start_on, due_on]`` overlaps it.

The per-(measure, executor) grouping is the one big query; sections, executors and the
roadmap totals are sums of its rows, so they agree with each other by construction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, make_dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Date, String, and_, case, cast, extract, func, literal, or_, select, type_coerce, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from roadmap import clock
from roadmap.clock import DEFAULT_TIMEZONE
from roadmap.contingent import Band, Contingent, band_total
from roadmap.extensions import db
from roadmap.models import (
    Measure,
    MeasureTarget,
    Organization,
    Report,
    Roadmap,
    Section,
    Task,
    TaskStatus,
    Transition,
)
from roadmap.russian import natural_key
from roadmap.targets import TargetKind, describe, is_met
from roadmap.tasks import coverage as coverage_categories
from roadmap.tasks.state import (
    COUNTED_WORKFLOW,
    TIMELINESS_LABELS,
    WORKFLOW_LABELS,
    WORKFLOW_SHORT_LABELS,
    Timeliness,
    Workflow,
)

NOT_APPLICABLE = Workflow.NOT_APPLICABLE.value
# The timeliness axis, plus "not applicable" (which has none): every task has one outcome.
OUTCOMES = (*(t.value for t in Timeliness), NOT_APPLICABLE)
OUTCOME_LABELS = {
    **{t.value: label for t, label in TIMELINESS_LABELS.items()},
    NOT_APPLICABLE: WORKFLOW_LABELS[Workflow.NOT_APPLICABLE],
}
# The workflow states reports count (cancelled tasks are left out of every figure).
WORKFLOW_STATES = tuple(w.value for w in COUNTED_WORKFLOW)
WORKFLOW_STATE_LABELS = {w.value: WORKFLOW_LABELS[w] for w in COUNTED_WORKFLOW}
WORKFLOW_STATE_SHORT_LABELS = {w.value: WORKFLOW_SHORT_LABELS[w] for w in COUNTED_WORKFLOW}
COVERAGE_FIELDS = coverage_categories.FIELDS
COVERAGE_LABELS = {category.name: category.label for category in coverage_categories.CATEGORIES}


# --------------------------------------------------------------------------- value objects


class _CoverageSums:
    def add(self, other: Coverage) -> None:
        # Through the instances' dicts: a region's report adds some hundred thousand of these.
        mine, theirs = self.__dict__, other.__dict__
        for name in COVERAGE_FIELDS:
            mine[name] += theirs[name]

    @property
    def other(self) -> int:
        """Participants not put in a category (the total may exceed the parts; never below 0)."""
        return max(0, self.total - sum(getattr(self, name) for name in coverage_categories.PARTS))


# Summed coverage of a scope, one count per category of roadmap.tasks.coverage (total, students, …).
Coverage = make_dataclass("Coverage", [(name, int, 0) for name in COVERAGE_FIELDS], bases=(_CoverageSums,))
Coverage.__module__ = __name__


@dataclass
class Figures:
    """Counts of tasks by outcome (timeliness), the workflow counts the figures need, coverage."""

    total: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0
    not_applicable: int = 0
    in_review: int = 0  # on review, "not applicable" claims included (the review queue's count)
    returned: int = 0
    done: int = 0  # выполнено: accepted, not "not applicable"
    coverage: Coverage = field(default_factory=Coverage)

    def add(self, other: Figures) -> None:
        mine, theirs = self.__dict__, other.__dict__
        for name in _COUNTS:
            mine[name] += theirs[name]
        self.coverage.add(other.coverage)

    @property
    def reported(self) -> int:
        """Выполнено, включая на проверке: handed in (on review or accepted), not returned."""
        return self.on_time + self.late

    @property
    def not_done(self) -> int:
        return self.overdue + self.open

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def done_ratio(self) -> float | None:
        return ratio(self.done, self.applicable)

    @property
    def reported_ratio(self) -> float | None:
        return ratio(self.reported, self.applicable)

    @property
    def on_time_ratio(self) -> float | None:
        return ratio(self.on_time, self.applicable)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


_COUNTS = tuple(f.name for f in fields(Figures) if f.name != "coverage")


@dataclass
class Cell:
    """One measure × one executor: its tasks' outcomes and workflow states."""

    figures: Figures = field(default_factory=Figures)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def is_applicable(self) -> bool:
        return self.figures.applicable > 0

    @property
    def is_complete(self) -> bool:
        return self.is_applicable and self.figures.done == self.figures.applicable

    @property
    def completion(self) -> str:
        """The cell's colour in a matrix: "complete" (every applicable task done), "none"
        (something overdue), "partial", or "not_applicable" (nothing applicable)."""
        if not self.is_applicable:
            return NOT_APPLICABLE
        if self.is_complete:
            return "complete"
        return "none" if self.figures.overdue else "partial"

    @property
    def single_status(self) -> str | None:
        """The workflow state when the cell holds exactly one task."""
        if self.figures.total != 1:
            return None
        return next((s for s, n in self.statuses.items() if n), None)


@dataclass
class MeasureRow:
    id: int
    number: str
    title: str
    deadline_text: str
    responsible_text: str
    section_id: int | None
    has_tasks: bool
    figures: Figures = field(default_factory=Figures)
    no_tasks_reason: str | None = None  # published on purpose without tasks, and why
    executors_total: int = 0  # executors with at least one applicable task
    executors_done: int = 0  # ... all of whose applicable tasks are done
    executors_not_applicable: int = 0  # executors all of whose tasks are "not applicable"
    comments: list[str] = field(default_factory=list)
    more_comments: int = 0  # distinct comments beyond those kept
    # Students of the applicable executors in the band the measure's target names (the whole
    # contingent otherwise); None when an executor gave no figures for it (see target_results).
    contingent: int | None = None
    band: Band = Band()
    target: TargetResult | None = None
    # Some executor gave the band's students as a level total (grades unknown): said on the page.
    contingent_from_levels: bool = False

    @property
    def executors_ratio(self) -> float | None:
        return ratio(self.executors_done, self.executors_total)

    @property
    def coverage_share(self) -> float | None:
        """Students covered as a share of the band's (or the whole) contingent: «75 % обучающихся 9 классов»."""
        return ratio(self.figures.coverage.students, self.contingent or 0)


@dataclass
class SectionRow:
    id: int | None
    number: str
    title: str
    figures: Figures = field(default_factory=Figures)
    measures: list[MeasureRow] = field(default_factory=list)

    @property
    def heading(self) -> str:
        if not self.number:
            return self.title
        number = self.number.rstrip(".")
        return f"{number}. {self.title}"


@dataclass
class ExecutorRow:
    id: int
    name: str
    full_name: str
    figures: Figures = field(default_factory=Figures)
    measures_total: int | None = 0  # measures with applicable tasks (None: not computed)
    measures_done: int | None = 0  # ... all of whose applicable tasks are done


@dataclass
class MonthCoverage:
    year: int
    month: int
    coverage: Coverage
    tasks_done: int


@dataclass
class YearSummary:
    roadmap_id: int
    roadmap_title: str
    plan_year: int | None
    year_type: str
    figures: Figures
    date_from: date | None = None
    date_to: date | None = None

    @property
    def label(self) -> str:
        """A column heading: "2023", "2023/24", or the date range "01.11.2023 – 31.12.2023"."""
        from roadmap.reports.typography import format_date, plan_year_short

        if self.date_from is not None or self.date_to is not None:
            return f"{format_date(self.date_from) or '…'} – {format_date(self.date_to) or '…'}"
        if self.plan_year is None:
            return "весь период"
        return plan_year_short(self.plan_year, self.year_type)


@dataclass
class Comparison:
    """The scope next to the same figures a plan year earlier."""

    current: YearSummary
    previous: YearSummary
    same_roadmap: bool

    def delta(self, getter) -> int:
        return getter(self.current.figures) - getter(self.previous.figures)


@dataclass(frozen=True)
class Scope:
    """What a report covers. `plan_year` None means every plan year of the roadmap."""

    roadmap_id: int
    plan_year: int | None
    today: date
    date_from: date | None = None
    date_to: date | None = None
    organization_id: int | None = None
    timezone: str = DEFAULT_TIMEZONE
    # The tasks of one municipality's organizations only (None: of every organization).
    municipality_id: int | None = None
    # A regional roadmap's figures roll up its municipal children (see rolled_up_tasks).
    rolls_up: bool = False

    def shifted_back(self, roadmap_id: int, plan_year: int | None) -> Scope:
        """The same scope a year earlier (the date range moves back a year too)."""
        return replace(
            self,
            roadmap_id=roadmap_id,
            plan_year=plan_year,
            date_from=_year_back(self.date_from),
            date_to=_year_back(self.date_to),
        )


def _year_back(day: date | None) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass
class OrganizationTarget:
    """One executor against a share-of-the-contingent target (per organization)."""

    organization_id: int
    name: str
    planned: float
    students: int  # covered
    contingent: int | None  # of the band; None: not given

    @property
    def fact(self) -> float | None:
        return 100 * self.students / self.contingent if self.contingent else None

    @property
    def met(self) -> bool | None:
        return is_met(self.planned, self.fact)


@dataclass
class TargetResult:
    """A measure's target for the scope's plan year and what the reports say of it.

    The fact of each kind (roadmap.targets.TargetKind), from the reports counted by every
    figure (handed in, not "not applicable"), over the executors with applicable tasks:
    participants — coverage total; events — reports handed in; org share — executors with a
    report handed in / executors; band or contingent share — students covered / students of
    the band (of every grade) of the executors, None when one of them gave no figures.
    """

    measure_id: int
    measure_number: str
    measure_title: str
    plan_year: int
    text: str
    kind: TargetKind | None = None
    planned: float | None = None
    band: Band = Band()
    numerator: int | None = None
    denominator: int | None = None
    missing_contingent: int = 0  # executors without figures for the band
    organizations: list[OrganizationTarget] = field(default_factory=list)

    @property
    def is_understood(self) -> bool:
        return self.kind is not None

    @property
    def fact(self) -> float | None:
        if self.kind is None or self.numerator is None:
            return None
        if self.kind.is_share:
            return 100 * self.numerator / self.denominator if self.denominator else None
        return float(self.numerator)

    @property
    def met(self) -> bool | None:
        """True met, False missed, None: not understood or no fact to judge by."""
        if self.kind is None or self.planned is None:
            return None
        return is_met(self.planned, self.fact)

    @property
    def description(self) -> str:
        """«не менее 75 % обучающихся 9 классов»; the text as written when not understood."""
        if self.kind is None or self.planned is None:
            return self.text
        return describe(self.kind, self.planned, self.band)

    @property
    def fact_text(self) -> str:
        """«623 из 830 (75,1 %)», «600», or why there is no fact: one text for every surface."""
        from roadmap.reports.typography import format_int, format_percent

        if self.kind is None:
            return "показатель не распознан"
        if self.kind.of_students and self.missing_contingent:
            return f"нет данных о контингенте ({self.missing_contingent} орг.)"
        if self.numerator is None or (self.kind.is_share and not self.denominator):
            return "нет данных"
        if self.kind.is_share:
            share = format_percent(self.numerator / self.denominator, places=1)
            return f"{format_int(self.numerator)} из {format_int(self.denominator)} ({share})"
        return format_int(self.numerator)

    @property
    def met_text(self) -> str:
        """«выполнен», «не выполнен», «не оценён»."""
        return {True: "выполнен", False: "не выполнен", None: "не оценён"}[self.met]

    @property
    def organizations_missed(self) -> list[OrganizationTarget]:
        return [o for o in self.organizations if o.met is False]


@dataclass
class MonitoringReport:
    roadmap: Roadmap
    scope: Scope
    summary: Figures
    sections: list[SectionRow]
    executors: list[ExecutorRow]
    cells: dict[tuple[int, int], Cell]
    status_counts: dict[str, int]
    coverage_by_month: list[MonthCoverage]
    comparison: Comparison | None
    years: list[YearSummary]
    plan_years: list[int]
    targets: list[TargetResult] = field(default_factory=list)

    @property
    def measures(self) -> list[MeasureRow]:
        return [m for s in self.sections for m in s.measures]

    @property
    def executors_ranked(self) -> list[ExecutorRow]:
        return rank_executors(self.executors)

    @property
    def is_empty(self) -> bool:
        return self.summary.total == 0

    @property
    def comparison_years(self) -> list[YearSummary]:
        """The years to show side by side, oldest first: the whole-year series (up to three
        years), or, for a date range, the range and the same range a year earlier."""
        ranged = self.scope.date_from is not None or self.scope.date_to is not None
        if len(self.years) > 1 and not ranged:
            return self.years
        if self.comparison is not None:
            return [self.comparison.previous, self.comparison.current]
        return []


def completion_rank(figures: Figures, name: str) -> tuple:
    """The sort key of every ranking by completion: the rate, then tasks done on time, then name."""
    return (-(figures.done_ratio or 0), -figures.on_time, natural_key(name))


def rank_executors(executors: list[ExecutorRow]) -> list[ExecutorRow]:
    """Executors with something to do, best first (completion_rank). Those whose every task is
    "not applicable" are left out."""
    return sorted((e for e in executors if e.figures.applicable), key=lambda e: completion_rank(e.figures, e.name))


@dataclass(frozen=True)
class OverdueRow:
    task_id: int
    due_effective_on: date
    label: str
    measure_number: str
    measure_title: str
    organization: str
    workflow: str = Workflow.PLANNED.value  # planned, or returned for rework


@dataclass
class Overview:
    """The roadmap dashboard's figures: the report's for the same scope, summed from the same
    classified rows, without the per-measure detail (see `overview`)."""

    roadmap: Roadmap
    scope: Scope
    summary: Figures
    sections: list[SectionRow]  # their `measures` are left empty
    executors: list[ExecutorRow]  # their measure counts are not computed (None)
    status_counts: dict[str, int]
    coverage_by_month: list[MonthCoverage]
    overdue: list[OverdueRow]
    targets: list[TargetResult] = field(default_factory=list)

    @property
    def executors_ranked(self) -> list[ExecutorRow]:
        return rank_executors(self.executors)

    @property
    def executors_without_work(self) -> list[ExecutorRow]:
        """Executors all of whose tasks are "not applicable"."""
        return [e for e in self.executors if not e.figures.applicable]

    @property
    def is_empty(self) -> bool:
        return self.summary.total == 0


# --------------------------------------------------------------------------- SQL building blocks


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def local_date(column: ColumnElement, timezone: str) -> ColumnElement:
    """The calendar date of a UTC instant in `timezone`, computed by the database.

    PostgreSQL converts with the zone database. SQLite has no zones: Russian zones keep one
    offset all year since 2014, so a fixed offset is exact for them.
    """
    dialect = _dialect()
    if dialect == "postgresql":
        return cast(func.timezone(timezone, column), Date)
    if dialect == "sqlite":
        offset = clock.now().astimezone(ZoneInfo(timezone)).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        return func.date(column, f"{minutes:+d} minutes")
    return cast(column, Date)


def _first_submissions(scope: Scope):
    return (
        select(Transition.task_id.label("task_id"), func.min(Transition.at).label("first_at"))
        .join(Task, Task.id == Transition.task_id)
        .where(_roadmaps_counted(scope), Transition.to_status == TaskStatus.SUBMITTED.value)
        .group_by(Transition.task_id)
        .subquery("first_submission")
    )


def workflow_state() -> ColumnElement:
    """A task's workflow state (roadmap.tasks.state.workflow_of) in SQL, cancelled aside."""
    status = type_coerce(Task.status, String)
    return case(
        (and_(status == TaskStatus.ACCEPTED.value, Task.is_not_applicable), NOT_APPLICABLE),
        else_=status,
    )


def is_overdue(today: date) -> ColumnElement:
    """Timeliness "overdue" in SQL: not handed in (planned or returned) and past the deadline."""
    status = type_coerce(Task.status, String)
    return and_(status.in_([TaskStatus.PLANNED.value, TaskStatus.RETURNED.value]), Task.due_effective_on < today)


def classified(scope: Scope, *, with_plan_year: bool = True):
    """A subquery: one row per task of the scope with its outcome, workflow state and counted coverage."""
    first = _first_submissions(scope)
    status = type_coerce(Task.status, String)
    done_status = status.in_([TaskStatus.SUBMITTED.value, TaskStatus.ACCEPTED.value])
    submitted_on = local_date(func.coalesce(first.c.first_at, Report.created_at), scope.timezone)
    # roadmap.tasks.state.timeliness_of, with "not applicable" as its own outcome.
    outcome = case(
        (and_(done_status, Task.is_not_applicable), NOT_APPLICABLE),
        # No record of when it was submitted: not held against the executor.
        (
            and_(done_status, or_(submitted_on.is_(None), submitted_on <= Task.due_effective_on)),
            Timeliness.ON_TIME.value,
        ),
        (done_status, Timeliness.LATE.value),
        (is_overdue(scope.today), Timeliness.OVERDUE.value),
        else_=Timeliness.OPEN.value,
    )
    workflow = workflow_state()
    counted = and_(done_status, Task.is_not_applicable.is_(False))

    def coverage(column):
        return case((counted, column), else_=None)

    rollup = rolled_up_tasks(scope)
    stmt = (
        select(
            Task.id.label("task_id"),
            rollup.measure_id.label("measure_id"),
            Task.organization_id,
            Task.plan_year,
            Task.start_on,
            Task.due_on,
            Task.due_effective_on,
            rollup.section_id.label("section_id"),
            outcome.label("outcome"),
            workflow.label("workflow"),
            case((status == TaskStatus.SUBMITTED.value, 1), else_=0).label("in_review"),
            case((status == TaskStatus.RETURNED.value, 1), else_=0).label("returned"),
            case((workflow == Workflow.ACCEPTED.value, 1), else_=0).label("done"),
            case((counted, 1), else_=0).label("counted"),
            *(coverage(getattr(Report, f"coverage_{n}")).label(f"cov_{n}") for n in COVERAGE_FIELDS),
            case((counted, Report.held_on), else_=None).label("held_on"),
            case((counted, Report.comment), else_=None).label("comment"),
            submitted_on.label("submitted_on"),
        )
        .join(Measure, Measure.id == Task.measure_id)
        .outerjoin(Report, Report.id == Task.current_report_id)
        .outerjoin(first, first.c.task_id == Task.id)
        .where(Task.is_cancelled.is_(False), Measure.is_removed.is_(False))
    )
    stmt = rollup.joined(stmt)
    if with_plan_year and scope.plan_year is not None:
        stmt = stmt.where(Task.plan_year == scope.plan_year)
    if scope.date_from is not None:
        stmt = stmt.where(Task.due_on >= scope.date_from)
    if scope.date_to is not None:
        stmt = stmt.where(Task.start_on <= scope.date_to)
    if scope.organization_id is not None:
        stmt = stmt.where(Task.organization_id == scope.organization_id)
    if scope.municipality_id is not None:
        of_municipality = select(Organization.id).where(Organization.municipality_id == scope.municipality_id)
        stmt = stmt.where(Task.organization_id.in_(of_municipality.scalar_subquery()))
    return stmt.subquery("classified")


# --------------------------------------------------------------------------- the cascade's roll-up
#
# A regional roadmap's measure is fanned out by municipalities into measures of their own roadmaps
# (Measure.parent_measure_id; roadmap.plans.cascade). With `Scope.rolls_up` the regional figures
# count those children's tasks as tasks of the parent measure (in its section), and leave out the
# regional roadmap's own tasks for the organizations of a municipality that has a child of the
# measure: that municipality reports through its child (its centre's own task is the summary the
# regional coordinator reviews, prefilled from the same figures: municipal_summary). So a
# regional measure's figures are the sums of its children's, through the one classification.


_Parent = aliased(Measure, name="parent_measure")
# The roll-up's other aliases, made once: an alias made per query adapts every column it is asked
# for again (SQLAlchemy memoizes that per alias), most of a demo export's query-building time.
_CountedOrganization = aliased(Organization, name="counted_organization")
_ChildMeasure, _RegionalMeasure = aliased(Measure, name="child_measure"), aliased(Measure, name="regional_measure")
_PlaceChild, _PlaceRegional = aliased(Measure, name="place_child"), aliased(Measure, name="place_regional")
_Place = aliased(Roadmap, name="place")


@dataclass(frozen=True)
class _RollUp:
    scope: Scope
    measure_id: ColumnElement
    section_id: ColumnElement

    def joined(self, stmt):
        """`stmt` (tasks joined to their Measure) limited to the tasks the scope counts."""
        if not self.scope.rolls_up:
            return stmt.where(Task.roadmap_id == self.scope.roadmap_id)
        own = Task.roadmap_id == self.scope.roadmap_id
        # The own tasks reported through a child, left out by an outer join on the (measure,
        # municipality) pairs with a child rather than a correlated EXISTS per task: at region size
        # the EXISTS ran once per regional task and its estimated cost made PostgreSQL JIT-compile
        # the whole query (seconds).
        through_child = _fanned_out_places(self.scope)
        counted_org = _CountedOrganization
        return (
            stmt.outerjoin(
                _Parent, and_(_Parent.id == Measure.parent_measure_id, _Parent.roadmap_id == self.scope.roadmap_id)
            )
            .outerjoin(counted_org, counted_org.id == Task.organization_id)
            .outerjoin(
                through_child,
                and_(
                    through_child.c.measure_id == Task.measure_id,
                    through_child.c.municipality_id == counted_org.municipality_id,
                ),
            )
            .where(
                _roadmaps_counted(self.scope),
                or_(own, _Parent.id.is_not(None)),
                or_(_Parent.id.is_(None), _Parent.is_removed.is_(False)),
                # A child's task is of a municipal measure, never in the pairs: only own tasks go.
                through_child.c.measure_id.is_(None),
            )
        )


def rolled_up_tasks(scope: Scope) -> _RollUp:
    """How `classified` selects and labels the scope's tasks: the roadmap's own, or with
    `rolls_up` also its municipal children's, under the parent measure's id and section."""
    if not scope.rolls_up:
        return _RollUp(scope, Task.measure_id, Measure.section_id)
    return _RollUp(
        scope,
        func.coalesce(_Parent.id, Task.measure_id),
        case((_Parent.id.is_not(None), _Parent.section_id), else_=Measure.section_id),
    )


def _roadmaps_counted(scope: Scope) -> ColumnElement[bool]:
    """SQL: ``Task`` is of the scope's roadmap, or (rolling up) of a roadmap holding a child of one
    of its measures."""
    own = Task.roadmap_id == scope.roadmap_id
    if not scope.rolls_up:
        return own
    child, regional = _ChildMeasure, _RegionalMeasure
    children = select(child.roadmap_id).where(
        child.parent_measure_id.in_(select(regional.id).where(regional.roadmap_id == scope.roadmap_id))
    )
    return or_(own, Task.roadmap_id.in_(children))


def _fanned_out_places(scope: Scope):
    """A subquery: the (regional measure of the scope's roadmap, municipality) pairs where the
    municipality has a live child of the measure; its organizations report through the child."""
    child, place, regional = _PlaceChild, _Place, _PlaceRegional
    return (
        select(child.parent_measure_id.label("measure_id"), place.municipality_id.label("municipality_id"))
        .join(place, place.id == child.roadmap_id)
        .join(regional, regional.id == child.parent_measure_id)
        .where(
            regional.roadmap_id == scope.roadmap_id,
            child.is_removed.is_(False),
            place.municipality_id.is_not(None),
        )
        .distinct()
        .subquery("fanned_out_places")
    )


def municipal_summary(
    parent_measure_id: int,
    municipality_id: int,
    today: date,
    *,
    plan_year: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Figures | None:
    """The figures of a municipality's children of a regional measure (for `plan_year` and the
    date range, as any Scope): what its centre's summary reports up. None when the municipality
    has no child."""
    rows = db.session.execute(
        select(Measure.id, Measure.roadmap_id, Roadmap.timezone)
        .join(Roadmap, Roadmap.id == Measure.roadmap_id)
        .where(
            Measure.parent_measure_id == parent_measure_id,
            Measure.is_removed.is_(False),
            Roadmap.municipality_id == municipality_id,
        )
    ).all()
    if not rows:
        return None
    total = Figures()
    for measure_id, roadmap_id, timezone in rows:
        scope = Scope(roadmap_id, plan_year, today, date_from, date_to, timezone=timezone or DEFAULT_TIMEZONE)
        for cell in cells(scope, {measure_id}).values():
            total.add(cell.figures)
    return total


def _figure_columns(c) -> list:
    """Aggregates over a `classified` subquery, labelled like Figures' fields."""

    def count_if(condition, label):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(label)

    columns = [func.count().label("total")]
    columns += [count_if(c.outcome == name, name) for name in OUTCOMES]
    columns += [
        *(func.coalesce(func.sum(getattr(c, name)), 0).label(name) for name in ("in_review", "returned", "done")),
    ]
    columns += [func.coalesce(func.sum(getattr(c, f"cov_{n}")), 0).label(f"cov_{n}") for n in COVERAGE_FIELDS]
    return columns


# The labels of `_figure_columns`, in their order.
_FIGURE_LABELS = ("total", *OUTCOMES, "in_review", "returned", "done", *(f"cov_{n}" for n in COVERAGE_FIELDS))
_COVERAGE_AT = _FIGURE_LABELS.index(f"cov_{COVERAGE_FIELDS[0]}")


def _figures(row, start: int | None = None) -> Figures:
    """Figures from a row of `_figure_columns`: by label, or (`start`: where they begin in the
    row) by position, which is several times faster for the tens of thousands of cells of a
    region's report."""
    if start is None:
        mapping = row._mapping
        values = [int(mapping[label]) for label in _FIGURE_LABELS]
    else:
        values = [int(v) for v in row[start : start + len(_FIGURE_LABELS)]]
    counts = dict(zip(_FIGURE_LABELS[:_COVERAGE_AT], values[:_COVERAGE_AT], strict=True))
    return Figures(**counts, coverage=Coverage(*values[_COVERAGE_AT:]))


# --------------------------------------------------------------------------- the queries


def figures_of(scopes: list[Scope]) -> dict[int, Figures]:
    """Totals of several roadmaps' scopes (roadmap id → figures) in one query: the same
    classification as every report, for the list of roadmaps."""
    if not scopes:
        return {}
    parts = []
    for scope in scopes:
        c = classified(scope).c
        parts.append(select(literal(scope.roadmap_id).label("roadmap_id"), *_figure_columns(c)))
    return {row.roadmap_id: _figures(row) for row in db.session.execute(union_all(*parts))}


def plan_years_of(roadmap_id: int) -> list[int]:
    """The plan years that have tasks, ascending."""
    return list(
        db.session.scalars(
            select(Task.plan_year)
            .where(Task.roadmap_id == roadmap_id, Task.is_cancelled.is_(False))
            .distinct()
            .order_by(Task.plan_year)
        )
    )


def default_plan_year(roadmap: Roadmap, today: date, years: list[int] | None = None) -> int | None:
    """The plan year a report opens on: the one rule of every page (schedule.current_plan_year),
    limited to the plan years that have tasks."""
    from roadmap.schedule import current_plan_year

    years = plan_years_of(roadmap.id) if years is None else years
    return current_plan_year(roadmap.period_start, roadmap.period_end, roadmap.year_type, today, years)


def _status_columns(c) -> list:
    return [
        func.coalesce(func.sum(case((c.workflow == name, 1), else_=0)), 0).label(f"st_{name}")
        for name in WORKFLOW_STATES
    ]


def _cell(row, keys: int = 2) -> Cell:
    """A Cell from a row of `keys` grouping columns, `_figure_columns` and `_status_columns`."""
    statuses = row[keys + len(_FIGURE_LABELS) :]
    return Cell(
        figures=_figures(row, keys), statuses={name: int(n) for name, n in zip(WORKFLOW_STATES, statuses, strict=True)}
    )


def cells(scope: Scope, measure_ids: set[int] | None = None) -> dict[tuple[int, int], Cell]:
    """(measure id, organization id) → Cell. The one big GROUP BY (of the measures given, if any)."""
    c = classified(scope).c
    stmt = select(c.measure_id, c.organization_id, *_figure_columns(c), *_status_columns(c)).group_by(
        c.measure_id, c.organization_id
    )
    if measure_ids is not None:
        stmt = stmt.where(c.measure_id.in_(measure_ids or {-1}))
    return {(row.measure_id, row.organization_id): _cell(row) for row in db.session.execute(stmt)}


def section_cells(scope: Scope) -> dict[tuple[int | None, int], Cell]:
    """(section id, organization id) → Cell: the rows of `cells` summed by section in SQL, for
    pages that show sections and executors but not measures (a few thousand rows at region
    scale instead of tens of thousands)."""
    c = classified(scope).c
    stmt = select(c.section_id, c.organization_id, *_figure_columns(c), *_status_columns(c)).group_by(
        c.section_id, c.organization_id
    )
    return {(row.section_id, row.organization_id): _cell(row) for row in db.session.execute(stmt)}


def overdue_tasks(scope: Scope, *, limit: int = 50) -> list[OverdueRow]:
    """The scope's tasks of outcome "overdue", the longest overdue first."""
    sub = classified(scope)
    c = sub.c
    stmt = (
        select(
            c.task_id,
            c.due_effective_on,
            Task.label,
            Measure.number,
            Measure.title,
            Organization.short_name,
            c.workflow,
        )
        .select_from(sub)
        .join(Task, Task.id == c.task_id)
        .join(Measure, Measure.id == c.measure_id)
        .join(Organization, Organization.id == c.organization_id)
        .where(c.outcome == Timeliness.OVERDUE.value)
        .order_by(c.due_effective_on, Measure.position, Organization.sort_key, c.task_id)
        .limit(limit)
    )
    return [
        OverdueRow(row[0], _as_date(row[1]), row[2] or "", row[3], row[4], row[5], row[6])
        for row in db.session.execute(stmt)
    ]


def coverage_by_month(scope: Scope) -> list[MonthCoverage]:
    """Coverage of done tasks by the month the measure was held (the deadline month when the
    report gives no date)."""
    c = classified(scope).c
    day = func.coalesce(c.held_on, c.due_effective_on)
    year, month = extract("year", day), extract("month", day)
    stmt = (
        select(
            year.label("y"),
            month.label("m"),
            func.count().label("n"),
            *[func.coalesce(func.sum(getattr(c, f"cov_{n}")), 0).label(f"cov_{n}") for n in COVERAGE_FIELDS],
        )
        .where(c.counted == 1)
        .group_by(year, month)
        .order_by(year, month)
    )
    return [
        MonthCoverage(
            year=int(row.y),
            month=int(row.m),
            coverage=Coverage(**{n: int(row._mapping[f"cov_{n}"]) for n in COVERAGE_FIELDS}),
            tasks_done=int(row.n),
        )
        for row in db.session.execute(stmt)
    ]


def figures_by_year(scope: Scope) -> dict[int, Figures]:
    """plan year → Figures over the whole roadmap (the scope's plan year ignored)."""
    c = classified(scope, with_plan_year=False).c
    stmt = select(c.plan_year, *_figure_columns(c)).group_by(c.plan_year).order_by(c.plan_year)
    return {row.plan_year: _figures(row) for row in db.session.execute(stmt)}


def measure_comments(scope: Scope, *, per_measure: int = 3) -> dict[int, tuple[list[str], int]]:
    """measure id → (the first distinct comments of done reports, earliest held first; how many
    more distinct comments there are)."""
    c = classified(scope).c
    stmt = (
        select(c.measure_id, c.comment, func.min(func.coalesce(c.held_on, c.due_effective_on)).label("first_on"))
        .where(c.counted == 1, c.comment.is_not(None), c.comment != "")
        .group_by(c.measure_id, c.comment)
        .order_by(c.measure_id, "first_on", c.comment)
    )
    kept: dict[int, list[str]] = defaultdict(list)
    more: dict[int, int] = defaultdict(int)
    seen: dict[int, set[str]] = defaultdict(set)
    for row in db.session.execute(stmt):
        text = " ".join(row.comment.split())
        key = text.lower().rstrip(".")
        if not text or key in seen[row.measure_id]:
            continue
        seen[row.measure_id].add(key)
        if len(kept[row.measure_id]) < per_measure:
            kept[row.measure_id].append(text)
        else:
            more[row.measure_id] += 1
    return {measure_id: (texts, more[measure_id]) for measure_id, texts in kept.items()}


def targets_for(scope: Scope) -> dict[int, MeasureTarget]:
    """measure id → its target for the scope's plan year (the year's own, else the one for
    every year). None of them for a scope of all years: a yearly target is not met by a sum
    of years."""
    if scope.plan_year is None:
        return {}
    rows = db.session.scalars(
        select(MeasureTarget)
        .join(Measure, Measure.id == MeasureTarget.measure_id)
        .where(
            Measure.roadmap_id == scope.roadmap_id,
            Measure.is_removed.is_(False),
            or_(MeasureTarget.plan_year == scope.plan_year, MeasureTarget.plan_year.is_(None)),
        )
        .order_by(MeasureTarget.plan_year.is_(None))  # the year's own first
    )
    chosen: dict[int, MeasureTarget] = {}
    for target in rows:
        chosen.setdefault(target.measure_id, target)
    return chosen


def contingents(organization_ids) -> dict[int, Contingent]:
    """organization id → its contingent (roadmap.directory.service.contingent_of)."""
    from roadmap.directory.service import contingent_of

    return contingent_of(organization_ids)


def target_results(
    scope: Scope,
    *,
    grid: dict[tuple[int, int], Cell] | None = None,
    targets: dict[int, MeasureTarget] | None = None,
    contingent: dict[int, Contingent] | None = None,
) -> list[TargetResult]:
    """The scope's targets and their facts (see TargetResult), in roadmap order. `grid` (the
    report's cells) and `contingent` are reused when the caller has them."""
    targets = targets_for(scope) if targets is None else targets
    if not targets:
        return []
    if grid is None:
        grid = cells(scope, set(targets))
    by_measure: dict[int, list[tuple[int, Cell]]] = defaultdict(list)
    for (measure_id, org_id), cell in grid.items():
        if measure_id in targets and cell.is_applicable:
            by_measure[measure_id].append((org_id, cell))
    org_ids = {org_id for entries in by_measure.values() for org_id, _ in entries}
    if contingent is None:
        contingent = contingents(org_ids)
    names = dict(
        db.session.execute(select(Organization.id, Organization.short_name).where(Organization.id.in_(org_ids))).all()
    )
    measures = db.session.execute(
        select(Measure.id, Measure.number, Measure.title)
        .where(Measure.id.in_(list(targets)))
        .order_by(Measure.position, Measure.id)
    ).all()
    results = []
    for measure in measures:
        target = targets[measure.id]
        kind = target.kind
        result = TargetResult(
            measure_id=measure.id,
            measure_number=measure.number,
            measure_title=measure.title,
            plan_year=scope.plan_year,
            text=target.text or "",
            kind=kind,
            planned=target.planned,
            band=target.band if kind == TargetKind.BAND_SHARE else Band(),
        )
        entries = sorted(by_measure.get(measure.id, []), key=lambda e: natural_key(names.get(e[0], "")))
        if kind == TargetKind.PARTICIPANTS:
            result.numerator = sum(cell.figures.coverage.total for _, cell in entries)
        elif kind == TargetKind.EVENTS:
            result.numerator = sum(cell.figures.reported for _, cell in entries)
        elif kind == TargetKind.ORG_SHARE:
            result.numerator = sum(1 for _, cell in entries if cell.figures.reported)
            result.denominator = len(entries)
        elif kind is not None:
            result.numerator = sum(cell.figures.coverage.students for _, cell in entries)
            result.denominator, result.missing_contingent = band_total(
                (contingent.get(org_id) for org_id, _ in entries), result.band
            )
            if result.missing_contingent:
                result.denominator = None
            result.organizations = [
                OrganizationTarget(
                    org_id,
                    names.get(org_id, ""),
                    target.planned,
                    cell.figures.coverage.students,
                    contingent[org_id].of(result.band) if org_id in contingent else None,
                )
                for org_id, cell in entries
            ]
        results.append(result)
    return results


def _measures_and_sections(roadmap_id: int) -> tuple[list[SectionRow], list[MeasureRow]]:
    sections = [
        SectionRow(id=s.id, number=s.number, title=s.title)
        for s in db.session.execute(
            select(Section.id, Section.number, Section.title)
            .where(Section.roadmap_id == roadmap_id)
            .order_by(Section.position, Section.id)
        )
    ]
    with_tasks = set(db.session.scalars(select(Task.measure_id).where(Task.roadmap_id == roadmap_id).distinct()))
    measures = [
        MeasureRow(
            id=m.id,
            number=m.number,
            title=m.title,
            deadline_text=m.deadline_text or "",
            responsible_text=m.responsible_text or "",
            section_id=m.section_id,
            has_tasks=m.id in with_tasks,
            no_tasks_reason=m.no_tasks_reason,
        )
        for m in db.session.execute(
            select(
                Measure.id,
                Measure.number,
                Measure.title,
                Measure.deadline_text,
                Measure.responsible_text,
                Measure.section_id,
                Measure.no_tasks_reason,
            )
            .where(Measure.roadmap_id == roadmap_id, Measure.is_removed.is_(False))
            .order_by(Measure.position, Measure.id)
        )
    ]
    return sections, measures


def _overlaps(scope: Scope, roadmap: Roadmap) -> bool:
    return (scope.date_to is None or scope.date_to >= roadmap.period_start) and (
        scope.date_from is None or scope.date_from <= roadmap.period_end
    )


def _previous_scope(roadmap: Roadmap, scope: Scope, years: dict[int, Figures]) -> tuple[Scope, Roadmap] | None:
    if scope.plan_year is None:
        # A date range alone: the same range a year earlier, in this roadmap when its period
        # reaches back that far, else in the roadmap it continues.
        if scope.date_from is None or scope.date_to is None:
            return None
        back = scope.shifted_back(roadmap.id, None)
        if _overlaps(back, roadmap):
            return back, roadmap
        previous = db.session.get(Roadmap, roadmap.previous_roadmap_id) if roadmap.previous_roadmap_id else None
        if previous is not None and _overlaps(back, previous):
            return replace(back, roadmap_id=previous.id), previous
        return None
    if scope.plan_year - 1 in years:
        return scope.shifted_back(roadmap.id, scope.plan_year - 1), roadmap
    if roadmap.previous_roadmap_id:
        previous = db.session.get(Roadmap, roadmap.previous_roadmap_id)
        if previous is not None:
            prev_years = plan_years_of(previous.id)
            candidates = [y for y in prev_years if y < scope.plan_year] or prev_years
            if candidates:
                return scope.shifted_back(previous.id, candidates[-1]), previous
    return None


def year_series(
    roadmap: Roadmap, scope: Scope, *, limit: int = 3, own_years: dict[int, Figures] | None = None
) -> list[YearSummary]:
    """Up to `limit` plan years ending with the scope's: this roadmap's earlier years first, then
    those of the roadmaps it continues ("в разрезе 3-х лет"). One GROUP BY per roadmap;
    `own_years`: this roadmap's `figures_by_year` over the whole roadmap, when the caller has it."""
    if scope.plan_year is None:
        return []
    series: list[YearSummary] = []
    current: Roadmap | None = roadmap
    seen: set[int] = set()
    upper = scope.plan_year
    while current is not None and current.id not in seen and len(series) < limit:
        seen.add(current.id)
        base = replace(scope, roadmap_id=current.id, date_from=None, date_to=None)
        known = own_years if own_years is not None and base == replace(scope, date_from=None, date_to=None) else None
        for year, figures in sorted((known if known is not None else figures_by_year(base)).items(), reverse=True):
            if year <= upper and len(series) < limit and all(s.plan_year != year for s in series):
                series.append(YearSummary(current.id, current.title, year, current.year_type, figures))
        upper = min([s.plan_year for s in series], default=upper) - 1
        current = db.session.get(Roadmap, current.previous_roadmap_id) if current.previous_roadmap_id else None
    return sorted(series, key=lambda s: s.plan_year)


def monitoring_report(roadmap: Roadmap, scope: Scope, *, comments_per_measure: int = 3) -> MonitoringReport:
    """Every figure of the report for `scope`, in a fixed handful of queries whatever the size."""
    grid = cells(scope)
    sections, measures = _measures_and_sections(roadmap.id)
    comments = measure_comments(scope, per_measure=comments_per_measure)

    by_measure: dict[int, list[tuple[int, Cell]]] = defaultdict(list)
    by_org: dict[int, list[tuple[int, Cell]]] = defaultdict(list)
    for (measure_id, org_id), cell in grid.items():
        by_measure[measure_id].append((org_id, cell))
        by_org[org_id].append((measure_id, cell))

    summary = Figures()
    status_counts = dict.fromkeys(WORKFLOW_STATES, 0)
    section_index = {s.id: s for s in sections}
    loose = SectionRow(id=None, number="", title="Мероприятия вне разделов")
    # A measure that never got a task (a deadline "по графику" nobody set, no executor) is listed
    # so that it is not lost from the year's report; one with tasks in other years or outside
    # the date range is not part of this report.
    whole_roadmap = scope.date_from is None and scope.date_to is None and scope.organization_id is None
    for measure in measures:
        entries = by_measure.get(measure.id, [])
        if not entries and (measure.has_tasks or not whole_roadmap):
            continue
        for _org, cell in entries:
            measure.figures.add(cell.figures)
            for name, n in cell.statuses.items():
                status_counts[name] += n
            if cell.is_applicable:
                measure.executors_total += 1
                measure.executors_done += int(cell.is_complete)
            elif cell.figures.total:
                measure.executors_not_applicable += 1
        measure.comments, measure.more_comments = comments.get(measure.id, ([], 0))
        summary.add(measure.figures)
        section = section_index.get(measure.section_id, loose)
        section.measures.append(measure)
        section.figures.add(measure.figures)
    if loose.measures:
        sections.append(loose)
    sections = [s for s in sections if s.measures]

    targets = targets_for(scope)
    contingent = contingents(by_org)
    results = target_results(scope, grid=grid, targets=targets, contingent=contingent)
    by_target = {r.measure_id: r for r in results}
    for section in sections:
        for measure in section.measures:
            measure.target = by_target.get(measure.id)
            if measure.target is not None:
                measure.band = measure.target.band
            applicable = [
                contingent.get(org_id) for org_id, cell in by_measure.get(measure.id, []) if cell.is_applicable
            ]
            total, missing = band_total(applicable, measure.band)
            measure.contingent = total if applicable and not missing else None
            measure.contingent_from_levels = any(c.from_level_totals(measure.band) for c in applicable if c)

    org_rows = db.session.execute(
        select(Organization.id, Organization.short_name, Organization.full_name).where(
            Organization.id.in_(list(by_org) or [-1])
        )
    ).all()
    executors = []
    for org in org_rows:
        row = ExecutorRow(id=org.id, name=org.short_name, full_name=org.full_name)
        for _measure_id, cell in by_org[org.id]:
            row.figures.add(cell.figures)
            if cell.is_applicable:
                row.measures_total += 1
                row.measures_done += int(cell.is_complete)
        executors.append(row)
    executors.sort(key=lambda e: natural_key(e.name))

    years = figures_by_year(replace(scope, date_from=None, date_to=None))  # the plan years, whatever the range
    comparison = None
    previous = _previous_scope(roadmap, scope, years)
    if previous is not None:
        prev_scope, prev_roadmap = previous
        # One aggregate row, not the previous year's whole measure × executor grid.
        prev_figures = figures_of([prev_scope]).get(prev_scope.roadmap_id, Figures())
        comparison = Comparison(
            current=YearSummary(
                roadmap.id, roadmap.title, scope.plan_year, roadmap.year_type, summary, scope.date_from, scope.date_to
            ),
            previous=YearSummary(
                prev_roadmap.id,
                prev_roadmap.title,
                prev_scope.plan_year,
                prev_roadmap.year_type,
                prev_figures,
                prev_scope.date_from,
                prev_scope.date_to,
            ),
            same_roadmap=prev_roadmap.id == roadmap.id,
        )
    return MonitoringReport(
        roadmap=roadmap,
        scope=scope,
        summary=summary,
        sections=sections,
        executors=executors,
        cells=grid,
        status_counts=status_counts,
        coverage_by_month=coverage_by_month(scope),
        comparison=comparison,
        years=year_series(roadmap, scope, own_years=years),
        plan_years=sorted(years),
        targets=results,
    )


def overview(roadmap: Roadmap, scope: Scope, *, overdue_limit: int = 50) -> Overview:
    """The dashboard's figures for `scope`: totals, sections, executors, statuses, coverage by
    month and the overdue tasks. The same classification and sums as `monitoring_report`, so
    the page and the exported files agree; five queries whatever the size."""
    grid = section_cells(scope)
    summary = Figures()
    status_counts = dict.fromkeys(WORKFLOW_STATES, 0)
    by_section: dict[int | None, Figures] = defaultdict(Figures)
    by_org: dict[int, Figures] = defaultdict(Figures)
    for (section_id, org_id), cell in grid.items():
        summary.add(cell.figures)
        by_section[section_id].add(cell.figures)
        by_org[org_id].add(cell.figures)
        for name, n in cell.statuses.items():
            status_counts[name] += n

    sections = []
    for row in db.session.execute(
        select(Section.id, Section.number, Section.title)
        .where(Section.roadmap_id == roadmap.id)
        .order_by(Section.position, Section.id)
    ):
        if row.id in by_section:
            sections.append(SectionRow(id=row.id, number=row.number, title=row.title, figures=by_section.pop(row.id)))
    if by_section:  # measures outside any section (or of a section not listed: not expected)
        loose = SectionRow(id=None, number="", title="Мероприятия вне разделов")
        for figures in by_section.values():
            loose.figures.add(figures)
        sections.append(loose)

    executors = [
        ExecutorRow(
            id=org.id,
            name=org.short_name,
            full_name=org.full_name,
            figures=by_org[org.id],
            measures_total=None,
            measures_done=None,
        )
        for org in db.session.execute(
            select(Organization.id, Organization.short_name, Organization.full_name).where(
                Organization.id.in_(list(by_org) or [-1])
            )
        )
    ]
    executors.sort(key=lambda e: natural_key(e.name))
    return Overview(
        roadmap=roadmap,
        scope=scope,
        summary=summary,
        sections=sections,
        executors=executors,
        status_counts=status_counts,
        coverage_by_month=coverage_by_month(scope),
        overdue=overdue_tasks(scope, limit=overdue_limit),
        targets=target_results(scope),
    )


# --------------------------------------------------------------------------- task-level rows


@dataclass(frozen=True)
class TaskRow:
    task_id: int
    section_id: int | None
    section_number: str
    section_title: str
    measure_id: int
    measure_number: str
    measure_title: str
    deadline_text: str
    organization_id: int
    organization: str
    plan_year: int
    label: str
    start_on: date
    due_on: date
    due_effective_on: date
    outcome: str
    workflow: str
    submitted_on: date | None
    held_on: date | None
    coverage_total: int | None
    coverage_students: int | None
    coverage_parents: int | None
    coverage_teachers: int | None
    coverage_disabled: int | None
    comment: str
    links: str
    is_not_applicable: bool
    # The executor's students in the band of the measure's target (all its students when the
    # target names no band, or there is none); None when not given.
    contingent: int | None = None


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def task_rows(scope: Scope, *, batch: int = 2000) -> Iterator[TaskRow]:
    """Every task of the scope with its current report, in roadmap order, streamed in batches.

    The report text is shown whatever the status (a returned report is still what was written);
    its coverage only where the figures count it (reported tasks), so that the rows add up to
    the totals.
    """
    sub = classified(scope)
    c = sub.c
    stmt = (
        select(
            c.task_id,
            c.section_id,
            Section.number.label("section_number"),
            Section.title.label("section_title"),
            c.measure_id,
            Measure.number.label("measure_number"),
            Measure.title.label("measure_title"),
            Measure.deadline_text,
            c.organization_id,
            Organization.short_name.label("organization"),
            c.plan_year,
            Task.label,
            c.start_on,
            c.due_on,
            c.due_effective_on,
            c.outcome,
            c.workflow,
            c.submitted_on,
            Report.held_on,
            *(getattr(c, f"cov_{n}").label(f"coverage_{n}") for n in COVERAGE_FIELDS),
            Report.comment,
            Report.links,
            Task.is_not_applicable,
        )
        .select_from(sub)
        .join(Task, Task.id == c.task_id)
        .join(Measure, Measure.id == c.measure_id)
        .join(Organization, Organization.id == c.organization_id)
        .outerjoin(Section, Section.id == c.section_id)
        .outerjoin(Report, Report.id == Task.current_report_id)
        .order_by(
            func.coalesce(Section.position, 1_000_000),
            Measure.position,
            Measure.id,
            Organization.sort_key,
            c.start_on,
            c.task_id,
        )
    )
    bands = target_bands(scope)
    org_ids = db.session.scalars(select(c.organization_id).select_from(sub).distinct()).all()
    contingent = contingents(org_ids)
    result = db.session.execute(stmt.execution_options(yield_per=batch))
    for row in result:
        values = dict(row._mapping)
        values["section_number"] = values["section_number"] or ""
        values["section_title"] = values["section_title"] or "Мероприятия вне разделов"
        values["deadline_text"] = values["deadline_text"] or ""
        values["comment"] = values["comment"] or ""
        values["links"] = values["links"] or ""
        values["label"] = values["label"] or ""
        values["submitted_on"] = _as_date(values["submitted_on"])
        known = contingent.get(values["organization_id"])
        values["contingent"] = known.of(bands.get(values["measure_id"], Band())) if known else None
        yield TaskRow(**values)


# --------------------------------------------------------------------------- per municipality


@dataclass
class MunicipalityFigures:
    """One municipality's part of a scope (`municipality_id` None: the region's own organizations).

    Coverage as a share of the contingent: the students the reports counted, over the students
    of each measure's applicable executors in the band of its target (the whole contingent when
    it names none), summed over the measures — MeasureRow.coverage_share of the municipality's
    executors, weighted by contingent. None, as for a measure, when an executor gave no figures.
    """

    municipality_id: int | None
    figures: Figures = field(default_factory=Figures)
    executors: int = 0  # organizations with applicable tasks
    contingent: int = 0  # students of the executors with figures, per measure's band, summed
    missing_contingent: int = 0  # executors without figures for a band of one of their measures

    @property
    def students(self) -> int:
        return self.figures.coverage.students

    @property
    def coverage_share(self) -> float | None:
        return None if self.missing_contingent else ratio(self.students, self.contingent)


def target_bands(scope: Scope) -> dict[int, Band]:
    """measure id → the band of its target for the scope, for measures with a band-share target."""
    return {mid: t.band for mid, t in targets_for(scope).items() if t.kind == TargetKind.BAND_SHARE}


def municipality_cells(scope: Scope) -> dict[tuple[int, int | None], Cell]:
    """(measure id, municipality id) → Cell: the scope's classified tasks grouped by the
    municipality of their organization (None: the region's own), in one GROUP BY."""
    sub = classified(scope)
    c = sub.c
    place = Organization.municipality_id
    stmt = (
        select(c.measure_id, place.label("municipality_id"), *_figure_columns(c), *_status_columns(c))
        .select_from(sub)
        .join(Organization, Organization.id == c.organization_id)
        .group_by(c.measure_id, place)
    )
    return {(row.measure_id, row.municipality_id): _cell(row) for row in db.session.execute(stmt)}


def municipality_figures(
    scope: Scope, grid: dict[tuple[int, int | None], Cell] | None = None
) -> dict[int | None, MunicipalityFigures]:
    """municipality id → its figures: the sums of `municipality_cells` (reused when given) and
    the contingent of its executors. Four more queries whatever the size."""
    grid = municipality_cells(scope) if grid is None else grid
    result: dict[int | None, MunicipalityFigures] = {}
    for (_measure_id, place), cell in grid.items():
        result.setdefault(place, MunicipalityFigures(place)).figures.add(cell.figures)
    sub = classified(scope)
    c = sub.c
    pairs = db.session.execute(
        select(c.measure_id, c.organization_id, Organization.municipality_id)
        .select_from(sub)
        .join(Organization, Organization.id == c.organization_id)
        .where(c.outcome != NOT_APPLICABLE)  # the applicable cells (Cell.is_applicable)
        .distinct()
    ).all()
    bands = target_bands(scope)
    contingent = contingents({org_id for _m, org_id, _p in pairs})
    executors: dict[int | None, set[int]] = defaultdict(set)
    missing: dict[int | None, set[int]] = defaultdict(set)
    for measure_id, org_id, place in pairs:
        executors[place].add(org_id)
        known = contingent.get(org_id)
        students = known.of(bands.get(measure_id, Band())) if known is not None else None
        if students is None:
            missing[place].add(org_id)
        else:
            result[place].contingent += students
    for place, orgs in executors.items():
        result[place].executors = len(orgs)
        result[place].missing_contingent = len(missing[place])
    return result
