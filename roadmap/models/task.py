"""Tasks: one per measure × occurrence × executor organization, with reports and history."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from itertools import chain
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    delete,
    event,
    false,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column, relationship

from roadmap.models.base import Base, UTCDateTime, created_at, intpk, kind_column, utcnow
from roadmap.models.organization import Organization
from roadmap.models.plan import Measure, Roadmap, Section
from roadmap.models.user import User
from roadmap.tasks.state import (
    Timeliness,
    Workflow,
    badges,
    is_handed_in,
    state_label,
    timeliness_of,
    workflow_of,
)


class FeedChange(Base):
    """One advance of a roadmap's feed counter (Roadmap.feed_version) and a measure whose tasks
    it changed; no measure: anything of the roadmap may have (a bulk write, an edit).

    Aggregated feeds keep their rows per roadmap and measure (feeds.query.occurrence_cache) and,
    when the counter moved, group again only the measures logged since, as long as the log holds
    every value in between (models.task.FEED_CHANGES_KEPT)."""

    __tablename__ = "feed_change"
    __table_args__ = (Index("ix_feed_change_roadmap_version", "roadmap_id", "feed_version"),)

    id: Mapped[intpk]
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmap.id", ondelete="CASCADE"))
    feed_version: Mapped[int] = mapped_column(Integer)
    # Not a foreign key: the log outlives a measure it names, and says nothing of its row.
    measure_id: Mapped[int | None] = mapped_column(Integer)


class OccurrenceTally(Base):
    """What a measure's tasks of one occurrence add up to, by status, for aggregated feeds: one
    row per (roadmap, measure, occurrence) and planned dates, kept in step with the tasks.

    A region's aggregated feed would otherwise group about 250,000 tasks on every render from
    nothing cached; it reads these few thousand rows instead. The dates are the grouping's, so a
    feed's window and plan year select rows exactly as they would select the tasks. Written only
    by models.task.refresh_tallies, after every write of tasks (bump_feed_versions)."""

    __tablename__ = "occurrence_tally"
    __table_args__ = (Index("ix_occurrence_tally_occurrence", "roadmap_id", "measure_id", "occurrence_key"),)

    id: Mapped[intpk]
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmap.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    occurrence_key: Mapped[str] = mapped_column(String(40))
    due_effective_on: Mapped[date] = mapped_column(Date)
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    plan_year: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    # Tasks not cancelled, by stored status; "_na": those claiming «не применимо» (TALLY_COUNTS).
    planned: Mapped[int] = mapped_column(Integer)
    submitted: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    planned_na: Mapped[int] = mapped_column(Integer)
    submitted_na: Mapped[int] = mapped_column(Integer)
    returned_na: Mapped[int] = mapped_column(Integer)
    accepted_na: Mapped[int] = mapped_column(Integer)
    # Of the tasks not cancelled (None: all are): their date sequence and last change.
    date_sequence: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last change of its cancelled tasks (None: none is): an occurrence that lost one changed.
    cancelled_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many rows its occurrence has (more than one when its tasks differ in dates; 0: not
    # known, a row written by a version before this column): a row of an occurrence of one row
    # is the whole occurrence under any filter, so a feed can choose such rows in the database
    # (feeds.query.nearby_occurrences) and merges only the others.
    occurrence_rows: Mapped[int] = mapped_column(Integer, server_default="0")


class TaskStatus(enum.StrEnum):
    """The stored status; what users see is its `Workflow` (roadmap.tasks.state)."""

    PLANNED = "planned"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return Workflow(self.value).label


class ReturnReason(enum.StrEnum):
    """Why a coordinator returned a report (transition.reason)."""

    NO_EVIDENCE = "no_evidence"
    COVERAGE = "coverage"
    WRONG_MEASURE = "wrong_measure"
    DATES = "dates"
    INCOMPLETE = "incomplete"
    OTHER = "other"

    @property
    def label(self) -> str:
        return RETURN_REASON_LABELS[self.value]


RETURN_REASON_LABELS = {
    "no_evidence": "нет подтверждающих материалов",
    "coverage": "охват указан неверно или не указан",
    "wrong_measure": "отчёт не соответствует мероприятию",
    "dates": "дата проведения вне срока",
    "incomplete": "отчёт неполный",
    "other": "другое",
}


class NoticeKind(enum.StrEnum):
    """What an in-app notice is about (the text says it in Russian)."""

    RETURNED = "returned"
    NEW_TASKS = "new_tasks"
    DATES_PROPOSED = "dates_proposed"
    DATES_CONFIRMED = "dates_confirmed"
    DATES_REJECTED = "dates_rejected"


# What a measure's tasks of one occurrence are grouped by: aggregated feeds and their tallies
# (OccurrenceTally), and the no-op regeneration proof, in the order of ix_task_occurrence.
OCCURRENCE_GROUPING = (
    "roadmap_id",
    "measure_id",
    "occurrence_key",
    "due_effective_on",
    "start_on",
    "due_on",
    "plan_year",
    "label",
)


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("measure_id", "organization_id", "occurrence_key"),
        # Covers a per-organization feed's version query (index-only: no visit of the table).
        Index(
            "ix_task_org_due",
            "organization_id",
            "due_effective_on",
            "roadmap_id",
            "measure_id",
            "sequence",
            "updated_at",
            "id",
        ),
        Index("ix_task_roadmap_status", "roadmap_id", "status"),
        # Dashboards, matrices and reports show one plan year of a roadmap.
        Index("ix_task_roadmap_year", "roadmap_id", "plan_year"),
        # Covers the aggregated feeds and the no-op regeneration proof: both group a roadmap's
        # tasks by occurrence and read nothing else, so neither sorts nor visits the table.
        Index(
            "ix_task_occurrence",
            *OCCURRENCE_GROUPING,
            "status",
            "is_cancelled",
            "is_not_applicable",
            "date_sequence",
            "updated_at",
        ),
    )

    id: Mapped[intpk]
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmap.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    occurrence_key: Mapped[str] = mapped_column(String(40))
    plan_year: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100), default="")
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    due_effective_on: Mapped[date] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(
        kind_column(TaskStatus, "task_status"), default=TaskStatus.PLANNED, server_default="planned"
    )
    is_not_applicable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # Optimistic locking: a save based on a stale version is refused instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # iCalendar SEQUENCE: grows whenever what a calendar shows of the task changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Grows only when the task's dates move: the SEQUENCE of an aggregated feed's occurrence,
    # which a school's report must not change.
    date_sequence: Mapped[int] = mapped_column(Integer, server_default="0")
    # No foreign key: task and report would reference each other, and reports are never deleted.
    current_report_id: Mapped[int | None]
    created_at: Mapped[created_at]
    # Any change through the ORM moves it, even one that forgot to: per-task feed versions read it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    roadmap: Mapped[Roadmap] = relationship()
    measure: Mapped[Measure] = relationship()
    organization: Mapped[Organization] = relationship()
    current_report: Mapped[Report | None] = relationship(
        primaryjoin="foreign(Task.current_report_id) == Report.id", viewonly=True
    )
    reports: Mapped[list[Report]] = relationship(
        back_populates="task", foreign_keys="Report.task_id", order_by="Report.id"
    )
    transitions: Mapped[list[Transition]] = relationship(back_populates="task", order_by="Transition.id")

    @property
    def workflow(self) -> Workflow:
        return workflow_of(self.status, is_not_applicable=self.is_not_applicable, is_cancelled=self.is_cancelled)

    def first_submitted_on(self) -> date | None:
        """The date, in the roadmap's zone, of the first submission (the current report's
        creation when no transition is recorded), as the reports count it."""
        moments = [t.at for t in self.transitions if t.to_status == TaskStatus.SUBMITTED]
        if not moments and self.current_report is not None:
            moments = [self.current_report.created_at]
        return min(moments).astimezone(ZoneInfo(self.roadmap.timezone)).date() if moments else None

    def timeliness(self, today: date) -> Timeliness | None:
        return self._timeliness(today, self.first_submitted_on() if is_handed_in(self.status) else None)

    def is_overdue(self, today: date) -> bool:
        # Reads no transitions: a handed-in report is never overdue, whenever it came.
        return self._timeliness(today, None) == Timeliness.OVERDUE

    def _timeliness(self, today: date, first_submitted_on: date | None) -> Timeliness | None:
        return timeliness_of(
            self.status,
            is_not_applicable=self.is_not_applicable,
            is_cancelled=self.is_cancelled,
            due_effective_on=self.due_effective_on,
            first_submitted_on=first_submitted_on,
            today=today,
        )

    def state_label(self, today: date) -> str:
        return state_label(self.workflow, self.timeliness(today))

    def badges(self, today: date) -> list[tuple[str, str]]:
        return badges(self.workflow, is_overdue=self.is_overdue(today), claims_not_applicable=self.is_not_applicable)


class Report(Base):
    """What an executor submitted: a report of the measure held, or "not applicable" with a reason."""

    __tablename__ = "report"

    id: Mapped[intpk]
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    is_not_applicable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    held_on: Mapped[date | None] = mapped_column(Date)
    coverage_total: Mapped[int | None]
    coverage_students: Mapped[int | None]
    coverage_parents: Mapped[int | None]
    coverage_teachers: Mapped[int | None]
    coverage_disabled: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    task: Mapped[Task] = relationship(back_populates="reports", foreign_keys=[task_id])
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="report", order_by="Attachment.id")

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    report: Mapped[Report] = relationship(back_populates="attachments")


class Transition(Base):
    """Every status change of a task: who, when, from, to, why."""

    __tablename__ = "transition"

    id: Mapped[intpk]
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[TaskStatus | None] = mapped_column(kind_column(TaskStatus, "from_status"))
    to_status: Mapped[TaskStatus] = mapped_column(kind_column(TaskStatus, "to_status"))
    comment: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[ReturnReason | None] = mapped_column(kind_column(ReturnReason, "reason", length=60))

    task: Mapped[Task] = relationship(back_populates="transitions")
    user: Mapped[User | None] = relationship()


class Notice(Base):
    """An in-app notice for a user (a returned report, new tasks after publishing)."""

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_user_unread", "user_id", "read_at"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(kind_column(NoticeKind, "kind", length=30))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[created_at]
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Per stored status and «не применимо» claim, the OccurrenceTally column counting such tasks.
TALLY_COUNTS: dict[tuple[TaskStatus, bool], str] = {
    (status, claims): f"{status.value}_na" if claims else status.value
    for status in TaskStatus
    for claims in (False, True)
}


# --- the per-roadmap change counter ---------------------------------------------------------

_TRACKED = (Task, Measure, Section)


def bump_feed_versions(
    connection,
    roadmap_ids: Iterable[int],
    *,
    edited: Iterable[int] = (),
    measures: Mapping[int, Iterable[int]] | None = None,
    tallied: Mapping[int, Iterable[tuple[int, str]] | None] | None = None,
) -> None:
    """Advance the change counter of these roadmaps (one UPDATE), log what changed, and bring
    their occurrence tallies in line with their tasks.

    Called after every ORM flush that touched their tasks, measures or sections, and by bulk
    writers (generation) that bypass the ORM. Aggregated feeds take their version from it.
    The roadmaps' updated_at is left alone, except for those in ``edited`` (a measure or
    section changed): per-task feeds read it, not the counter, which every task change moves.
    ``measures`` names, per roadmap, the measures whose tasks alone changed; a roadmap not named
    there is logged as changed anywhere (see FeedChange). ``tallied`` names, per roadmap, the
    (measure, occurrence) pairs whose tasks changed (None: any of its tasks may have; a roadmap
    not named: none did); by default every task of the roadmaps may have (a bulk writer).
    """
    ids = sorted({int(i) for i in roadmap_ids if i is not None})
    if not ids:
        return
    table = Roadmap.__table__
    now = utcnow()
    touched = sorted({int(i) for i in edited if i is not None})
    # The tallies stay in step with the counter only where they were in step before it moved.
    in_step = case(
        (table.c.tallied_version == table.c.feed_version, table.c.feed_version + 1), else_=table.c.tallied_version
    )
    for group, updated_at in ((sorted(set(ids) - set(touched)), table.c.updated_at), (touched, now)):
        if group:
            connection.execute(
                update(table)
                .where(table.c.id.in_(group))
                .values(
                    feed_version=table.c.feed_version + 1,
                    tallied_version=in_step,
                    feed_changed_at=now,
                    updated_at=updated_at,
                )
            )
    _log_feed_changes(connection, ids, set(touched), measures or {})
    refresh_tallies(connection, dict.fromkeys(ids) if tallied is None else tallied)


# How many counter values of a roadmap the log keeps: a feed rendered less often than this many
# changes of its roadmap groups it whole, as it would without the log.
FEED_CHANGES_KEPT = 500


def _log_feed_changes(connection, ids: list[int], edited: set[int], measures: Mapping[int, Iterable[int]]) -> None:
    table = Roadmap.__table__
    log = FeedChange.__table__
    # The counters just advanced, under this transaction's lock on their rows.
    versions = connection.execute(select(table.c.id, table.c.feed_version).where(table.c.id.in_(ids))).all()
    rows = []
    for roadmap_id, version in versions:
        changed = None if roadmap_id in edited else measures.get(roadmap_id)
        if changed:
            rows += [
                {"roadmap_id": roadmap_id, "feed_version": version, "measure_id": int(m)} for m in sorted(set(changed))
            ]
        else:
            rows.append({"roadmap_id": roadmap_id, "feed_version": version, "measure_id": None})
    if not rows:
        return  # the roadmaps are gone (deleted in this flush): nothing to log
    connection.execute(insert(log), rows)
    for roadmap_id, version in versions:
        if version % FEED_CHANGES_KEPT == 0:
            connection.execute(
                delete(log).where(log.c.roadmap_id == roadmap_id, log.c.feed_version <= version - FEED_CHANGES_KEPT)
            )


# More changed occurrences of a roadmap than this in one write: its tallies are counted whole.
MAX_TALLIED_OCCURRENCES = 500


def refresh_tallies(connection, changed: Mapping[int, Iterable[tuple[int, str]] | None]) -> None:
    """Count again, from the tasks, the OccurrenceTally rows of these (measure, occurrence) pairs
    per roadmap (None: of the whole roadmap): deleted, then inserted from one GROUP BY each.

    Runs in the writer's transaction, after its tasks were written and its roadmaps' counters
    locked (bump_feed_versions), so two writers never count the same occurrence at once.
    """
    tally, task = OccurrenceTally.__table__, Task.__table__
    whole: list[int] = []
    parts: list[tuple[int, list[tuple[int, str]]]] = []
    for roadmap_id, pairs in changed.items():
        found = None if pairs is None else sorted(set(pairs))
        if found is None or len(found) > MAX_TALLIED_OCCURRENCES:
            whole.append(roadmap_id)
        elif found:
            parts.append((roadmap_id, found))
    scopes = ([(sorted(whole), None)] if whole else []) + [([roadmap_id], pairs) for roadmap_id, pairs in parts]
    for roadmap_ids, pairs in scopes:
        connection.execute(delete(tally).where(_tally_scope(tally, roadmap_ids, pairs)))
        connection.execute(
            insert(tally).from_select(_TALLY_COLUMNS, _tally_select(task).where(_tally_scope(task, roadmap_ids, pairs)))
        )
    if whole:
        # Counted whole: in step now, whatever wrote before.
        roadmaps = Roadmap.__table__
        connection.execute(
            update(roadmaps).where(roadmaps.c.id.in_(sorted(whole))).values(tallied_version=roadmaps.c.feed_version)
        )


def _tally_scope(table, roadmap_ids: list[int], pairs: list[tuple[int, str]] | None):
    """The rows of ``table`` (task or occurrence_tally) of these roadmaps, of these (measure,
    occurrence) pairs only when given."""
    condition = table.c.roadmap_id.in_(roadmap_ids)
    if pairs is None:
        return condition
    return condition & tuple_(table.c.measure_id, table.c.occurrence_key).in_(pairs)


def tally_drift(connection) -> tuple[list[tuple], list[tuple]]:
    """The OccurrenceTally rows that a recount of the tasks would not give, and those it would
    give that are missing: both empty while every write kept the tallies in step (the test
    suite checks this after every test)."""
    tally = OccurrenceTally.__table__
    kept = Counter(tuple(row) for row in connection.execute(select(*(tally.c[name] for name in _TALLY_COLUMNS))))
    recounted = Counter(tuple(row) for row in connection.execute(_tally_select(Task.__table__)))
    return sorted((kept - recounted).elements(), key=repr), sorted((recounted - kept).elements(), key=repr)


_TALLY_COLUMNS = [
    *OCCURRENCE_GROUPING,
    *TALLY_COUNTS.values(),
    "date_sequence",
    "updated_at",
    "cancelled_updated_at",
    "occurrence_rows",
]


def _tally_select(task):
    """The tasks grouped as OccurrenceTally rows, in the order of _TALLY_COLUMNS."""
    live = task.c.is_cancelled.is_(False)
    counts = [
        func.coalesce(
            func.sum(case((live & (task.c.status == status.value) & task.c.is_not_applicable.is_(claims), 1), else_=0)),
            0,
        )
        for status, claims in TALLY_COUNTS
    ]
    keys = [task.c[name] for name in OCCURRENCE_GROUPING]
    return select(
        *keys,
        *counts,
        func.max(case((live, task.c.date_sequence))),
        func.max(case((live, task.c.updated_at))),
        func.max(case((task.c.is_cancelled.is_(True), task.c.updated_at))),
        # Over the grouped rows: a scope always holds every row of an occurrence (_tally_scope).
        func.count().over(partition_by=keys[:3]),
    ).group_by(*keys)


def lock_feed_counters(roadmap_ids, session: Session | None = None) -> None:
    """Lock the roadmaps' rows before any of their tasks: one lock order for every task write.

    Every flush that changes a task also updates its roadmap's feed counter
    (models.task.bump_feed_versions), so a writer that locked a task first and the counter
    second could deadlock with one doing the reverse (a bulk review holds the counter after its
    first task, a submit holds its task and waits for the counter). Taking the counter row
    first serializes task writes per roadmap, which the counter did already, without deadlocks.
    SQLite ignores FOR UPDATE; there a no-op UPDATE takes its one write lock first instead, and
    opens the transaction, which pysqlite defers to the first write: a SAVEPOINT before it would
    be the outermost one, and its RELEASE would commit a batch item on its own.
    """
    if session is None:
        from roadmap.extensions import db

        session = db.session
    ids = sorted({int(i) for i in roadmap_ids if i is not None})
    if not ids:
        return
    if session.get_bind().dialect.name == "sqlite":
        table = Roadmap.__table__
        session.execute(
            update(table)
            .where(table.c.id.in_(ids))
            .values(feed_version=table.c.feed_version, updated_at=table.c.updated_at)
        )
    else:
        session.execute(select(Roadmap.id).where(Roadmap.id.in_(ids)).order_by(Roadmap.id).with_for_update())


def _roadmap_ids(obj, modified: bool) -> set[int]:
    state = attributes.instance_state(obj)
    ids = set()
    current = state.dict.get("roadmap_id")
    if current is not None:
        ids.add(current)
    if modified:
        history = state.attrs.roadmap_id.history
        ids.update(value for value in history.deleted or () if value is not None)
    return ids


def _occurrences_of(task: Task) -> set[tuple[int, str]] | None:
    """The (measure, occurrence) pairs a written task counts in, before and after the write;
    None when one is unknown."""
    state = attributes.instance_state(task)
    measures = {state.dict.get("measure_id"), *(state.attrs.measure_id.history.deleted or ())}
    keys = {state.dict.get("occurrence_key"), *(state.attrs.occurrence_key.history.deleted or ())}
    if None in measures or None in keys:
        return None
    return {(measure_id, key) for measure_id in measures for key in keys}


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, _flush_context) -> None:
    ids: set[int] = set()
    edited: set[int] = set()
    # Per roadmap, the measures whose tasks changed; None once anything else did (or a task's
    # measure is unknown): see FeedChange.
    measures: dict[int, set[int] | None] = {}
    # Per roadmap, the (measure, occurrence) pairs of the tasks written; None when one is unknown.
    tallied: dict[int, set[tuple[int, str]] | None] = {}

    def note(obj, found: set[int]) -> None:
        ids.update(found)
        measure_id = attributes.instance_state(obj).dict.get("measure_id") if isinstance(obj, Task) else None
        for roadmap_id in found:
            if measure_id is None:
                measures[roadmap_id] = None
            elif measures.get(roadmap_id, set()) is not None:
                measures.setdefault(roadmap_id, set()).add(measure_id)
        if isinstance(obj, Task):
            pairs = _occurrences_of(obj)
            for roadmap_id in found:
                if pairs is None:
                    tallied[roadmap_id] = None
                elif tallied.get(roadmap_id, set()) is not None:
                    tallied.setdefault(roadmap_id, set()).update(pairs)

    for obj in chain(session.new, session.deleted):
        if isinstance(obj, _TRACKED):
            found = _roadmap_ids(obj, modified=False)
            note(obj, found)
            if not isinstance(obj, Task):
                edited |= found
    for obj in session.dirty:
        if isinstance(obj, _TRACKED) and session.is_modified(obj, include_collections=False):
            found = _roadmap_ids(obj, modified=True)
            note(obj, found)
            if not isinstance(obj, Task):
                edited |= found
    if ids:
        known = {roadmap_id: changed for roadmap_id, changed in measures.items() if changed is not None}
        bump_feed_versions(session.connection(), ids, edited=edited, measures=known, tallied=tallied)
