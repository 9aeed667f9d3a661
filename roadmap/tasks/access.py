"""Who may see and do what with tasks and roadmaps. The one place these rules live."""

from __future__ import annotations

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
