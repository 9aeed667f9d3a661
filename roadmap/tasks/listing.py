"""«Мои задачи»: an organization's tasks in the groups the page shows, read in one query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from roadmap.clock import today_for
from roadmap.extensions import db
from roadmap.models import Measure, Roadmap, RoadmapStatus, Task, TaskStatus
from roadmap.russian import natural_key
from roadmap.schedule import current_plan_year

SOON_DAYS = 14
# In the page's order: what needs the school's hand first.
GROUPS = ("returned", "overdue", "soon", "current", "review", "later", "done")


@dataclass
class MyTasks:
    groups: dict[str, list] = field(default_factory=lambda: {key: [] for key in GROUPS})
    years: list[int] = field(default_factory=list)
    year: int | None = None
    roadmaps: list[tuple[int, str]] = field(default_factory=list)  # (id, title) with tasks this year
    roadmap_id: int | None = None

    @property
    def shows_roadmaps(self) -> bool:
        """Tasks of several roadmaps are listed: each says which it belongs to."""
        return len(self.roadmaps) > 1 and self.roadmap_id is None


def group_of(task: Task, today: date) -> str:
    """The group of a task on «Мои задачи». A returned task stays with the returned ones, past
    its deadline or not (its badge says «просрочено» too)."""
    if task.status == TaskStatus.ACCEPTED:
        return "done"
    if task.status == TaskStatus.SUBMITTED:
        return "review"
    if task.status == TaskStatus.RETURNED:
        return "returned"
    soon = today + timedelta(days=SOON_DAYS)
    if task.is_overdue(today):
        return "overdue"
    if task.due_effective_on <= soon:
        return "soon"
    # Open now (or about to open) but due later: not "due soon", yet already work to do.
    return "current" if task.start_on <= soon else "later"


def my_tasks(organization_id: int, today: date, *, year: int | None = None, roadmap_id: int | None = None) -> MyTasks:
    """The organization's live tasks of published roadmaps for `year` (by default the latest of
    its roadmaps' current plan years), optionally of one roadmap, grouped for the page."""
    rows = db.session.execute(
        select(Task, Measure.number, Measure.title, Roadmap.title.label("roadmap_title"))
        .join(Measure, Measure.id == Task.measure_id)
        .join(Roadmap, Roadmap.id == Task.roadmap_id)
        .where(
            Task.organization_id == organization_id,
            Task.is_cancelled.is_(False),
            Roadmap.status == RoadmapStatus.PUBLISHED,
        )
        .order_by(Task.due_effective_on, Measure.position)
    ).all()
    result = MyTasks(years=sorted({row.Task.plan_year for row in rows}))
    if year in result.years:
        result.year = year
    else:
        roadmaps = {row.Task.roadmap for row in rows}
        chosen = [
            current_plan_year(r.period_start, r.period_end, r.year_type, today_for(r), result.years) for r in roadmaps
        ]
        result.year = max((y for y in chosen if y is not None), default=None)
    this_year = [row for row in rows if result.year is None or row.Task.plan_year == result.year]
    result.roadmaps = sorted(
        {(row.Task.roadmap_id, row.roadmap_title) for row in this_year}, key=lambda r: natural_key(r[1])
    )
    if roadmap_id in {rid for rid, _title in result.roadmaps}:
        result.roadmap_id = roadmap_id
    for row in this_year:
        if result.roadmap_id is None or row.Task.roadmap_id == result.roadmap_id:
            result.groups[group_of(row.Task, today)].append(row)
    return result
