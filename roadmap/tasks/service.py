"""Persisting the planner's output: generation, regeneration, cancellation. The caller commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, delete, insert, select, update

from roadmap.extensions import db
from roadmap.models import (
    Measure,
    MeasureParty,
    Organization,
    OrgGroup,
    Report,
    Roadmap,
    Task,
    Transition,
    utcnow,
)
from roadmap.schedule import AcademicCalendar, Schedule, parse
from roadmap.tasks.planner import MeasurePlan, PlanSettings, TaskSpec, plan_tasks

BATCH = 5000


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
        return (
            f"добавлено {self.added}, изменено {self.changed}, отменено {self.cancelled}, "
            f"восстановлено {self.restored}, удалено без истории {self.removed}, без изменений {self.unchanged}"
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
    return [(date.fromisoformat(item["start"]), date.fromisoformat(item["due"])) for item in measure.manual_dates or []]


def executor_map(roadmap_id: int) -> dict[int, set[int]]:
    """measure id → the active organizations responsible for it, groups fanned out. Three queries."""
    parties = db.session.execute(
        select(MeasureParty.measure_id, MeasureParty.organization_id, MeasureParty.group_id)
        .join(Measure, Measure.id == MeasureParty.measure_id)
        .where(Measure.roadmap_id == roadmap_id, Measure.is_removed.is_(False), Measure.has_no_executor.is_(False))
    ).all()
    group_ids = {p.group_id for p in parties if p.group_id}
    members = group_members(group_ids)
    active = set(db.session.scalars(select(Organization.id).where(Organization.is_active.is_(True))))
    result: dict[int, set[int]] = defaultdict(set)
    for party in parties:
        if party.organization_id and party.organization_id in active:
            result[party.measure_id].add(party.organization_id)
        if party.group_id:
            result[party.measure_id].update(members.get(party.group_id, ()))
    return result


def group_members(group_ids: set[int]) -> dict[int, set[int]]:
    """group id → ids of its active members (by kind and municipality, plus explicit members)."""
    if not group_ids:
        return {}
    groups = db.session.scalars(select(OrgGroup).where(OrgGroup.id.in_(group_ids))).all()
    orgs = db.session.execute(
        select(Organization.id, Organization.kind, Organization.municipality).where(Organization.is_active.is_(True))
    ).all()
    from roadmap.models.organization import group_members as membership

    explicit = defaultdict(set)
    for group_id, org_id in db.session.execute(
        select(membership.c.group_id, membership.c.organization_id).where(membership.c.group_id.in_(group_ids))
    ):
        explicit[group_id].add(org_id)
    active_ids = {org.id for org in orgs}
    result = {}
    for group in groups:
        ids = explicit[group.id] & active_ids
        if group.kind is not None:
            ids |= {
                org.id
                for org in orgs
                if org.kind == group.kind and (not group.municipality or org.municipality == group.municipality)
            }
        result[group.id] = ids
    return result


def desired_tasks(roadmap: Roadmap) -> dict[tuple[int, int, str], TaskSpec]:
    executors = executor_map(roadmap.id)
    measures = db.session.scalars(
        select(Measure).where(Measure.roadmap_id == roadmap.id, Measure.is_removed.is_(False))
    ).all()
    plans = (
        MeasurePlan(
            measure_id=m.id,
            schedule=measure_schedule(m),
            manual_dates=manual_dates(m),
            executor_ids=sorted(executors.get(m.id, ())),
        )
        for m in measures
    )
    return {spec.identity: spec for spec in plan_tasks(plans, plan_settings(roadmap))}


def tasks_with_history(roadmap_id: int) -> set[int]:
    with_transitions = select(Transition.task_id).join(Task, Task.id == Transition.task_id)
    with_transitions = with_transitions.where(Task.roadmap_id == roadmap_id)
    with_reports = select(Report.task_id).join(Task, Task.id == Report.task_id).where(Task.roadmap_id == roadmap_id)
    return set(db.session.scalars(with_transitions.union(with_reports)))


def generate_tasks(roadmap: Roadmap, *, reason: str = "мероприятие изменено или удалено") -> GenerationResult:
    """Bring the roadmap's tasks in line with its measures, idempotently.

    Adds what is missing; moves the dates of tasks without history; never deletes a task with a
    report or history — it is cancelled with `reason` and kept. A task that comes back is restored.
    """
    result = GenerationResult()
    desired = desired_tasks(roadmap)
    table = Task.__table__
    existing = db.session.execute(
        select(
            table.c.id,
            table.c.measure_id,
            table.c.organization_id,
            table.c.occurrence_key,
            table.c.plan_year,
            table.c.label,
            table.c.start_on,
            table.c.due_on,
            table.c.due_effective_on,
            table.c.is_cancelled,
        ).where(table.c.roadmap_id == roadmap.id)
    ).all()
    history = tasks_with_history(roadmap.id) if existing else set()
    now = utcnow()
    moves, cancels, restores, deletes = [], [], [], []
    for row in existing:
        spec = desired.pop((row.measure_id, row.organization_id, row.occurrence_key), None)
        if spec is None:
            if row.id in history:
                if not row.is_cancelled:
                    cancels.append({"_id": row.id})
            else:
                deletes.append(row.id)
            continue
        dates_differ = (row.start_on, row.due_on, row.due_effective_on, row.label, row.plan_year) != (
            spec.start_on,
            spec.due_on,
            spec.due_effective_on,
            spec.label,
            spec.plan_year,
        )
        if row.is_cancelled:
            restores.append({"_id": row.id})
        if dates_differ and row.id not in history:
            moves.append(
                {
                    "_id": row.id,
                    "_start": spec.start_on,
                    "_due": spec.due_on,
                    "_eff": spec.due_effective_on,
                    "_label": spec.label,
                    "_year": spec.plan_year,
                }
            )
        elif not row.is_cancelled:
            result.unchanged += 1

    if desired:
        rows = [
            {
                "roadmap_id": roadmap.id,
                "measure_id": spec.measure_id,
                "organization_id": spec.organization_id,
                "occurrence_key": spec.occurrence_key,
                "plan_year": spec.plan_year,
                "label": spec.label,
                "start_on": spec.start_on,
                "due_on": spec.due_on,
                "due_effective_on": spec.due_effective_on,
                "status": "planned",
                "is_not_applicable": False,
                "is_cancelled": False,
                "version": 1,
                "sequence": 0,
                "created_at": now,
                "updated_at": now,
            }
            for spec in desired.values()
        ]
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(table), rows[start : start + BATCH])
        result.added = len(rows)

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
        # ORM objects loaded earlier in this session must not keep stale task state.
        db.session.expire_all()
    return result


def _executemany(stmt, params: list[dict]) -> None:
    connection = db.session.connection()
    for start in range(0, len(params), BATCH):
        connection.execute(stmt, params[start : start + BATCH])
