"""Who may see and do what with tasks and roadmaps. The one place these rules live."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from roadmap.models import Roadmap, RoadmapStatus, Role, Task, User


def can_view_roadmap(user: User, roadmap: Roadmap) -> bool:
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        return True
    if user.role == Role.OBSERVER:
        return roadmap.status != RoadmapStatus.DRAFT
    return False


def can_manage_roadmap(user: User, roadmap: Roadmap | None = None) -> bool:
    return user.role == Role.COORDINATOR


def can_view_task(user: User, task: Task) -> bool:
    if user.role == Role.EXECUTOR:
        return user.organization_id is not None and task.organization_id == user.organization_id
    return can_view_roadmap(user, task.roadmap)


def can_submit(user: User, task: Task) -> bool:
    """Only users of the executor organization report on its tasks."""
    return (
        user.role == Role.EXECUTOR
        and user.organization_id is not None
        and user.organization_id == task.organization_id
        and not task.is_cancelled
        and task.roadmap.status == RoadmapStatus.PUBLISHED
    )


def can_review(user: User, task: Task) -> bool:
    return user.role == Role.COORDINATOR and not task.is_cancelled


# The same rules as queries, for lists that are paged in SQL (the API). A test compares them with
# the rules above over every role and kind of task.


def visible_roadmaps(user: User) -> Select:
    """The roadmaps `user` may open, as `can_view_roadmap` decides one by one."""
    stmt = select(Roadmap)
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        return stmt
    if user.role == Role.OBSERVER:
        return stmt.where(Roadmap.status != RoadmapStatus.DRAFT)
    return stmt.where(false())


def visible_tasks(user: User) -> Select:
    """The tasks `user` may open, as `can_view_task` decides one by one."""
    stmt = select(Task)
    if user.role == Role.EXECUTOR:
        if user.organization_id is None:
            return stmt.where(false())
        return stmt.where(Task.organization_id == user.organization_id)
    visible = visible_roadmaps(user).with_only_columns(Roadmap.id)
    return stmt.where(Task.roadmap_id.in_(visible.scalar_subquery()))
