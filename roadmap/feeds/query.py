"""What a feed contains: who may see it, its version key, and its rows (set-based queries only).

A feed has a *scope* (an organization's tasks, a roadmap, or every visible roadmap) and is either
per task (executors, organization feeds) or aggregated per measure × occurrence (coordinators
and observers: one event "3.4 Экскурсии: 12 из 37 выполнили" instead of 37 copies).
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache, reduce
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import (
    Connection,
    Date,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from roadmap.extensions import db
from roadmap.feeds.options import FeedOptions
from roadmap.feeds.service import ORG_KEY, recount_tallies
from roadmap.models import (
    FeedChange,
    Measure,
    OccurrenceTally,
    Organization,
    Report,
    Roadmap,
    RoadmapStatus,
    Role,
    Section,
    Subscription,
    SubscriptionKind,
    Task,
    TaskStatus,
    User,
)
from roadmap.models.task import TALLY_COUNTS
from roadmap.russian import truncate
from roadmap.tasks.access import (
    STAFF_ROLES,
    can_follow_organization,
    can_view_roadmap,
    roadmaps_of_territory,
    tasks_of_territory,
)
from roadmap.tasks.state import Workflow, is_handed_in

__all__ = [
    "AggregateRow",
    "FeedScope",
    "FeedVersion",
    "FoundSubscription",
    "lookup_subscription",
    "lookup_with_version",
    "task_version_inputs",
    "scope_of",
    "aggregate_rows",
    "aggregate_occurrences",
    "NearbyOccurrences",
    "nearby_occurrences",
    "Occurrences",
    "occurrence_cache",
    "resolve_scope",
    "roadmap_visible",
    "task_rows",
    "FeedTitles",
    "TaskRows",
    "version",
]


@dataclass(frozen=True)
class FeedScope:
    kind: str  # personal | organization | roadmap
    aggregated: bool
    organization_id: int | None
    roadmap_id: int | None
    name: str  # the calendar's name
    # The municipality a municipal coordinator's or observer's feed is limited to
    # (roadmap.tasks.access.territory_of): its roadmaps' tasks only, whichever organization's
    # tasks it follows. None: the whole region (regional staff, the administrator, executors).
    territory: int | None = None

    def key(self) -> str:
        return (
            f"{self.kind}|{int(self.aggregated)}|{self.organization_id or ''}|{self.roadmap_id or ''}|{self.name}"
            f"|{self.territory or ''}"
        )


@dataclass(frozen=True)
class FeedVersion:
    """What a feed's content depends on in the database, as a string, and when it last changed."""

    parts: tuple
    last_change: datetime | None
    # The visible roadmaps' rows it was read from (aggregated feeds): their render reads them
    # again only when it builds without this version. Not part of the version.
    roadmaps: tuple = field(default=(), compare=False, repr=False)

    def key(self) -> str:
        def text(value) -> str:
            if value is None:
                return ""
            return value.isoformat() if isinstance(value, datetime) else str(value)

        return "|".join(text(value) for value in self.parts)


def roadmap_visible(user: User, roadmap: Roadmap) -> bool:
    """Roadmaps a feed may show: never drafts (they have no tasks for executors yet)."""
    if roadmap.status == RoadmapStatus.DRAFT:
        return user.role in (Role.COORDINATOR, Role.ADMIN) and can_view_roadmap(user, roadmap)
    if user.role == Role.EXECUTOR:
        return user.organization_id is not None
    return can_view_roadmap(user, roadmap)


@dataclass(frozen=True)
class FoundSubscription:
    """A subscription with everything its scope depends on, from one query (no ORM objects)."""

    id: int
    kind: str
    target_id: int | None
    options: dict | None
    last_used_at: datetime | None
    user_role: Role
    user_active: bool
    user_organization_id: int | None
    user_org: tuple[int, str, bool] | None  # id, short name, active
    target_org: tuple[int, str, bool] | None
    roadmap: tuple[int, str, RoadmapStatus] | None  # id, title, status
    # Territories (roadmap.tasks.access): the user's, the target organization's, the roadmap's.
    user_municipality_id: int | None = None
    target_org_municipality_id: int | None = None
    roadmap_municipality_id: int | None = None


def _lookup_statement(by_token: bool) -> Select:
    sub, user = Subscription.__table__, User.__table__
    user_org = Organization.__table__.alias("user_org")
    target_org = Organization.__table__.alias("target_org")
    roadmap = Roadmap.__table__.alias("target_roadmap")
    stmt = select(
        sub.c.id,
        sub.c.kind,
        sub.c.target_id,
        sub.c.options,
        sub.c.last_used_at,
        user.c.role,
        user.c.is_active,
        user.c.organization_id,
        user_org.c.id,
        user_org.c.short_name,
        user_org.c.is_active,
        target_org.c.id,
        target_org.c.short_name,
        target_org.c.is_active,
        roadmap.c.id,
        roadmap.c.title,
        roadmap.c.status,
        user.c.municipality_id,
        target_org.c.municipality_id,
        roadmap.c.municipality_id,
    ).select_from(
        sub.join(user, user.c.id == sub.c.user_id)
        .outerjoin(user_org, user_org.c.id == user.c.organization_id)
        .outerjoin(target_org, (target_org.c.id == sub.c.target_id) & (sub.c.kind == SubscriptionKind.ORGANIZATION))
        .outerjoin(roadmap, (roadmap.c.id == sub.c.target_id) & (sub.c.kind == SubscriptionKind.ROADMAP))
    )
    if by_token:
        return stmt.where(sub.c.token_hash == bindparam("token_hash"), sub.c.revoked_at.is_(None))
    return stmt.where(sub.c.id == bindparam("subscription_id"))


# Built once: the feed's hot path only binds the parameter (and hits the compiled cache).
_BY_TOKEN = _lookup_statement(by_token=True)
_LOOKUP_WIDTH = len(_BY_TOKEN.selected_columns)
_BY_ID = _lookup_statement(by_token=False)


def _found(row) -> FoundSubscription | None:
    if row is None:
        return None

    def org(offset: int):
        return None if row[offset] is None else (row[offset], row[offset + 1], bool(row[offset + 2]))

    roadmap = None if row[14] is None else (row[14], row[15], RoadmapStatus(row[16]))
    return FoundSubscription(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        Role(row[5]),
        bool(row[6]),
        row[7],
        org(8),
        org(11),
        roadmap,
        row[17],
        row[18],
        row[19],
    )


def lookup_subscription(token_hash: str, connection: Connection | None = None) -> FoundSubscription | None:
    """The live subscription of a token hash and what its scope needs, in one query."""
    connection = connection or db.session.connection()
    return _found(connection.execute(_BY_TOKEN, {"token_hash": token_hash}).first())


def resolve_scope(subscription: Subscription) -> FeedScope | None:
    """The scope of a subscription (see :func:`scope_of`), read back from the database."""
    db.session.flush()
    found = _found(db.session.connection().execute(_BY_ID, {"subscription_id": subscription.id}).first())
    return scope_of(found) if found is not None else None


@dataclass(frozen=True)
class _Viewer:
    role: Role
    organization_id: int | None
    municipality_id: int | None = None


@dataclass(frozen=True)
class _Org:
    id: int
    municipality_id: int | None


@dataclass(frozen=True)
class _Shown:
    status: RoadmapStatus
    municipality_id: int | None = None


def scope_of(found: FoundSubscription) -> FeedScope | None:
    """The scope of a live subscription, or None when its user may no longer see it.

    None for an inactive user, an executor without (or moved away from) the organization the
    feed was created for, a deactivated organization, or a roadmap that is gone or hidden.
    """
    if not found.user_active:
        return None
    kind = found.kind
    executor = found.user_role == Role.EXECUTOR
    territory = found.user_municipality_id if found.user_role in STAFF_ROLES else None
    active_user_org = found.user_org if found.user_org is not None and found.user_org[2] else None
    if kind == SubscriptionKind.PERSONAL:
        if found.target_id != found.user_organization_id:
            return None
        if executor:
            if active_user_org is None:
                return None
            return FeedScope(kind, False, active_user_org[0], None, f"Дорожная карта: {active_user_org[1]}")
        return FeedScope(kind, True, None, None, "Дорожные карты: сводный календарь", territory)
    if kind == SubscriptionKind.ORGANIZATION:
        if found.target_id is None:
            return None
        if executor and found.target_id != found.user_organization_id:
            return None
        org = found.target_org
        if org is None or (executor and not org[2]):
            return None
        viewer = _Viewer(found.user_role, found.user_organization_id, found.user_municipality_id)
        if not executor and not can_follow_organization(viewer, _Org(org[0], found.target_org_municipality_id)):  # type: ignore[arg-type]
            return None
        # Its tasks of the viewer's territory only: a school's tasks of a regional roadmap, or
        # those it left in its old municipality's roadmaps, are not a municipality's staff's.
        return FeedScope(kind, False, org[0], None, f"{org[1]}: задачи дорожных карт", territory)
    if kind == SubscriptionKind.ROADMAP:
        roadmap = found.roadmap
        viewer = _Viewer(found.user_role, found.user_organization_id, found.user_municipality_id)
        shown = _Shown(roadmap[2], found.roadmap_municipality_id) if roadmap else None
        if roadmap is None or not roadmap_visible(viewer, shown):  # type: ignore[arg-type]
            return None
        title = truncate(roadmap[1], 80)
        if executor:
            if active_user_org is None or (found.options or {}).get(ORG_KEY) != active_user_org[0]:
                return None
            return FeedScope(kind, False, active_user_org[0], roadmap[0], f"{title} — {active_user_org[1]}")
        return FeedScope(kind, True, None, roadmap[0], title, territory)
    return None


def _time_filters(view: str, plan_year, start, end, dated: type = Task) -> list[ColumnElement]:
    """The plan year (None: any) and the window: a task shows when its planned deadline (or,
    viewed as spans, any day from its start to its planned deadline) falls in start..end.
    Values or bound parameters; ``dated``: the model whose plan_year, start_on and due_on are
    compared (Task, or OccurrenceTally, which groups tasks by them).

    The planned date, not the one the production calendar moved off a holiday: a task of the
    year due on 31 December stays in a calendar-year window when its deadline moves into January.
    """
    conditions: list[ColumnElement] = [] if plan_year is None else [dated.plan_year == plan_year]
    return conditions + _planned_in(view, start, end, dated)


def _planned_in(view: str, start, end, dated: type = Task) -> list[ColumnElement]:
    """A task's planned deadline (or, viewed as spans, its window) meets start..end: dates or
    bound parameters."""
    if view == "spans":
        return [dated.start_on <= end, dated.due_on >= start]
    return [dated.due_on >= start, dated.due_on <= end]


# The longest a deadline moves off non-working days is the New Year holidays (about ten days): a
# version over effective deadlines this much wider than the window covers every planned one in it.
SHIFT_MARGIN = timedelta(days=31)


def _joined(stmt: Select) -> Select:
    return (
        stmt.join(Measure, Measure.id == Task.measure_id)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .outerjoin(Section, Section.id == Measure.section_id)
    )


def version(
    scope: FeedScope, options: FeedOptions, window: tuple[date, date], connection: Connection | None = None
) -> FeedVersion:
    """The feed's version in one cheap query.

    An aggregated feed reads its roadmaps' change counters (a row per roadmap). A per-task
    feed aggregates its own few hundred tasks, cancelled and filtered-out ones included: any
    change of a task bumps its SEQUENCE and updated_at, so a task that leaves the feed
    (accepted, cancelled) changes the version as surely as one that changes inside it.
    """
    connection = connection or db.session.connection()
    if scope.aggregated:
        return _roadmaps_version(scope, connection)
    shape, params = task_version_inputs(scope, options, window)
    return _task_version(connection.execute(_task_version_statement(*shape), params).one())


VersionInputs = tuple[tuple, dict]


def task_version_inputs(scope: FeedScope, options: FeedOptions, window: tuple[date, date]) -> VersionInputs:
    """The shape of a per-task feed's version statement and its parameters: all it depends on."""
    start, end = window
    # Read from ix_task_org_due, by effective deadline: a window wider by the largest shift holds
    # every task planned in the window (a superset of the shown rows, as a version may be).
    params: dict = {"organization_id": scope.organization_id, "start": start - SHIFT_MARGIN, "end": end + SHIFT_MARGIN}
    if scope.roadmap_id is not None:
        params["roadmap_id"] = scope.roadmap_id
    if options.sections:
        params["sections"] = list(options.sections)
    if options.plan_year is not None:
        params["plan_year"] = options.plan_year
    if scope.territory is not None:
        params["territory"] = scope.territory
    shape = (
        scope.roadmap_id is not None,
        bool(options.sections),
        options.plan_year is not None,
        options.view,
        scope.territory is not None,
    )
    return shape, params


def _task_version(row) -> FeedVersion:
    moments = [v for v in row if isinstance(v, datetime)]
    return FeedVersion(tuple(row), max(moments) if moments else None)


def lookup_with_version(
    token_hash: str, guess: VersionInputs, connection: Connection
) -> tuple[FoundSubscription | None, FeedVersion | None]:
    """The subscription of a token and, in the same query, the version a guess of its inputs
    gives (the inputs this process resolved for the token last time).

    The caller uses the version only when the subscription resolves to exactly these inputs
    again; the token itself is checked on every call, as by :func:`lookup_subscription`.
    """
    shape, params = guess
    row = connection.execute(_combined_statement(*shape), {"token_hash": token_hash, **params}).first()
    if row is None:
        return None, None
    return _found(row), _task_version(tuple(row)[_LOOKUP_WIDTH:])


@lru_cache(maxsize=64)
def _combined_statement(by_roadmap: bool, by_section: bool, by_year: bool, view: str, by_territory: bool) -> Select:
    versions = _task_version_statement(by_roadmap, by_section, by_year, view, by_territory).subquery("feed_version")
    return _BY_TOKEN.add_columns(*versions.c).join_from(Subscription.__table__, versions, true())


@lru_cache(maxsize=64)
def _task_version_statement(by_roadmap: bool, by_section: bool, by_year: bool, view: str, by_territory: bool) -> Select:
    """The per-task version aggregate of one shape, built once (a feed poll only binds values).

    Over the organization's tasks in the window, read from ix_task_org_due alone, and the
    visible roadmaps' last edits (a measure or section edit touches its roadmap's updated_at).
    Tasks of removed measures or draft roadmaps are counted too: a version over a superset of
    the shown rows still changes whenever they do. Only a section filter needs the joins.
    A territory's feed counts its roadmaps' tasks and edits alone: another municipality's
    changes leave its version as they leave its rows.
    """
    if by_section:
        return _joined_task_version_statement(by_roadmap, by_year, view, by_territory)
    conditions: list[ColumnElement] = [Task.organization_id == bindparam("organization_id")]
    roadmaps = [Roadmap.status != RoadmapStatus.DRAFT]
    if by_roadmap:
        conditions.append(Task.roadmap_id == bindparam("roadmap_id"))
        roadmaps.append(Roadmap.id == bindparam("roadmap_id"))
    if by_territory:
        conditions.append(tasks_of_territory(bindparam("territory")))
        roadmaps.append(roadmaps_of_territory(bindparam("territory")))
    if by_year:
        conditions.append(Task.plan_year == bindparam("plan_year"))
    conditions += _window_conditions(view)
    return (
        select(
            func.count(Task.id),
            func.max(Task.updated_at),
            func.coalesce(func.max(Task.id), 0),
            func.coalesce(func.sum(Task.sequence), 0),
            select(func.count(Roadmap.id)).where(*roadmaps).scalar_subquery(),
            select(func.max(Roadmap.updated_at)).where(*roadmaps).scalar_subquery(),
        )
        .select_from(Task)
        .where(*conditions)
    )


def _window_conditions(view: str) -> list[ColumnElement]:
    if view == "spans":
        return [Task.start_on <= bindparam("end"), Task.due_effective_on >= bindparam("start")]
    return [Task.due_effective_on >= bindparam("start"), Task.due_effective_on <= bindparam("end")]


def _joined_task_version_statement(by_roadmap: bool, by_year: bool, view: str, by_territory: bool) -> Select:
    conditions: list[ColumnElement] = [
        Roadmap.status != RoadmapStatus.DRAFT,
        Measure.is_removed.is_(False),
        Task.organization_id == bindparam("organization_id"),
        Section.number.in_(bindparam("sections", expanding=True)),
    ]
    if by_roadmap:
        conditions.append(Task.roadmap_id == bindparam("roadmap_id"))
    if by_territory:
        conditions.append(tasks_of_territory(bindparam("territory")))
    if by_year:
        conditions.append(Task.plan_year == bindparam("plan_year"))
    conditions += _window_conditions(view)
    return _joined(
        select(
            func.count(Task.id),
            func.max(Task.updated_at),
            func.coalesce(func.max(Task.id), 0),
            func.coalesce(func.sum(Task.sequence), 0),
            func.max(Measure.updated_at),
            func.max(Roadmap.updated_at),
        ).select_from(Task)
    ).where(*conditions)


@lru_cache(maxsize=4)
def _visible_roadmaps_statement(by_roadmap: bool, by_territory: bool = False) -> Select:
    stmt = select(
        Roadmap.id,
        Roadmap.feed_version,
        Roadmap.tallied_version,
        Roadmap.updated_at,
        Roadmap.feed_changed_at,
        Roadmap.title,
        Roadmap.published_at,
        Roadmap.created_at,
    ).where(Roadmap.status != RoadmapStatus.DRAFT)
    if by_roadmap:
        stmt = stmt.where(Roadmap.id == bindparam("roadmap_id"))
    if by_territory:
        stmt = stmt.where(roadmaps_of_territory(bindparam("territory")))
    return stmt.order_by(Roadmap.id)


def _visible_roadmaps(scope: FeedScope, connection: Connection | None = None) -> list:
    stmt = _visible_roadmaps_statement(scope.roadmap_id is not None, scope.territory is not None)
    params = {"roadmap_id": scope.roadmap_id} if scope.roadmap_id is not None else {}
    if scope.territory is not None:
        params["territory"] = scope.territory
    return (connection or db.session.connection()).execute(stmt, params).all()


def _roadmaps_version(scope: FeedScope, connection: Connection) -> FeedVersion:
    """Every visible roadmap's id, change counter and last edit: tasks, measures and sections
    bump the counter (see roadmap.models.task), edits of the roadmap itself its updated_at."""
    rows = _visible_roadmaps(scope, connection)
    parts = tuple(item for row in rows for item in (row.id, row.feed_version, row.updated_at))
    moments = [m for row in rows for m in (row.updated_at, row.feed_changed_at) if m is not None]
    return FeedVersion(parts, max(moments) if moments else None, tuple(rows))


TASK_ROW_COLUMNS = (
    "id",
    "roadmap_id",
    "label",
    "start_on",
    "due_on",
    "due_effective_on",
    "status",  # the plain value, not the enum member
    "is_not_applicable",
    "sequence",
    "created",  # as the iCalendar writer takes instants (ical_utc)
    "last_modified",  # the task's or its measure's last change, whichever is later (ical_utc)
    "measure_number",
    "measure_title",
    "responsible_text",
    "section_id",  # its number and title, the roadmap's title and the executor's name: FeedTitles
    "organization_id",
    "held_on",
    "coverage_total",
    "report_comment",
    "report_not_applicable",
)


# The positions of a row's ids the feed's titles are read by (FeedTitles, render._Texts.shared).
ROW_ROADMAP_ID = TASK_ROW_COLUMNS.index("roadmap_id")
ROW_RESPONSIBLE = TASK_ROW_COLUMNS.index("responsible_text")
ROW_SECTION_ID = TASK_ROW_COLUMNS.index("section_id")
ROW_ORGANIZATION_ID = TASK_ROW_COLUMNS.index("organization_id")


class ical_utc(FunctionElement):  # noqa: N801 - an SQL function, named as one
    """An instant as ``YYYYMMDDTHHMMSSZ`` in UTC, whole seconds (roadmap.ical.builder.utc_stamp),
    formatted by the database: a feed's rows carry the text its events write, not datetimes
    to parse, convert and format again in Python for every task."""

    type = String()
    inherit_cache = True


@compiles(ical_utc, "sqlite")
def _ical_utc_sqlite(element, compiler, **kw) -> str:
    # Stored as naive UTC text (roadmap.models.base.UTCDateTime); %S truncates, as utc_stamp does.
    return f"strftime('%Y%m%dT%H%M%SZ', {compiler.process(element.clauses, **kw)})"


@compiles(ical_utc, "postgresql")
def _ical_utc_postgresql(element, compiler, **kw) -> str:
    # to_char truncates the fraction of a second too.
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')"


def _status_filter(options: FeedOptions) -> ColumnElement:
    return Task.status.in_([TaskStatus(s) for s in options.ordered_statuses()])


@dataclass(frozen=True, slots=True)
class FeedTitles:
    """What many tasks of a feed share, read once per feed instead of in every row: the
    roadmaps' titles, the sections' numbers and titles, the executors' names, by id."""

    roadmaps: dict[int, str]
    sections: dict[int, tuple[str | None, str]]
    organizations: dict[int, str]


@dataclass(frozen=True, slots=True)
class TaskRows:
    rows: list
    titles: FeedTitles


def task_rows(
    scope: FeedScope, options: FeedOptions, window: tuple[date, date], connection: Connection | None = None
) -> TaskRows:
    """One row per task with everything its event shows but the titles it shares with others
    (TaskRows.titles): two queries, joins instead of N+1.

    The columns in the order of TASK_ROW_COLUMNS; the statement of each shape is built once
    (a feed only binds its values).
    """
    start, end = window
    params: dict = {
        "organization_id": scope.organization_id,
        "start": start,
        "end": end,
        "statuses": [TaskStatus(s) for s in options.ordered_statuses()],
    }
    if scope.roadmap_id is not None:
        params["roadmap_id"] = scope.roadmap_id
    if scope.territory is not None:
        params["territory"] = scope.territory
    if options.sections:
        params["sections"] = list(options.sections)
    if options.plan_year is not None:
        params["plan_year"] = options.plan_year
    stmt = _task_rows_statement(
        scope.organization_id is not None,
        scope.roadmap_id is not None,
        scope.territory is not None,
        bool(options.sections),
        options.plan_year is not None,
        options.view,
    )
    # Core, not the ORM: plain rows, read by position (render._task_texts unpacks them), in no
    # order (the feed orders its events by effective due date and UID, which SQL cannot).
    connection = connection or db.session.connection()
    rows = connection.execute(stmt, params).all()
    return TaskRows(rows, _feed_titles(connection, rows))


def _feed_titles(connection: Connection, rows: list) -> FeedTitles:
    """The titles the rows name by id, in one query."""
    titles = FeedTitles({}, {}, {})
    if not rows:
        return titles
    found = connection.execute(
        _TITLES_STATEMENT,
        {
            "roadmaps": sorted({row[ROW_ROADMAP_ID] for row in rows}),
            "sections": sorted({row[ROW_SECTION_ID] for row in rows if row[ROW_SECTION_ID] is not None}),
            "organizations": sorted({row[ROW_ORGANIZATION_ID] for row in rows}),
        },
    )
    for kind, key, first, second in found:
        if kind == 1:
            titles.roadmaps[key] = first
        elif kind == 2:
            titles.sections[key] = (first, second)
        else:
            titles.organizations[key] = first
    return titles


_TITLES_STATEMENT = union_all(
    select(literal(1), Roadmap.id, Roadmap.title, null()).where(Roadmap.id.in_(bindparam("roadmaps", expanding=True))),
    select(literal(2), Section.id, Section.number, Section.title).where(
        Section.id.in_(bindparam("sections", expanding=True))
    ),
    select(literal(3), Organization.id, Organization.short_name, null()).where(
        Organization.id.in_(bindparam("organizations", expanding=True))
    ),
)


@lru_cache(maxsize=64)
def _task_rows_statement(
    by_organization: bool, by_roadmap: bool, by_territory: bool, by_section: bool, by_year: bool, view: str
) -> Select:
    """The rows of one shape of per-task feed: scope, section, plan year and window (see
    _time_filters) as parameters; never drafts, removed measures or cancelled tasks.

    Two joins a row (its measure, its report): the roadmaps and sections are conditions on
    small sets, their titles and the executors' names read apart (FeedTitles)."""
    conditions: list[ColumnElement] = [
        Task.roadmap_id.in_(select(Roadmap.id).where(Roadmap.status != RoadmapStatus.DRAFT).scalar_subquery()),
        Measure.is_removed.is_(False),
        Task.is_cancelled.is_(False),
        Task.status.in_(bindparam("statuses", expanding=True)),
    ]
    if by_roadmap:
        conditions.append(Task.roadmap_id == bindparam("roadmap_id"))
    if by_organization:
        conditions.append(Task.organization_id == bindparam("organization_id"))
    if by_territory:
        conditions.append(tasks_of_territory(bindparam("territory")))
    if by_section:
        conditions.append(
            Measure.section_id.in_(
                select(Section.id).where(Section.number.in_(bindparam("sections", expanding=True))).scalar_subquery()
            )
        )
    conditions += _time_filters(view, bindparam("plan_year") if by_year else None, bindparam("start"), bindparam("end"))
    return (
        select(
            Task.id,
            Task.roadmap_id,
            Task.label,
            Task.start_on,
            Task.due_on,
            Task.due_effective_on,
            type_coerce(Task.status, String()).label("status"),
            Task.is_not_applicable,
            Task.sequence,
            ical_utc(Task.created_at).label("created"),
            ical_utc(
                case(
                    (Measure.updated_at.is_(None) | (Task.updated_at >= Measure.updated_at), Task.updated_at),
                    else_=Measure.updated_at,
                )
            ).label("last_modified"),
            Measure.number.label("measure_number"),
            Measure.title.label("measure_title"),
            Measure.responsible_text,
            Measure.section_id,
            Task.organization_id,
            Report.held_on,
            Report.coverage_total,
            Report.comment.label("report_comment"),
            Report.is_not_applicable.label("report_not_applicable"),
        )
        .select_from(Task)
        .join(Measure, Measure.id == Task.measure_id)
        .outerjoin(Report, Report.id == Task.current_report_id)
        .where(*conditions)
    )


@dataclass(slots=True)
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
    accepted: int = 0  # not "not applicable": выполнено
    submitted: int = 0
    returned: int = 0
    planned: int = 0
    not_applicable: int = 0  # "not applicable" on review or accepted: out of the applicable
    selected: int = 0
    on_review: int = 0  # reports on review, "not applicable" claims included
    # The occurrence's own: its tasks' date sequence (moves only when their dates do) and last
    # change, cancelled tasks included; a report on another occurrence changes neither.
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

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable


@dataclass(frozen=True, slots=True)
class Occurrences:
    """A roadmap's rows for one filter, by measure, as of its counter and last edit; ``derived``
    holds what a reader makes of the rows (the renderer's events in feed order), kept as long as
    they are."""

    feed_version: int
    updated_at: datetime | None
    by_measure: dict[int, list[AggregateRow]]
    rows: list[AggregateRow]
    derived: dict = field(default_factory=dict)

    @classmethod
    def of(cls, roadmap, by_measure: dict[int, list[AggregateRow]]) -> Occurrences:
        rows = [row for measure_rows in by_measure.values() for row in measure_rows]
        return cls(roadmap.feed_version, roadmap.updated_at, by_measure, rows)


class _RoadmapOccurrences:
    """The finished rows of aggregate_rows per roadmap and filter, by measure (Occurrences), and
    those of nearby_occurrences per roadmap and filter (_NearbyRoadmap).

    A region's aggregated feed covers dozens of roadmaps, and a school's report changes one
    measure of one of them: the render after it groups that measure's tasks again (the measures
    logged in FeedChange since), not the region's. The rows are never changed once made (the
    renderer only reads them), so threads share them. Emptied when it holds ``max_rows``.
    """

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self._items: dict[tuple, Occurrences] = {}
        self._rows = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Occurrences | None:
        return self._items.get(key)

    def put(self, key: tuple, entry: Occurrences) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._rows -= len(old.rows)
            if self._rows + len(entry.rows) > self.max_rows:
                self._items.clear()
                self._rows = 0
            if len(entry.rows) <= self.max_rows:
                self._items[key] = entry
                self._rows += len(entry.rows)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._rows = 0

    def __len__(self) -> int:
        return len(self._items)


_OCCURRENCES = "roadmap.feeds.occurrences"


def occurrence_cache(app: Flask | None = None) -> _RoadmapOccurrences:
    """The application's rows of aggregated feeds per roadmap (FEED_OCCURRENCE_ROWS, about
    0.3 KB a row; a region's feed is about 4,300 rows). Per application, as a roadmap's id and
    counter mean something only in its own database."""
    app = app or current_app
    cache = app.extensions.get(_OCCURRENCES)
    if cache is None:
        max_rows = int(app.config.get("FEED_OCCURRENCE_ROWS", 100_000))
        cache = app.extensions.setdefault(_OCCURRENCES, _RoadmapOccurrences(max_rows=max_rows))
    return cache


# More changed measures than this: the roadmap is grouped whole (a long IN list costs more).
MAX_REGROUPED_MEASURES = 200


def aggregate_rows(
    scope: FeedScope, options: FeedOptions, window: tuple[date, date], connection: Connection | None = None
) -> list[AggregateRow]:
    """One row per measure × occurrence with counts by status, in no particular order (the
    feed orders its events itself): the rows of aggregate_occurrences."""
    return [row for entry in aggregate_occurrences(scope, options, window, connection) for row in entry.rows]


def aggregate_occurrences(
    scope: FeedScope,
    options: FeedOptions,
    window: tuple[date, date],
    connection: Connection | None = None,
    roadmaps: Sequence | None = None,
) -> list[Occurrences]:
    """The rows of aggregated feeds per visible roadmap; a roadmap whose rows did not change
    gives the very same Occurrences as last time.

    Per roadmap, from occurrence_cache: as they were when neither its counter nor its last edit
    moved; with the measures logged since grouped again when only the counter did and the log
    (FeedChange) holds every step; else grouped whole. One grouping pass for all of each kind.
    """
    roadmaps, connection = _tallied_roadmaps(scope, connection, roadmaps)
    if not roadmaps:
        return []
    cache = occurrence_cache()
    filters = (window, options.plan_year, options.view, tuple(options.ordered_statuses()), tuple(options.sections))
    current: dict[int, Occurrences] = {}
    whole, partial = [], {}
    for roadmap in roadmaps:
        entry = cache.get((roadmap.id, filters))
        if entry is None or entry.updated_at != roadmap.updated_at or entry.feed_version > roadmap.feed_version:
            whole.append(roadmap)
        elif entry.feed_version == roadmap.feed_version:
            current[roadmap.id] = entry
        else:
            partial[roadmap.id] = (roadmap, entry)
    if partial:
        changed = _changed_measures(
            connection, {rid: (entry.feed_version, roadmap.feed_version) for rid, (roadmap, entry) in partial.items()}
        )
        measure_ids = {m for found in changed.values() if found is not None for m in found}
        regroup = {rid: found for rid, found in changed.items() if found is not None}
        if len(measure_ids) > MAX_REGROUPED_MEASURES:
            regroup = {}
        whole += [partial[rid][0] for rid in partial if rid not in regroup]
        if regroup:
            fresh = _group_roadmaps([partial[rid][0] for rid in regroup], options, window, connection, measure_ids)
            for rid, found in regroup.items():
                roadmap, entry = partial[rid]
                by_measure = {m: rows for m, rows in entry.by_measure.items() if m not in found}
                by_measure.update(fresh.get(rid, {}))
                current[rid] = Occurrences.of(roadmap, by_measure)
                cache.put((rid, filters), current[rid])
    if whole:
        fresh = _group_roadmaps(whole, options, window, connection)
        for roadmap in whole:
            current[roadmap.id] = Occurrences.of(roadmap, fresh.get(roadmap.id, {}))
            cache.put((roadmap.id, filters), current[roadmap.id])
    return [current[roadmap.id] for roadmap in roadmaps]


def _tallied_roadmaps(
    scope: FeedScope, connection: Connection | None, roadmaps: Sequence | None = None
) -> tuple[list, Connection]:
    """The visible roadmaps (``roadmaps`` when the caller read them: FeedVersion.roadmaps), their
    tallies counted again first where they lag their counter (an older version wrote tasks
    during an upgrade), and the connection to read the tallies on."""
    roadmaps = list(roadmaps) if roadmaps else _visible_roadmaps(scope, connection)
    behind = [roadmap.id for roadmap in roadmaps if roadmap.tallied_version != roadmap.feed_version]
    if behind:
        recount_tallies(behind, behind_only=True)
        db.session.commit()
    # Taken after that commit, which gives the session's connection back to the pool.
    return roadmaps, connection or db.session.connection()


def _changed_measures(connection: Connection, spans: dict[int, tuple[int, int]]) -> dict[int, set[int] | None]:
    """Per roadmap, the measures whose tasks changed from its counter's first value to its
    second (excluded, included), by the log; None when the log does not say for every step."""
    log = FeedChange.__table__
    rows = connection.execute(
        select(log.c.roadmap_id, log.c.feed_version, log.c.measure_id).where(
            log.c.roadmap_id.in_(list(spans)), log.c.feed_version > min(old for old, _new in spans.values())
        )
    )
    found: dict[int, set[int] | None] = {rid: set() for rid in spans}
    steps: dict[int, set[int]] = {rid: set() for rid in spans}
    for roadmap_id, version, measure_id in rows:
        old, new = spans[roadmap_id]
        if not old < version <= new:
            continue
        steps[roadmap_id].add(version)
        measures = found[roadmap_id]
        if measure_id is None:
            found[roadmap_id] = None
        elif measures is not None:
            measures.add(measure_id)
    for roadmap_id, (old, new) in spans.items():
        if len(steps[roadmap_id]) != new - old:
            found[roadmap_id] = None
    return found


def _group_roadmaps(
    visible: list,
    options: FeedOptions,
    window: tuple[date, date],
    connection: Connection,
    measure_ids: set[int] | None = None,
) -> dict[int, dict[int, list[AggregateRow]]]:
    """Per roadmap and measure, its rows: one per measure × occurrence with counts by status, in
    two set-based queries for all of these roadmaps (only of ``measure_ids`` when given).

    The occurrences' tallies (OccurrenceTally, a few thousand rows for a region's 250,000 tasks)
    are summed per occurrence; measures, sections and roadmaps are a few hundred rows read
    separately and joined here. An occurrence is shown when at least one of its tasks has a
    selected status; the counts cover all of its (not cancelled) tasks. Its SEQUENCE and last
    change are its own (see AggregateRow), so a school's report changes one event, not all.
    """
    roadmaps = {row.id: row for row in visible}
    measure_stmt = _measures_statement(list(roadmaps), options.sections or None)
    if measure_ids is not None:
        measure_stmt = measure_stmt.where(Measure.id.in_(sorted(measure_ids)))
    # Core results through the session's connection: plain rows, no ORM loading per row.
    measures = {row.id: row for row in connection.execute(measure_stmt).all()}
    conditions = _tally_conditions(list(roadmaps), options, window)
    if measure_ids is not None:
        conditions.append(OccurrenceTally.measure_id.in_(sorted(measure_ids)))
    # All at once: the driver's fetchall costs a fraction of a fetch per row.
    tallies = connection.execute(_tally_rows_statement(options.ordered_statuses()).where(*conditions)).all()
    return _merged(tallies, measures, roadmaps)


# What an aggregated feed reads of a measure (_merged, _occurrence_row).
_MEASURE_COLUMNS = (
    Measure.id,
    Measure.number,
    Measure.title,
    Measure.responsible_text,
    Measure.updated_at,
    Section.number.label("section_number"),
    Section.title.label("section_title"),
)


class _MeasureRow(NamedTuple):
    """_MEASURE_COLUMNS of a measure, read with its tallies (_nearby_statements)."""

    id: int
    number: str
    title: str
    responsible_text: str
    updated_at: datetime | None
    section_number: str | None
    section_title: str | None


def _measures_statement(roadmap_ids, sections, *columns) -> Select:
    """The measures an aggregated feed of these roadmaps shows (_measure_shown); ids and
    section numbers as values or bound parameters."""
    return (
        select(*(columns or _MEASURE_COLUMNS))
        .outerjoin(Section, Section.id == Measure.section_id)
        .where(Measure.roadmap_id.in_(roadmap_ids), *_measure_shown(sections))
    )


def _measure_shown(sections) -> list[ColumnElement]:
    """A measure (joined with its section) that an aggregated feed shows: not removed, of its
    ``sections`` (numbers or a bound parameter; None: of any)."""
    conditions: list[ColumnElement] = [Measure.is_removed.is_(False)]
    if sections is not None:
        conditions.append(Section.number.in_(sections))
    return conditions


def _tally_conditions(roadmap_ids: list[int], options: FeedOptions, window: tuple[date, date]) -> list[ColumnElement]:
    """The tallies of the tasks a feed would select: by the same window and plan year as the
    tasks themselves (the tallies keep the planned dates they group by)."""
    tally = OccurrenceTally
    return [tally.roadmap_id.in_(roadmap_ids), *_time_filters(options.view, options.plan_year, *window, tally)]


def _tally_rows_statement(statuses: Iterable[str]) -> Select:
    """A tally row as _merged reads it: its occurrence, dates, last change and AggregateRow's
    counts (``selected``: of these statuses)."""
    tally = OccurrenceTally
    sums = _occurrence_sums(set(statuses))
    # The last change of any of its tasks: an occurrence that lost a task (cancelled) changed then.
    changed = case(
        (tally.cancelled_updated_at.is_(None) | (tally.updated_at >= tally.cancelled_updated_at), tally.updated_at),
        else_=tally.cancelled_updated_at,
    )
    return select(
        tally.roadmap_id,
        tally.measure_id,
        tally.occurrence_key,
        tally.label,
        tally.start_on,
        tally.due_on,
        tally.due_effective_on,
        tally.date_sequence,
        changed,
        tally.occurrence_rows,
        *(sums[name] for name in _SUMMED),
    )


def _merged(tallies, measures: dict, roadmaps: dict) -> dict[int, dict[int, list[AggregateRow]]]:
    """The tally rows (_tally_rows_statement) merged per occurrence: per roadmap and measure, the
    rows shown (a measure of ``measures``, a task of a selected status).

    An occurrence is one tally row but for tasks of differing dates: merged here, which costs
    less than a GROUP BY in the database.
    """
    rows: dict[tuple[int, int, str], AggregateRow] = {}
    # Of the tallies of cancelled tasks alone: their last change counts, nothing else.
    cancelled_alone: dict[tuple[int, int, str], datetime] = {}
    for tally in tallies:
        roadmap_id, measure_id, key = tally[0], tally[1], tally[2]
        measure = measures.get(measure_id)
        if measure is None:
            continue
        occurrence = (roadmap_id, measure_id, key)
        counts = tally[_COUNTS:_MEASURE]
        changed_at = tally[_CHANGED]
        if not counts[0]:
            known = cancelled_alone.get(occurrence)
            if known is None or changed_at > known:
                cancelled_alone[occurrence] = changed_at
            continue
        row = rows.get(occurrence)
        if row is None:
            rows[occurrence] = _occurrence_row(tally, measure, roadmaps[roadmap_id])
            continue
        label, start_on, due_on, due_effective_on, sequence = tally[3 : _SEQUENCE + 1]
        row.label = min(row.label, label)
        row.start_on = min(row.start_on, start_on)
        row.due_on = max(row.due_on, due_on)
        row.due_effective_on = max(row.due_effective_on, due_effective_on)
        for name, count in zip(_SUMMED, counts, strict=True):
            setattr(row, name, getattr(row, name) + count)
        row.sequence = max(row.sequence, int(sequence or 0))
        if changed_at > row.updated_at:
            row.updated_at = changed_at

    result: dict[int, dict[int, list[AggregateRow]]] = {}
    for occurrence, row in rows.items():
        if not row.selected:
            continue
        cancelled_at = cancelled_alone.get(occurrence)
        if cancelled_at is not None and cancelled_at > row.updated_at:
            row.updated_at = cancelled_at
        result.setdefault(row.roadmap_id, {}).setdefault(row.measure_id, []).append(row)
    return result


def _occurrence_row(tally, measure, roadmap) -> AggregateRow:
    """The AggregateRow of a tally row (_tally_rows_statement's columns) of this measure and
    roadmap: the whole occurrence when it has one row, the first of its rows to merge else."""
    # Positional: the occurrence and dates, then the counts in AggregateRow's order of fields
    # (_SUMMED's).
    return AggregateRow(
        *tally[:_SEQUENCE],
        *tally[_COUNTS:_MEASURE],
        int(tally[_SEQUENCE] or 0),
        tally[_CHANGED],
        roadmap.published_at or roadmap.created_at,
        measure.number,
        measure.title,
        measure.responsible_text,
        measure.updated_at,
        measure.section_number,
        measure.section_title,
        roadmap.title,
    )


@dataclass(frozen=True)
class NearbyOccurrences:
    """Of a big aggregated feed, the occurrences a narrowed calendar is made of: every one of
    the ``narrowest`` window, and every one whose effective deadline is at most ``reach`` days
    from today (nearby_occurrences); ``total``: how many the whole feed has."""

    rows: list[AggregateRow]
    total: int
    reach: int


# How far from today (days) nearby_occurrences reads the deadlines nearest to it: two months
# either way, as the narrowest window (this month and the next) is about long.
NEARBY_DAYS = 62


def nearby_occurrences(
    scope: FeedScope,
    options: FeedOptions,
    window: tuple[date, date],
    narrowest: tuple[date, date],
    today: date,
    expected: int,
    connection: Connection | None = None,
    roadmaps: Sequence | None = None,
) -> NearbyOccurrences | None:
    """The occurrences near today of an aggregated feed whose ``narrowest`` window holds more
    than ``expected`` of them (more than are likely to fit the size bound), chosen in the
    database; None for any other feed (aggregate_occurrences has them all), and when no more
    than ``expected`` are within NEARBY_DAYS of today.

    A region's feed has thousands of occurrences and shows the few hundred nearest to today:
    reading only those (and merging in Python only the occurrences of several tally rows, which
    every window selects whole) costs a fraction of reading every tally of every roadmap. The
    rows are the very AggregateRows aggregate_occurrences makes of them. ``roadmaps``: the
    visible roadmaps' rows when the caller read them (FeedVersion.roadmaps).
    """
    roadmaps, connection = _tallied_roadmaps(scope, connection, roadmaps)
    if not roadmaps:
        return None
    reach = timedelta(days=NEARBY_DAYS)
    filters = (
        "nearby",
        window,
        options.plan_year,
        options.view,
        tuple(options.ordered_statuses()),
        tuple(options.sections),
        narrowest,
        today,
    )
    cache = occurrence_cache()
    current: dict[int, _NearbyRoadmap] = {}
    for roadmap in roadmaps:
        entry = cache.get((roadmap.id, filters))
        if entry is not None and (entry.feed_version, entry.updated_at) == (roadmap.feed_version, roadmap.updated_at):
            current[roadmap.id] = entry
    stale = [roadmap for roadmap in roadmaps if roadmap.id not in current]
    counted: dict[int, tuple[int, int]] = {}
    if stale:
        count_statement, rows_statement = _nearby_statements(
            options.view, tuple(options.ordered_statuses()), options.plan_year is not None, bool(options.sections)
        )
        params = {
            "roadmap_ids": [roadmap.id for roadmap in stale],
            "plan_year": options.plan_year,
            "sections": list(options.sections),
            "start": window[0],
            "end": window[1],
            "narrow_start": narrowest[0],
            "narrow_end": narrowest[1],
            "near_start": today - reach,
            "near_end": today + reach,
        }
        counted = {row[0]: (row[1], row[2]) for row in connection.execute(count_statement, params).all()}
    in_window = sum(entry.in_window for entry in current.values()) + sum(n for _s, n in counted.values())
    if in_window <= expected:
        return None
    if stale:
        fresh = _read_nearby(connection, rows_statement, params, stale, counted)
        for roadmap in stale:
            current[roadmap.id] = fresh[roadmap.id]
            cache.put((roadmap.id, filters), fresh[roadmap.id])
    entries = [current[roadmap.id] for roadmap in roadmaps]
    rows = [row for entry in entries for row in entry.rows]
    if sum(abs((row.due_effective_on - today).days) <= NEARBY_DAYS for row in rows) <= expected:
        return None
    return NearbyOccurrences(rows, sum(entry.total for entry in entries), NEARBY_DAYS)


@dataclass(frozen=True, slots=True)
class _NearbyRoadmap:
    """One roadmap's part of nearby_occurrences, as of its counter and last edit (kept in
    occurrence_cache, so that the feed after a school's report reads only that roadmap's)."""

    feed_version: int
    updated_at: datetime | None
    rows: list[AggregateRow]
    total: int  # its occurrences shown
    in_window: int  # its tally rows of the narrowest window


def _read_nearby(
    connection: Connection, rows_statement: Select, params: dict, roadmaps: list, counted: dict[int, tuple[int, int]]
) -> dict[int, _NearbyRoadmap]:
    """_NearbyRoadmap of each of these roadmaps: their rows (of _nearby_statements, with
    ``params``), and ``counted``, the counts read already per roadmap."""
    by_id = {roadmap.id: roadmap for roadmap in roadmaps}
    rows: dict[int, list[AggregateRow]] = {roadmap.id: [] for roadmap in roadmaps}
    spread_rows, measures = [], {}
    # All at once: the driver's fetchall costs a fraction of a fetch per row.
    for found in connection.execute(rows_statement, params).all():
        tally, measure = found[:_MEASURE], _MeasureRow(found[1], *found[_MEASURE:])
        if found[_OCCURRENCE_ROWS] != 1:
            spread_rows.append(tally)
            measures[found[1]] = measure
        elif found[_SELECTED]:
            rows[found[0]].append(_occurrence_row(tally, measure, by_id[found[0]]))
    spread: dict[int, int] = {}
    if spread_rows:
        grouped = _merged(spread_rows, measures, by_id)
        for roadmap_id, by_measure in grouped.items():
            merged = [row for measure_rows in by_measure.values() for row in measure_rows]
            rows[roadmap_id] += merged
            spread[roadmap_id] = len(merged)
    result = {}
    for roadmap in roadmaps:
        singles, in_window = counted.get(roadmap.id, (0, 0))
        result[roadmap.id] = _NearbyRoadmap(
            roadmap.feed_version, roadmap.updated_at, rows[roadmap.id], singles + spread.get(roadmap.id, 0), in_window
        )
    return result


@lru_cache(maxsize=64)
def _nearby_statements(view: str, statuses: tuple[str, ...], by_year: bool, by_section: bool) -> tuple[Select, Select]:
    """nearby_occurrences's two statements of one shape, built once: the counts per roadmap
    (occurrences of one row, tally rows of the narrowest window) and the rows (each with its
    measure's columns, _MEASURE_COLUMNS). Parameters: roadmap_ids, plan_year, sections, start,
    end (the window), narrow_start, narrow_end, near_start, near_end."""
    tally = OccurrenceTally
    selected = _occurrence_sums(set(statuses))["selected"] > 0
    roadmap_ids = bindparam("roadmap_ids", expanding=True)
    conditions = [
        tally.roadmap_id.in_(roadmap_ids),
        *_time_filters(
            view,
            bindparam("plan_year") if by_year else None,
            bindparam("start", type_=Date),
            bindparam("end", type_=Date),
            tally,
        ),
    ]
    sections = bindparam("sections", expanding=True) if by_section else None
    shown = _measure_shown(sections)
    narrow = and_(*_planned_in(view, bindparam("narrow_start", type_=Date), bindparam("narrow_end", type_=Date), tally))
    near = and_(
        tally.due_effective_on >= bindparam("near_start", type_=Date),
        tally.due_effective_on <= bindparam("near_end", type_=Date),
    )
    if by_section:
        # "+ 0": SQLite would otherwise look the tallies up by the occurrence index once per
        # roadmap and measure (tens of thousands of lookups for a region) instead of reading them.
        of_shown = (tally.measure_id + 0).in_(_measures_statement(roadmap_ids, sections, Measure.id))
    else:
        # Of every measure but the roadmaps' removed ones (as a rule none): no join of the measures.
        removed = select(Measure.id).where(Measure.roadmap_id.in_(roadmap_ids), Measure.is_removed.is_(True))
        of_shown = tally.measure_id.not_in(removed)
    count = (
        select(
            tally.roadmap_id,
            func.coalesce(func.sum(case((and_(tally.occurrence_rows == 1, selected), 1), else_=0)), 0),
            func.coalesce(func.sum(case((narrow, 1), else_=0)), 0),
        )
        .where(*conditions, of_shown)
        .group_by(tally.roadmap_id)
    )
    # Each with its measure's columns: reading the measures apart by their ids costs more.
    rows = (
        _tally_rows_statement(statuses)
        .add_columns(*_MEASURE_COLUMNS[1:])
        # "+ 0": each tally then finds its measure, not each measure its tallies (see above).
        .join(Measure, Measure.id == tally.measure_id + 0)
        .outerjoin(Section, Section.id == Measure.section_id)
        .where(*conditions, *shown, or_(tally.occurrence_rows != 1, and_(selected, or_(narrow, near))))
    )
    return count, rows


# Positions in a row of _tally_rows_statement (its seven occurrence and date columns first):
# the date sequence, the last change, how many rows its occurrence has, where its counts start,
# whether a task of it has a selected status, where its measure's columns start
# (_nearby_statements).
_SEQUENCE = 7
_CHANGED = 8
_OCCURRENCE_ROWS = 9
_COUNTS = 10
# AggregateRow's counts, in the order _merged reads them (that of its fields).
_SUMMED = ("total", "accepted", "submitted", "returned", "planned", "not_applicable", "selected", "on_review")
_SELECTED = _COUNTS + _SUMMED.index("selected")
_MEASURE = _COUNTS + len(_SUMMED)


def _occurrence_sums(selected: set[str]) -> dict[str, ColumnElement]:
    """Per AggregateRow count, the sum of the OccurrenceTally columns it adds up (a tally row's
    share). The reports' rule (roadmap.tasks.state): a "not applicable" handed in leaves the
    applicable; on review are the reports submitted, claims included; ``selected``: the tasks of
    the feed's statuses."""
    parts: dict[str, list[ColumnElement]] = {name: [] for name in _SUMMED}
    for (status, claims), name in TALLY_COUNTS.items():
        column = getattr(OccurrenceTally, name)
        parts["total"].append(column)
        parts["not_applicable" if claims and is_handed_in(status.value) else status.value].append(column)
        if status.value == Workflow.SUBMITTED:
            parts["on_review"].append(column)
        if status.value in selected:
            parts["selected"].append(column)
    return {name: reduce(operator.add, columns) if columns else literal(0) for name, columns in parts.items()}
