"""What a feed contains: who may see it, its version key, and its rows (set-based queries only).

A feed has a *scope* (an organization's tasks, a roadmap, or every visible roadmap) and is either
per task (executors, organization feeds) or aggregated per measure × occurrence (coordinators
and observers: one event "3.4 Экскурсии: 12 из 37 выполнили" instead of 37 copies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.sql import ColumnElement

from roadmap.extensions import db
from roadmap.feeds.options import FeedOptions
from roadmap.feeds.service import ORG_KEY
from roadmap.models import (
    Measure,
    Organization,
    Report,
    Roadmap,
    RoadmapStatus,
    Role,
    Section,
    Subscription,
    Task,
    TaskStatus,
    User,
)
from roadmap.tasks.access import can_view_roadmap

__all__ = [
    "AggregateRow",
    "FeedScope",
    "FeedVersion",
    "aggregate_rows",
    "resolve_scope",
    "roadmap_visible",
    "task_rows",
    "version",
]


@dataclass(frozen=True)
class FeedScope:
    kind: str  # personal | organization | roadmap
    aggregated: bool
    organization_id: int | None
    roadmap_id: int | None
    name: str  # the calendar's name

    def key(self) -> str:
        return f"{self.kind}|{int(self.aggregated)}|{self.organization_id or ''}|{self.roadmap_id or ''}|{self.name}"


@dataclass(frozen=True)
class FeedVersion:
    """What a feed's content depends on in the database, as a string, and when it last changed."""

    parts: tuple
    last_change: datetime | None

    def key(self) -> str:
        def text(value) -> str:
            if value is None:
                return ""
            return value.isoformat() if isinstance(value, datetime) else str(value)

        return "|".join(text(value) for value in self.parts)


def roadmap_visible(user: User, roadmap: Roadmap) -> bool:
    """Roadmaps a feed may show: never drafts (they have no tasks for executors yet)."""
    if roadmap.status == RoadmapStatus.DRAFT:
        return user.role in (Role.COORDINATOR, Role.ADMIN)
    if user.role == Role.EXECUTOR:
        return user.organization_id is not None
    return can_view_roadmap(user, roadmap)


def resolve_scope(subscription: Subscription) -> FeedScope | None:
    """The scope of a live subscription, or None when its user may no longer see it.

    None for an inactive user, an executor without (or moved away from) the organization the
    feed was created for, a deactivated organization, or a roadmap that is gone or hidden.
    """
    user = subscription.user
    if user is None or not user.is_active_account:
        return None
    kind = subscription.kind
    executor = user.role == Role.EXECUTOR
    if kind == "personal":
        if subscription.target_id != user.organization_id:
            return None
        if executor:
            org = _active_org(user.organization_id)
            if org is None:
                return None
            return FeedScope(kind, False, org.id, None, f"Дорожная карта: {org.short_name}")
        return FeedScope(kind, True, None, None, "Дорожные карты: сводный календарь")
    if kind == "organization":
        if subscription.target_id is None:
            return None
        if executor and subscription.target_id != user.organization_id:
            return None
        org = _active_org(subscription.target_id) if executor else db.session.get(Organization, subscription.target_id)
        if org is None:
            return None
        return FeedScope(kind, False, org.id, None, f"{org.short_name}: задачи дорожных карт")
    if kind == "roadmap":
        roadmap = db.session.get(Roadmap, subscription.target_id) if subscription.target_id else None
        if roadmap is None or not roadmap_visible(user, roadmap):
            return None
        title = _short(roadmap.title, 80)
        if executor:
            org = _active_org(user.organization_id)
            if org is None or (subscription.options or {}).get(ORG_KEY) != org.id:
                return None
            return FeedScope(kind, False, org.id, roadmap.id, f"{title} — {org.short_name}")
        return FeedScope(kind, True, None, roadmap.id, title)
    return None


def _active_org(org_id: int | None) -> Organization | None:
    org = db.session.get(Organization, org_id) if org_id else None
    return org if org is not None and org.is_active else None


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _scope_filters(scope: FeedScope, options: FeedOptions, window: tuple[date, date]) -> list[ColumnElement]:
    """Conditions shared by the version and the rows: scope, section, plan year, window."""
    start, end = window
    conditions: list[ColumnElement] = [
        Roadmap.status != RoadmapStatus.DRAFT,
        Measure.is_removed.is_(False),
    ]
    if scope.roadmap_id is not None:
        conditions.append(Task.roadmap_id == scope.roadmap_id)
    if scope.organization_id is not None:
        conditions.append(Task.organization_id == scope.organization_id)
    if options.sections:
        conditions.append(Section.number.in_(options.sections))
    if options.plan_year is not None:
        conditions.append(Task.plan_year == options.plan_year)
    if options.view == "spans":
        conditions += [Task.start_on <= end, Task.due_effective_on >= start]
    else:
        conditions += [Task.due_effective_on >= start, Task.due_effective_on <= end]
    return conditions


def _joined(stmt: Select) -> Select:
    return (
        stmt.join(Measure, Measure.id == Task.measure_id)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .outerjoin(Section, Section.id == Measure.section_id)
    )


def version(scope: FeedScope, options: FeedOptions, window: tuple[date, date]) -> FeedVersion:
    """The feed's version in one cheap query.

    An aggregated feed reads its roadmaps' change counters (a row per roadmap). A per-task
    feed aggregates its own few hundred tasks, cancelled and filtered-out ones included: any
    change of a task bumps its SEQUENCE and updated_at, so a task that leaves the feed
    (accepted, cancelled) changes the version as surely as one that changes inside it.
    """
    if scope.aggregated:
        return _roadmaps_version(scope)
    stmt = _joined(
        select(
            func.count(Task.id),
            func.max(Task.updated_at),
            func.coalesce(func.max(Task.id), 0),
            func.coalesce(func.sum(Task.sequence), 0),
            func.max(Measure.updated_at),
            func.max(Roadmap.updated_at),
        ).select_from(Task)
    ).where(*_scope_filters(scope, options, window))
    row = db.session.execute(stmt).one()
    moments = [v for v in (row[1], row[4], row[5]) if v is not None]
    return FeedVersion(tuple(row), max(moments) if moments else None)


def _visible_roadmaps(scope: FeedScope) -> Select:
    stmt = select(
        Roadmap.id,
        Roadmap.feed_version,
        Roadmap.updated_at,
        Roadmap.feed_changed_at,
        Roadmap.title,
        Roadmap.published_at,
        Roadmap.created_at,
    ).where(Roadmap.status != RoadmapStatus.DRAFT)
    if scope.roadmap_id is not None:
        stmt = stmt.where(Roadmap.id == scope.roadmap_id)
    return stmt.order_by(Roadmap.id)


def _roadmaps_version(scope: FeedScope) -> FeedVersion:
    """Every visible roadmap's id, change counter and last edit: tasks, measures and sections
    bump the counter (see roadmap.models.task), edits of the roadmap itself its updated_at."""
    rows = db.session.execute(_visible_roadmaps(scope)).all()
    parts = tuple(item for row in rows for item in (row.id, row.feed_version, row.updated_at))
    moments = [m for row in rows for m in (row.updated_at, row.feed_changed_at) if m is not None]
    return FeedVersion(parts, max(moments) if moments else None)


def _status_filter(options: FeedOptions) -> ColumnElement:
    return Task.status.in_([TaskStatus(s) for s in options.ordered_statuses()])


def task_rows(scope: FeedScope, options: FeedOptions, window: tuple[date, date]) -> list:
    """One row per task with everything its event shows: one query, joins instead of N+1."""
    stmt = (
        _joined(
            select(
                Task.id,
                Task.roadmap_id,
                Task.label,
                Task.start_on,
                Task.due_on,
                Task.due_effective_on,
                Task.status,
                Task.is_not_applicable,
                Task.sequence,
                Task.created_at,
                Task.updated_at,
                Measure.number.label("measure_number"),
                Measure.title.label("measure_title"),
                Measure.responsible_text,
                Measure.updated_at.label("measure_updated_at"),
                Section.number.label("section_number"),
                Section.title.label("section_title"),
                Roadmap.title.label("roadmap_title"),
                Organization.short_name.label("organization_name"),
                Report.held_on,
                Report.coverage_total,
                Report.comment.label("report_comment"),
                Report.is_not_applicable.label("report_not_applicable"),
            ).select_from(Task)
        )
        .join(Organization, Organization.id == Task.organization_id)
        .outerjoin(Report, Report.id == Task.current_report_id)
        .where(*_scope_filters(scope, options, window), Task.is_cancelled.is_(False), _status_filter(options))
        .order_by(Task.due_effective_on, Task.id)
    )
    return list(db.session.execute(stmt))


@dataclass
class AggregateRow:
    """One measure × occurrence of an aggregated feed, with its tasks counted by status."""

    roadmap_id: int
    measure_id: int
    occurrence_key: str
    label: str
    start_on: date
    due_on: date
    due_effective_on: date
    total: int = 0
    accepted: int = 0
    submitted: int = 0
    returned: int = 0
    planned: int = 0
    selected: int = 0
    # The roadmap's change counter and last change: an occurrence changes only with its roadmap.
    sequence: int = 0
    updated_at: datetime | None = None
    created_at: datetime | None = None
    measure_number: str = ""
    measure_title: str = ""
    responsible_text: str = ""
    measure_updated_at: datetime | None = None
    section_number: str | None = None
    section_title: str | None = None
    roadmap_title: str = ""


def aggregate_rows(scope: FeedScope, options: FeedOptions, window: tuple[date, date]) -> list[AggregateRow]:
    """One row per measure × occurrence with counts by status, in three set-based queries.

    The tasks are grouped in the order of ix_task_occurrence, which covers the query (no sort,
    no visit of the table); measures, sections and roadmaps are a few hundred rows read
    separately and joined here. An occurrence is shown when at least one of its tasks has a
    selected status; the counts cover all of its (not cancelled) tasks.
    """
    roadmaps = {row.id: row for row in db.session.execute(_visible_roadmaps(scope))}
    if not roadmaps:
        return []
    measure_stmt = (
        select(
            Measure.id,
            Measure.number,
            Measure.title,
            Measure.responsible_text,
            Measure.updated_at,
            Section.number.label("section_number"),
            Section.title.label("section_title"),
        )
        .outerjoin(Section, Section.id == Measure.section_id)
        .where(Measure.roadmap_id.in_(list(roadmaps)), Measure.is_removed.is_(False))
    )
    if options.sections:
        measure_stmt = measure_stmt.where(Section.number.in_(options.sections))
    measures = {row.id: row for row in db.session.execute(measure_stmt)}

    start, end = window
    conditions: list[ColumnElement] = [Task.roadmap_id.in_(list(roadmaps)), Task.is_cancelled.is_(False)]
    if options.plan_year is not None:
        conditions.append(Task.plan_year == options.plan_year)
    if options.view == "spans":
        conditions += [Task.start_on <= end, Task.due_effective_on >= start]
    else:
        conditions += [Task.due_effective_on >= start, Task.due_effective_on <= end]
    grouping = [
        Task.roadmap_id,
        Task.measure_id,
        Task.occurrence_key,
        Task.due_effective_on,
        Task.start_on,
        Task.due_on,
        Task.plan_year,
        Task.label,
        Task.status,
    ]
    groups = db.session.execute(select(*grouping, func.count()).where(*conditions).group_by(*grouping))

    selected = set(options.ordered_statuses())
    rows: dict[tuple[int, int, str], AggregateRow] = {}
    for roadmap_id, measure_id, key, due_effective_on, start_on, due_on, _year, label, status, count in groups:
        if measure_id not in measures:
            continue
        row = rows.get((roadmap_id, measure_id, key))
        if row is None:
            row = rows[(roadmap_id, measure_id, key)] = AggregateRow(
                roadmap_id, measure_id, key, label, start_on, due_on, due_effective_on
            )
        else:
            row.label = min(row.label, label)
            row.start_on = min(row.start_on, start_on)
            row.due_on = max(row.due_on, due_on)
            row.due_effective_on = max(row.due_effective_on, due_effective_on)
        value = TaskStatus(status).value
        row.total += count
        setattr(row, value, getattr(row, value) + count)
        if value in selected:
            row.selected += count

    result = []
    for row in rows.values():
        if not row.selected:
            continue
        measure, roadmap = measures[row.measure_id], roadmaps[row.roadmap_id]
        row.sequence = roadmap.feed_version
        row.created_at = roadmap.published_at or roadmap.created_at
        row.updated_at = roadmap.feed_changed_at or row.created_at
        row.measure_number = measure.number
        row.measure_title = measure.title
        row.responsible_text = measure.responsible_text
        row.measure_updated_at = measure.updated_at
        row.section_number = measure.section_number
        row.section_title = measure.section_title
        row.roadmap_title = roadmap.title
        result.append(row)
    result.sort(key=lambda r: (r.due_effective_on, r.measure_id, r.occurrence_key))
    return result
