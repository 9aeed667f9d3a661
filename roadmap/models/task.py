"""Tasks: one per measure × occurrence × executor organization, with reports and history."""

from __future__ import annotations

import enum
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
    delete,
    event,
    false,
    insert,
    select,
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
            "roadmap_id",
            "measure_id",
            "occurrence_key",
            "due_effective_on",
            "start_on",
            "due_on",
            "plan_year",
            "label",
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


# --- the per-roadmap change counter ---------------------------------------------------------

_TRACKED = (Task, Measure, Section)


def bump_feed_versions(
    connection,
    roadmap_ids: Iterable[int],
    *,
    edited: Iterable[int] = (),
    measures: Mapping[int, Iterable[int]] | None = None,
) -> None:
    """Advance the change counter of these roadmaps (one UPDATE), and log what changed.

    Called after every ORM flush that touched their tasks, measures or sections, and by bulk
    writers (generation) that bypass the ORM. Aggregated feeds take their version from it.
    The roadmaps' updated_at is left alone, except for those in ``edited`` (a measure or
    section changed): per-task feeds read it, not the counter, which every task change moves.
    ``measures`` names, per roadmap, the measures whose tasks alone changed; a roadmap not named
    there is logged as changed anywhere (see FeedChange).
    """
    ids = sorted({int(i) for i in roadmap_ids if i is not None})
    if not ids:
        return
    table = Roadmap.__table__
    now = utcnow()
    touched = sorted({int(i) for i in edited if i is not None})
    for group, updated_at in ((sorted(set(ids) - set(touched)), table.c.updated_at), (touched, now)):
        if group:
            connection.execute(
                update(table)
                .where(table.c.id.in_(group))
                .values(feed_version=table.c.feed_version + 1, feed_changed_at=now, updated_at=updated_at)
            )
    _log_feed_changes(connection, ids, set(touched), measures or {})


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


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, _flush_context) -> None:
    ids: set[int] = set()
    edited: set[int] = set()
    # Per roadmap, the measures whose tasks changed; None once anything else did (or a task's
    # measure is unknown): see FeedChange.
    measures: dict[int, set[int] | None] = {}

    def note(obj, found: set[int]) -> None:
        ids.update(found)
        measure_id = attributes.instance_state(obj).dict.get("measure_id") if isinstance(obj, Task) else None
        for roadmap_id in found:
            if measure_id is None:
                measures[roadmap_id] = None
            elif measures.get(roadmap_id, set()) is not None:
                measures.setdefault(roadmap_id, set()).add(measure_id)

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
        bump_feed_versions(session.connection(), ids, edited=edited, measures=known)
