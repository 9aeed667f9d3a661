"""The coordinator's review: the queue of reports on review (filtered, in order), the report after
the one just decided, and what a resubmitted report changed since it was returned. Reads only."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from roadmap.extensions import db
from roadmap.models import Measure, Organization, Report, Roadmap, Section, Task, TaskStatus, Transition
from roadmap.russian import natural_key
from roadmap.tasks import coverage
from roadmap.tasks.access import tasks_of_territory


class QueueKind(enum.StrEnum):
    """What kind of report waits: a report of the measure held, «не применимо», or one sent again after a return."""

    REPORT = "report"
    NOT_APPLICABLE = "not_applicable"
    AGAIN = "again"

    @property
    def label(self) -> str:
        return {
            QueueKind.REPORT: "отчёты о проведении",
            QueueKind.NOT_APPLICABLE: "«не применимо»",
            QueueKind.AGAIN: "исправленные после возврата",
        }[self]


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, as the page's query string carries them (roadmap, section, org, kind)."""

    roadmap_id: int | None = None
    section_id: int | None = None
    organization_id: int | None = None
    kind: QueueKind | None = None
    # The reviewer's municipality (roadmap.tasks.access.territory_of): not a filter one chooses,
    # the limit of what the queue holds. None: the whole region.
    territory: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str], territory: int | None = None) -> QueueFilter:
        def number(name: str) -> int | None:
            value = str(args.get(name) or "")
            return int(value) if value.isdigit() else None

        kind = args.get("kind") or ""
        roadmap_id = number("roadmap")
        return cls(
            roadmap_id=roadmap_id,
            section_id=number("section") if roadmap_id else None,  # a section is chosen within its roadmap
            organization_id=number("org"),
            kind=QueueKind(kind) if kind in QueueKind._value2member_map_ else None,
            territory=territory,
        )

    def as_args(self) -> dict[str, str | int]:
        """The query-string arguments that reproduce these filters (empty ones left out)."""
        values = {"roadmap": self.roadmap_id, "section": self.section_id, "org": self.organization_id}
        args: dict[str, str | int] = {name: value for name, value in values.items() if value}
        if self.kind:
            args["kind"] = self.kind.value
        return args

    def checked(self) -> QueueFilter:
        """These filters without a section of another roadmap (left over when the roadmap was changed)."""
        if self.section_id and self.section_id not in set(
            db.session.scalars(select(Section.id).where(Section.roadmap_id == self.roadmap_id))
        ):
            return replace(self, section_id=None)
        return self

    def conditions(self) -> list:
        conditions = [
            Task.status == TaskStatus.SUBMITTED,
            Task.is_cancelled.is_(False),
            tasks_of_territory(self.territory),
        ]
        if self.roadmap_id:
            conditions.append(Task.roadmap_id == self.roadmap_id)
        if self.section_id:
            conditions.append(Measure.section_id == self.section_id)
        if self.organization_id:
            conditions.append(Task.organization_id == self.organization_id)
        if self.kind == QueueKind.NOT_APPLICABLE:
            conditions.append(Task.is_not_applicable.is_(True))
        elif self.kind == QueueKind.REPORT:
            conditions.append(Task.is_not_applicable.is_(False))
        elif self.kind == QueueKind.AGAIN:
            conditions.append(_returned_before())
        return conditions


def _returned_before():
    return exists().where(Transition.task_id == Task.id, Transition.to_status == TaskStatus.RETURNED)


def _ordered(stmt):
    # The longest-waiting first; the id breaks ties, so "the next one" is always defined.
    return stmt.order_by(Task.updated_at, Task.id)


@dataclass
class QueueRow:
    id: int
    version: int
    label: str
    due_effective_on: date
    is_not_applicable: bool
    updated_at: datetime
    number: str
    title: str
    short_name: str
    roadmap_title: str
    section_title: str | None
    returned_before: bool
    report: Report | None = None
    changes: ReportChanges | None = None

    @property
    def coverage_text(self) -> str:
        """«120 (обучающихся 100, родителей 20)», or "" without a total."""
        if self.report is None or self.report.coverage_total is None:
            return ""
        values = {c.name: getattr(self.report, coverage.column(c.name)) for c in coverage.DETAILS}
        details = coverage.details_text(values)
        return f"{self.report.coverage_total}" + (f" ({details})" if details else "")


def queue(filters: QueueFilter, limit: int = 200) -> list[QueueRow]:
    """Reports on review matching the filters, the longest-waiting first, each with its report and files."""
    stmt = _ordered(
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
            Section.title.label("section_title"),
            _returned_before().label("returned_before"),
            Task.current_report_id,
        )
        .join(Measure, Measure.id == Task.measure_id)
        .outerjoin(Section, Section.id == Measure.section_id)
        .join(Organization, Organization.id == Task.organization_id)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .where(*filters.conditions())
    ).limit(limit)
    records = db.session.execute(stmt).all()
    report_ids = [r.current_report_id for r in records if r.current_report_id]
    reports = {
        report.id: report
        for report in db.session.scalars(
            select(Report).where(Report.id.in_(report_ids)).options(selectinload(Report.attachments))
        )
    }
    changes = changes_since_returns({r.id: r.current_report_id for r in records if r.returned_before})
    return [
        QueueRow(
            **{name: getattr(r, name) for name in QueueRow.__dataclass_fields__ if name not in ("report", "changes")},
            report=reports.get(r.current_report_id),
            changes=changes.get(r.id),
        )
        for r in records
    ]


def _queue_ids(filters: QueueFilter):
    return select(Task.id, Task.updated_at).join(Measure, Measure.id == Task.measure_id).where(*filters.conditions())


@dataclass(frozen=True)
class QueuePlace:
    """Where a task stands in the filtered queue: «3 из 20», and the report to open after it."""

    position: int | None  # None: the task is not (or no longer) in the queue
    total: int
    next_id: int | None


def place_in_queue(task: Task, filters: QueueFilter, *, key: tuple[datetime, int] | None = None) -> QueuePlace:
    """The task's place in the queue and the next report after it (wrapping to the first).

    ``key`` is the task's (updated_at, id) as the queue ordered it: after a decision the task has
    left the queue and its updated_at moved, so the caller passes the key read before deciding.
    """
    updated_at, task_id = key or (task.updated_at, task.id)
    ids = _queue_ids(filters).subquery()
    after = or_(ids.c.updated_at > updated_at, and_(ids.c.updated_at == updated_at, ids.c.id > task_id))
    total = db.session.scalar(select(func.count()).select_from(ids)) or 0
    in_queue = db.session.scalar(select(func.count()).select_from(ids).where(ids.c.id == task_id)) or 0
    position = None
    if in_queue:
        position = total - (db.session.scalar(select(func.count()).select_from(ids).where(after)) or 0)
    next_id = db.session.scalar(
        select(ids.c.id).where(after, ids.c.id != task_id).order_by(ids.c.updated_at, ids.c.id).limit(1)
    )
    if next_id is None:
        next_id = db.session.scalar(
            select(ids.c.id).where(ids.c.id != task_id).order_by(ids.c.updated_at, ids.c.id).limit(1)
        )
    return QueuePlace(position, total, next_id)


@dataclass
class FilterChoices:
    roadmaps: list[tuple[int, str]] = field(default_factory=list)
    sections: list[tuple[int, str]] = field(default_factory=list)
    organizations: list[tuple[int, str]] = field(default_factory=list)
    kinds: list[tuple[str, str]] = field(default_factory=list)


def filter_choices(filters: QueueFilter) -> FilterChoices:
    """What the queue's filters offer: roadmaps, sections (of the chosen roadmap) and organizations with reports waiting."""
    base = QueueFilter(roadmap_id=filters.roadmap_id, territory=filters.territory).conditions()
    roadmaps = db.session.execute(
        select(Roadmap.id, Roadmap.title)
        .where(exists().where(Task.roadmap_id == Roadmap.id, *QueueFilter(territory=filters.territory).conditions()))
        .order_by(Roadmap.title)
    ).all()
    sections = []
    if filters.roadmap_id:
        sections = db.session.execute(
            select(Section.id, Section.number, Section.title)
            .where(
                Section.roadmap_id == filters.roadmap_id,
                exists().where(Measure.section_id == Section.id, Task.measure_id == Measure.id, *base),
            )
            .order_by(Section.position)
        ).all()
    organizations = db.session.execute(
        select(Organization.id, Organization.short_name)
        .where(exists().where(Task.organization_id == Organization.id, *base))
        .distinct()
    ).all()
    return FilterChoices(
        roadmaps=[(r.id, r.title) for r in roadmaps],
        sections=[(s.id, f"{s.number}. {s.title}") for s in sections],
        organizations=sorted(((o.id, o.short_name) for o in organizations), key=lambda o: natural_key(o[1])),
        kinds=[(kind.value, kind.label) for kind in QueueKind],
    )


# --------------------------------------------------------------------------- what changed


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class ReportChanges:
    """What a report changed against the one that was returned: fields, links and files."""

    returned_at: datetime
    fields: list[FieldChange] = field(default_factory=list)
    links_added: list[str] = field(default_factory=list)
    links_removed: list[str] = field(default_factory=list)
    files_added: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)  # same name, other content

    def summary(self) -> str:
        """One line for the queue: «охват, всего; что сделано; файлы: +1, заменён 1; ссылки: −1»."""
        parts = [change.label[0].lower() + change.label[1:] for change in self.fields]
        files = [f"+{len(self.files_added)}" if self.files_added else ""]
        files += [f"−{len(self.files_removed)}" if self.files_removed else ""]
        files += [f"заменено {len(self.files_changed)}" if self.files_changed else ""]
        if any(files):
            parts.append("файлы: " + ", ".join(p for p in files if p))
        links = [
            f"+{len(self.links_added)}" if self.links_added else "",
            f"−{len(self.links_removed)}" if self.links_removed else "",
        ]
        if any(links):
            parts.append("ссылки: " + ", ".join(p for p in links if p))
        return "; ".join(parts) if parts else "без изменений"

    @property
    def any(self) -> bool:
        return bool(
            self.fields
            or self.links_added
            or self.links_removed
            or self.files_added
            or self.files_removed
            or self.files_changed
        )


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def changes_since_return(task: Task, reports: list[Report] | None = None) -> ReportChanges | None:
    """How the current report differs from the report that was current when the task was last returned.

    None when the task was never returned or no new report came since.
    """
    return changes_since_returns({task.id: task.current_report_id}, {task.id: reports} if reports else None).get(
        task.id
    )


def changes_since_returns(
    current: dict[int, int | None], reports: dict[int, list[Report]] | None = None
) -> dict[int, ReportChanges]:
    """``changes_since_return`` of many tasks (task id → its current report id) in two queries."""
    ids = [task_id for task_id, report_id in current.items() if report_id]
    if not ids:
        return {}
    last_return: dict[int, datetime] = {}
    for task_id, at in db.session.execute(
        select(Transition.task_id, Transition.at)
        .where(Transition.task_id.in_(ids), Transition.to_status == TaskStatus.RETURNED)
        .order_by(Transition.id)
    ):
        last_return[task_id] = at
    if not last_return:
        return {}
    if reports is None:
        reports = {}
        for report in db.session.scalars(
            select(Report)
            .where(Report.task_id.in_(list(last_return)))
            .options(selectinload(Report.attachments))
            .order_by(Report.id)
        ):
            reports.setdefault(report.task_id, []).append(report)
    found = {}
    for task_id, returned_at in last_return.items():
        changes = _compare(reports.get(task_id, []), current[task_id], returned_at)
        if changes is not None:
            found[task_id] = changes
    return found


def _compare(reports: list[Report], current_id: int, returned_at: datetime) -> ReportChanges | None:
    current = next((r for r in reports if r.id == current_id), None)
    earlier = [r for r in reports if r.created_at <= returned_at and r.id != current_id]
    if current is None or not earlier or current.created_at <= returned_at:
        return None
    before = earlier[-1]
    changes = ReportChanges(returned_at=returned_at)
    if before.is_not_applicable != current.is_not_applicable:
        changes.fields.append(
            FieldChange(
                "Вид отчёта",
                "не применимо" if before.is_not_applicable else "отчёт о проведении",
                "не применимо" if current.is_not_applicable else "отчёт о проведении",
            )
        )
    compared = [("Дата проведения", "held_on")]
    compared += [
        ("Охват, всего" if c is coverage.TOTAL else f"Охват: {c.label}", coverage.column(c.name))
        for c in coverage.CATEGORIES
    ]
    compared.append(("Причина" if current.is_not_applicable else "Что сделано", "comment"))
    for label, name in compared:
        old, new = getattr(before, name), getattr(current, name)
        if (old or None) != (new or None):
            changes.fields.append(FieldChange(label, _shown(old), _shown(new)))
    old_links, new_links = before.link_list, current.link_list
    changes.links_added = [link for link in new_links if link not in old_links]
    changes.links_removed = [link for link in old_links if link not in new_links]
    old_files = {(a.original_name, a.sha256) for a in before.attachments}
    new_files = {(a.original_name, a.sha256) for a in current.attachments}
    old_names = {name for name, _ in old_files - new_files}
    new_names = {name for name, _ in new_files - old_files}
    changes.files_changed = sorted(old_names & new_names, key=natural_key)
    changes.files_added = sorted(new_names - old_names, key=natural_key)
    changes.files_removed = sorted(old_names - new_names, key=natural_key)
    return changes
