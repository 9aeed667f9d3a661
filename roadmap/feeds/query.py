"""What a feed contains: who may see it, its version key, and its rows (set-based queries only).

A feed has a *scope* (an organization's tasks, a roadmap, or every visible roadmap) and is either
per task (executors, organization feeds) or aggregated per measure × occurrence (coordinators
and observers: one event "3.4 Экскурсии: 12 из 37 выполнили" instead of 37 copies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, case, func, literal, select
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

__all__ = ["FeedScope", "FeedVersion", "aggregate_rows", "resolve_scope", "roadmap_visible", "task_rows", "version"]


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
    """One aggregate over every task the feed may show, whatever its status."""

    count: int
    max_updated_at: datetime | None
    max_id: int
    sequence_sum: int
    max_measure_updated_at: datetime | None
    max_roadmap_updated_at: datetime | None

    def key(self) -> str:
        def iso(value: datetime | None) -> str:
            return value.isoformat() if value else ""

        return (
            f"{self.count}|{iso(self.max_updated_at)}|{self.max_id}|{self.sequence_sum}|"
            f"{iso(self.max_measure_updated_at)}|{iso(self.max_roadmap_updated_at)}"
        )

    @property
    def last_change(self) -> datetime | None:
        values = [v for v in (self.max_updated_at, self.max_measure_updated_at, self.max_roadmap_updated_at) if v]
        return max(values) if values else None


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
    """The feed's version in one aggregate query.

    It runs over every task in scope, cancelled and filtered-out ones included: any change of a
    task bumps its SEQUENCE and updated_at, so a task that leaves the feed (accepted, cancelled)
    changes the version as surely as one that changes inside it.
    """
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
    return FeedVersion(int(row[0]), row[1], int(row[2]), int(row[3]), row[4], row[5])


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


def _count_status(status: TaskStatus) -> ColumnElement:
    return func.sum(case((Task.status == status, 1), else_=0))


def aggregate_rows(scope: FeedScope, options: FeedOptions, window: tuple[date, date]) -> list:
    """One row per measure × occurrence with counts by status: a single GROUP BY query.

    An occurrence is shown when at least one of its tasks has a selected status; the counts
    cover all of its (not cancelled) tasks.
    """
    selected = func.sum(case((_status_filter(options), 1), else_=0))
    stmt = (
        _joined(
            select(
                Task.measure_id,
                Task.occurrence_key,
                Task.roadmap_id,
                func.min(Task.label).label("label"),
                func.min(Task.start_on).label("start_on"),
                func.max(Task.due_on).label("due_on"),
                func.max(Task.due_effective_on).label("due_effective_on"),
                func.count(Task.id).label("total"),
                _count_status(TaskStatus.ACCEPTED).label("accepted"),
                _count_status(TaskStatus.SUBMITTED).label("submitted"),
                _count_status(TaskStatus.RETURNED).label("returned"),
                _count_status(TaskStatus.PLANNED).label("planned"),
                func.sum(Task.sequence).label("sequence"),
                func.max(Task.updated_at).label("updated_at"),
                func.min(Task.created_at).label("created_at"),
                Measure.number.label("measure_number"),
                Measure.title.label("measure_title"),
                Measure.responsible_text,
                Measure.updated_at.label("measure_updated_at"),
                Section.number.label("section_number"),
                Section.title.label("section_title"),
                Roadmap.title.label("roadmap_title"),
            ).select_from(Task)
        )
        .where(*_scope_filters(scope, options, window), Task.is_cancelled.is_(False))
        .group_by(
            Task.measure_id,
            Task.occurrence_key,
            Task.roadmap_id,
            Measure.number,
            Measure.title,
            Measure.responsible_text,
            Measure.updated_at,
            Section.number,
            Section.title,
            Roadmap.title,
        )
        .having(selected > literal(0))
        .order_by(func.max(Task.due_effective_on), Task.measure_id, Task.occurrence_key)
    )
    return list(db.session.execute(stmt))
