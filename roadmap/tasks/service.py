"""Persisting the planner's output: generation, regeneration, cancellation. The caller commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, case, delete, func, select, update

from roadmap.directory.service import group_members
from roadmap.extensions import db
from roadmap.models import (
    DateProposal,
    Measure,
    MeasureParty,
    Organization,
    ProposalStatus,
    Report,
    Roadmap,
    Task,
    TaskStatus,
    Transition,
    utcnow,
)
from roadmap.models.task import OCCURRENCE_GROUPING, bump_feed_versions, lock_feed_counters
from roadmap.russian import tally
from roadmap.schedule import AcademicCalendar, Schedule, ScheduleKind, parse
from roadmap.tasks.access import organizations_of_territory
from roadmap.tasks.dates import stored_ranges
from roadmap.tasks.driver_rows import BATCH, PlainRows, driver_rows
from roadmap.tasks.planner import (
    MeasurePlan,
    Occurrence,
    PlanSettings,
    measure_occurrences,
    own_occurrences,
)


@dataclass
class GenerationResult:
    added: int = 0
    changed: int = 0
    cancelled: int = 0
    restored: int = 0
    removed: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.added + self.changed + self.cancelled + self.restored + self.removed

    def summary(self) -> str:
        """What changed, in the coordinator's words, the zeros left out."""
        return tally(
            ("добавлено", self.added),
            ("перенесено на новые даты", self.changed),
            ("отменено {n} (сделанное по ним сохранено)", self.cancelled),
            ("восстановлено", self.restored),
            ("удалено {n} (по ним ещё ничего не сделано)", self.removed),
            ("без изменений", self.unchanged),
            none="изменений нет",
        )


def plan_settings(roadmap: Roadmap) -> PlanSettings:
    calendar = AcademicCalendar.from_dict(roadmap.academic_calendar) if roadmap.academic_calendar else None
    return PlanSettings(
        period_start=roadmap.period_start,
        period_end=roadmap.period_end,
        year_type=roadmap.year_type,
        shift=roadmap.shift_rule,
        academic_calendar=calendar,
    )


def measure_schedule(measure: Measure) -> Schedule:
    if measure.schedule:
        try:
            return Schedule.from_dict(measure.schedule)
        except (KeyError, TypeError, ValueError):
            pass  # stored by an older parser: parse the text again
    return parse(measure.deadline_text)


def manual_dates(measure: Measure) -> list[tuple[date, date]]:
    return stored_ranges(measure.manual_dates)


def executor_map(roadmap_id: int) -> dict[int, set[int]]:
    """measure id → the active organizations responsible for it, groups fanned out. Three queries."""
    parties = db.session.execute(
        select(MeasureParty.measure_id, MeasureParty.organization_id, MeasureParty.group_id)
        .join(Measure, Measure.id == MeasureParty.measure_id)
        .where(Measure.roadmap_id == roadmap_id, Measure.is_removed.is_(False), Measure.has_no_executor.is_(False))
    ).all()
    group_ids = {p.group_id for p in parties if p.group_id}
    members = group_members(group_ids)
    # A municipal roadmap reaches its municipality's organizations and the region's own only:
    # «все школы» there means the municipality's schools.
    territory = db.session.scalar(select(Roadmap.municipality_id).where(Roadmap.id == roadmap_id))
    active = set(
        db.session.scalars(
            select(Organization.id).where(Organization.is_active.is_(True), organizations_of_territory(territory))
        )
    )
    result: dict[int, set[int]] = defaultdict(set)
    for party in parties:
        if party.organization_id and party.organization_id in active:
            result[party.measure_id].add(party.organization_id)
        if party.group_id:
            result[party.measure_id].update(members.get(party.group_id, set()) & active)
    return result


def tasks_with_history(roadmap_id: int) -> set[int]:
    with_transitions = select(Transition.task_id).join(Task, Task.id == Transition.task_id)
    with_transitions = with_transitions.where(Task.roadmap_id == roadmap_id)
    with_reports = select(Report.task_id).join(Task, Task.id == Report.task_id).where(Task.roadmap_id == roadmap_id)
    return set(db.session.scalars(with_transitions.union(with_reports)))


def desired_occurrences(
    roadmap: Roadmap,
) -> tuple[dict[tuple[int, str], Occurrence], dict[tuple[int, str], set[int]]]:
    """Every task the roadmap should have, without one object per task.

    Dates, label and plan year belong to a measure's occurrence, not to an executor, so a region
    roadmap (60 measures, 1,000 schools) needs a few hundred occurrences and the executor sets
    instead of 100,000 task specifications. Keys are (measure id, occurrence key); the second
    mapping gives each occurrence its executors — the measure's whole set (one shared object),
    or, for an executor whose own dates were confirmed for a `manual` measure, that executor
    alone. A measure without executors has no tasks; a repeated key keeps its last occurrence.
    """
    executors = executor_map(roadmap.id)
    own_dates = confirmed_dates(roadmap.id)
    settings = plan_settings(roadmap)
    occurrences: dict[tuple[int, str], Occurrence] = {}
    holders: dict[tuple[int, str], set[int]] = {}
    measures = db.session.scalars(
        select(Measure).where(Measure.roadmap_id == roadmap.id, Measure.is_removed.is_(False))
    ).all()
    for measure in measures:
        everyone = executors.get(measure.id)
        if not everyone:
            continue
        schedule = measure_schedule(measure)
        own = {}
        if schedule.kind == ScheduleKind.MANUAL and measure.id in own_dates:
            own = {org: dates for org, dates in own_dates[measure.id].items() if org in everyone}
        shared = everyone - own.keys() if own else everyone
        if shared:
            plan = MeasurePlan(measure.id, schedule, manual_dates(measure), executor_ids=())
            for occurrence in measure_occurrences(plan, settings):
                occurrences[(measure.id, occurrence.key)] = occurrence
                holders[(measure.id, occurrence.key)] = shared
        for organization_id, dates in sorted(own.items()):
            for occurrence in own_occurrences(measure.id, organization_id, dates, settings):
                occurrences[(measure.id, occurrence.key)] = occurrence
                holders[(measure.id, occurrence.key)] = {organization_id}
    return occurrences, holders


def confirmed_dates(roadmap_id: int) -> dict[int, dict[int, list[tuple[date, date]]]]:
    """measure id → organization id → the dates of its confirmed proposal (the latest wins)."""
    rows = db.session.execute(
        select(DateProposal.measure_id, DateProposal.organization_id, DateProposal.dates)
        .join(Measure, Measure.id == DateProposal.measure_id)
        .where(Measure.roadmap_id == roadmap_id, DateProposal.status == ProposalStatus.CONFIRMED)
        .order_by(DateProposal.id)
    ).all()
    result: dict[int, dict[int, list[tuple[date, date]]]] = defaultdict(dict)
    for measure_id, organization_id, dates in rows:
        result[measure_id][organization_id] = stored_ranges(dates)
    return result


_OCCURRENCE_COLUMNS = ("plan_year", "label", "start_on", "due_on", "due_effective_on")
INSERT_COLUMNS = (
    "roadmap_id",
    "measure_id",
    "organization_id",
    "occurrence_key",
    *_OCCURRENCE_COLUMNS,
    "status",
    "is_not_applicable",
    "is_cancelled",
    "version",
    "sequence",
    "created_at",
    "updated_at",
)


def _occurrence_values(occurrence: Occurrence, rows: PlainRows) -> tuple:
    return tuple(rows.value(name, getattr(occurrence, name)) for name in _OCCURRENCE_COLUMNS)


def generate_tasks(
    roadmap: Roadmap, *, reason: str = "мероприятие изменено или удалено", fast: bool = True
) -> GenerationResult:
    """Bring the roadmap's tasks in line with its measures, idempotently.

    Adds what is missing; moves the dates of tasks without history; never deletes a task with a
    report or history — it is cancelled with `reason` and kept. A task that comes back is restored.
    `fast` chooses the driver-level row adapter (roadmap.tasks.driver_rows) or its plain fallback.
    """
    result = GenerationResult()
    occurrences, holders = desired_occurrences(roadmap)
    table = Task.__table__
    connection = db.session.connection()
    rows = driver_rows(connection, table, fast=fast)
    # Existing tasks are compared in the adapter's representation; the desired side is converted
    # once per occurrence.
    raw = [rows.column(name) for name in _OCCURRENCE_COLUMNS]
    wanted = {key: _occurrence_values(occurrence, rows) for key, occurrence in occurrences.items()}
    unchanged = _count_if_unchanged(connection, roadmap.id, raw, wanted, holders)
    if unchanged is not None:
        result.unchanged = unchanged
        return result
    # Something will be written: the roadmap's row first, as every task write takes it
    # (models.task.lock_feed_counters), so no deadlock with a submit or review meanwhile. The
    # no-op proof above reads only and writes nothing, not even this lock.
    lock_feed_counters([roadmap.id])
    existing = connection.execute(
        select(
            table.c.id,
            table.c.measure_id,
            table.c.organization_id,
            table.c.occurrence_key,
            table.c.is_cancelled,
            *raw,
        ).where(table.c.roadmap_id == roadmap.id)
    ).all()
    history = tasks_with_history(roadmap.id) if existing else set()
    present: set[tuple[int, int, str]] = set()
    moves, cancels, restores, deletes = [], [], [], []
    for row in existing:
        task_id, measure_id, organization_id, key, is_cancelled = row[:5]
        values = wanted.get((measure_id, key))
        if values is None or organization_id not in holders[(measure_id, key)]:
            if task_id in history:
                if not is_cancelled:
                    cancels.append({"_id": task_id})
            else:
                deletes.append(task_id)
            continue
        present.add((measure_id, organization_id, key))
        if is_cancelled:
            restores.append({"_id": task_id})
        if tuple(row[5:]) != values and task_id not in history:
            occurrence = occurrences[(measure_id, key)]
            moves.append(
                {
                    "_id": task_id,
                    "_start": occurrence.start_on,
                    "_due": occurrence.due_on,
                    "_eff": occurrence.due_effective_on,
                    "_label": occurrence.label,
                    "_year": occurrence.plan_year,
                }
            )
        elif not is_cancelled:
            result.unchanged += 1

    result.added = _insert_missing(rows, roadmap.id, occurrences, holders, present)

    now = utcnow()
    bump = {"version": table.c.version + 1, "sequence": table.c.sequence + 1, "updated_at": now}
    if moves:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(
                start_on=bindparam("_start"),
                due_on=bindparam("_due"),
                due_effective_on=bindparam("_eff"),
                label=bindparam("_label"),
                plan_year=bindparam("_year"),
                date_sequence=table.c.date_sequence + 1,
                **bump,
            )
        )
        _executemany(stmt, moves)
        result.changed = len(moves)
    if cancels:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(is_cancelled=True, cancel_reason=reason[:300], **bump)
        )
        _executemany(stmt, cancels)
        result.cancelled = len(cancels)
    if restores:
        stmt = (
            update(table).where(table.c.id == bindparam("_id")).values(is_cancelled=False, cancel_reason=None, **bump)
        )
        _executemany(stmt, restores)
        result.restored = len(restores)
    if deletes:
        for start in range(0, len(deletes), BATCH):
            db.session.execute(delete(table).where(table.c.id.in_(deletes[start : start + BATCH])))
        result.removed = len(deletes)
    if result.written:
        # Core writes pass the ORM's flush events by: advance the feeds' counter here.
        bump_feed_versions(connection, [roadmap.id])
        # ORM objects loaded earlier in this session must not keep stale task state.
        db.session.expire_all()
    return result


def _count_if_unchanged(connection, roadmap_id: int, raw: list, wanted: dict, holders: dict) -> int | None:
    """The number of tasks when they are exactly the desired ones, else None; two GROUP BY queries.

    Regenerating an unchanged region roadmap is the common case (every edit of a measure and
    the "recalculate" button run it); proving it from per-occurrence and per-executor groups
    reads a third of the rows a task-by-task comparison would. Proof: every desired occurrence
    has as many live tasks as its measure has executors, all with the desired dates, and no other
    occurrence exists; every measure's tasks belong to exactly its executors; the unique
    (measure, organization, occurrence) constraint then leaves no room for a difference.
    """
    table = Task.__table__
    live = func.sum(case((table.c.is_cancelled.is_(True), 0), else_=1))
    # In the order of ix_task_occurrence, which covers the query: no sort, no table visits.
    grouping = [table.c[name] for name in OCCURRENCE_GROUPING]
    groups = connection.execute(
        select(table.c.measure_id, table.c.occurrence_key, *raw, func.count(), live)
        .where(table.c.roadmap_id == roadmap_id)
        .group_by(*grouping)
    ).all()
    if len(groups) != len(wanted):
        return None
    total = 0
    for measure_id, key, *values, count, alive in groups:
        if wanted.get((measure_id, key)) != tuple(values) or count != alive:
            return None
        if count != len(holders[(measure_id, key)]):
            return None
        total += count
    # Through the unique (measure, organization, occurrence) index, in its order.
    measure_ids = select(Measure.__table__.c.id).where(Measure.__table__.c.roadmap_id == roadmap_id)
    pairs = connection.execute(
        select(table.c.measure_id, table.c.organization_id)
        .where(table.c.measure_id.in_(measure_ids), table.c.roadmap_id == roadmap_id)
        .distinct()
    ).all()
    found: dict[int, set[int]] = defaultdict(set)
    for measure_id, organization_id in pairs:
        found[measure_id].add(organization_id)
    expected: dict[int, set[int]] = {}
    for (measure_id, _key), organizations in holders.items():
        known = expected.get(measure_id)
        if known is None:
            expected[measure_id] = organizations
        elif known is not organizations:  # shared occurrences hold one object: no copy per occurrence
            expected[measure_id] = known | organizations
    if found.keys() != expected.keys() or any(found[m] != expected[m] for m in expected):
        return None
    return total


def _insert_missing(
    rows: PlainRows,
    roadmap_id: int,
    occurrences: dict[tuple[int, str], Occurrence],
    holders: dict[tuple[int, str], set[int]],
    present: set[tuple[int, int, str]],
) -> int:
    """Insert every desired task not in `present`, in batches; return how many.

    Rows are built per occurrence and fanned out to its organizations: with the fast adapter a
    region's 100,000 rows cost little more than the driver's own executemany (docs/performance.md).
    """
    now = utcnow()
    constant = {
        "roadmap_id": rows.value("roadmap_id", roadmap_id),
        "status": rows.value("status", TaskStatus.PLANNED),
        "is_not_applicable": rows.value("is_not_applicable", False),
        "is_cancelled": rows.value("is_cancelled", False),
        "version": 1,
        "sequence": 0,
        "created_at": rows.value("created_at", now),
        "updated_at": rows.value("updated_at", now),
    }

    def groups():
        for (measure_id, key), occurrence in occurrences.items():
            values = dict(zip(_OCCURRENCE_COLUMNS, _occurrence_values(occurrence, rows), strict=True))
            values.update(constant, measure_id=measure_id, occurrence_key=key)
            organizations = sorted(holders[(measure_id, key)])
            if present:
                organizations = [o for o in organizations if (measure_id, o, key) not in present]
            yield values, "organization_id", organizations

    return rows.insert(INSERT_COLUMNS, groups())


def _executemany(stmt, params: list[dict]) -> None:
    connection = db.session.connection()
    for start in range(0, len(params), BATCH):
        connection.execute(stmt, params[start : start + BATCH])
