"""Who may see and do what with tasks, roadmaps and organizations. The one place these rules live.

Territories (roadmap.models.territory): a coordinator or observer with a municipality is
municipal — they see and manage only that municipality's roadmaps and organizations (and the
region's own organizations, which municipal roadmaps may involve); without one they are regional
and see the whole region. The administrator sees everything; executors see their organization's
tasks wherever those are.
"""

from __future__ import annotations

from sqlalchemy import BindParameter, ColumnElement, Select, exists, false, or_, select, true

from roadmap.extensions import db
from roadmap.models import Measure, Organization, OrgGroup, Roadmap, RoadmapStatus, Role, Task, User

STAFF_ROLES = (Role.COORDINATOR, Role.OBSERVER)


def territory_of(user: User) -> int | None:
    """The municipality id a coordinator or observer is limited to; None: the whole region."""
    if user.role in STAFF_ROLES:
        return user.municipality_id
    return None


def in_territory(user: User, municipality_id: int | None) -> bool:
    """Whether something owned by `municipality_id` (None: the region) is within `user`'s territory."""
    place = territory_of(user)
    return place is None or municipality_id == place


def organizations_of_territory(municipality_id: int | None) -> ColumnElement[bool]:
    """SQL: ``Organization`` is within the territory of `municipality_id` (None: the whole region).

    A municipality's territory holds its own organizations and the region's own (the ministry,
    regional colleges and universities), never another municipality's."""
    if municipality_id is None:
        return true()
    return or_(Organization.municipality_id == municipality_id, Organization.municipality_id.is_(None))


def groups_of_territory(municipality_id: int | None) -> ColumnElement[bool]:
    """SQL: ``OrgGroup`` may be used within the territory of `municipality_id`: region-wide groups
    (fanned out to the territory's organizations only) and the municipality's own."""
    if municipality_id is None:
        return true()
    return or_(OrgGroup.municipality_id.is_(None), OrgGroup.municipality_id == municipality_id)


def roadmaps_of_territory(municipality_id: int | BindParameter | None) -> ColumnElement[bool]:
    """SQL: ``Roadmap`` belongs to the territory of `municipality_id` (None: the whole region; a
    bound parameter for statements built once and bound per request, as the feeds' are)."""
    if municipality_id is None:
        return true()
    return Roadmap.municipality_id == municipality_id


def tasks_of_territory(municipality_id: int | BindParameter | None) -> ColumnElement[bool]:
    """SQL: ``Task`` is of a roadmap of the territory of `municipality_id` (None: the whole region;
    a bound parameter as for roadmaps_of_territory)."""
    if municipality_id is None:
        return true()
    return Task.roadmap_id.in_(select(Roadmap.id).where(roadmaps_of_territory(municipality_id)).scalar_subquery())


def staff_of_territory(municipality_id: int | None) -> ColumnElement[bool]:
    """SQL: a staff ``User`` sees what belongs to `municipality_id` (None: the region): the
    regional staff always, a municipality's staff only their own municipality's."""
    if municipality_id is None:
        return User.municipality_id.is_(None)
    return or_(User.municipality_id.is_(None), User.municipality_id == municipality_id)


def can_view_roadmap(user: User, roadmap: Roadmap) -> bool:
    if user.role == Role.ADMIN:
        return True
    if not in_territory(user, roadmap.municipality_id):
        return False
    if user.role == Role.COORDINATOR:
        return True
    if user.role == Role.OBSERVER:
        return roadmap.status != RoadmapStatus.DRAFT
    return False


def can_compare_municipalities(user: User, roadmap: Roadmap) -> bool:
    """The region's summary of a roadmap, municipality by municipality: regional staff (and the
    administrator) only; a municipality's staff never see another municipality's figures."""
    return can_view_roadmap(user, roadmap) and territory_of(user) is None


def can_view_municipality_figures(user: User, roadmap: Roadmap, municipality_id: int) -> bool:
    """A roadmap's dashboard limited to one municipality's organizations: whoever sees the
    roadmap, within their territory (a municipality's staff: their own municipality only)."""
    return can_view_roadmap(user, roadmap) and in_territory(user, municipality_id)


def can_manage_roadmap(user: User, roadmap: Roadmap | None = None) -> bool:
    """Importing (no roadmap yet: into the user's own territory), editing, publishing, deleting."""
    return user.role == Role.COORDINATOR and (roadmap is None or in_territory(user, roadmap.municipality_id))


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
    return user.role == Role.COORDINATOR and not task.is_cancelled and can_view_roadmap(user, task.roadmap)


def can_view_organization(user: User, org: Organization) -> bool:
    if user.role == Role.EXECUTOR:
        return org.id == user.organization_id
    return in_territory(user, org.municipality_id) or org.municipality_id is None


def can_follow_organization(user: User, org: Organization) -> bool:
    """Whether `user` may subscribe to the calendar of all of `org`'s tasks: an executor to their
    own; a municipality's staff to their municipality's organizations (a regional one's tasks run
    through other municipalities' roadmaps); regional staff to any."""
    if user.role == Role.EXECUTOR:
        return org.id == user.organization_id
    place = territory_of(user)
    return place is None or org.municipality_id == place


def can_edit_contingent(user: User, org: Organization) -> bool:
    """Who keeps an organization's students by grade: its own staff, the administrator, and a
    coordinator whose territory holds it (regional coordinators: any)."""
    if user.role == Role.EXECUTOR:
        return org.id == user.organization_id
    if user.role == Role.ADMIN:
        return True
    place = territory_of(user)
    return user.role == Role.COORDINATOR and (place is None or org.municipality_id == place)


def contingent_refusal(user: User, org: Organization) -> int | None:
    """How a page or the API refuses the contingent of `org` to `user` who may not keep it: 404
    (as if missing) to a school and a coordinator — it is another one's —, 403 to an observer,
    who sees but does not edit; None when `user` may keep it (can_edit_contingent)."""
    if can_edit_contingent(user, org):
        return None
    return 404 if user.role in (Role.EXECUTOR, Role.COORDINATOR) else 403


def proposal_refusal(user: User, proposal) -> int | None:
    """Who opens a date proposal (roadmap.models.DateProposal): its own organization's staff
    and the staff who see its roadmap. 404 (as if missing) to another organization and to staff
    of another territory, 403 to other roles; None: may open it."""
    if user.role == Role.EXECUTOR:
        return None if proposal.organization_id == user.organization_id else 404
    if user.role not in (Role.COORDINATOR, Role.ADMIN, Role.OBSERVER):
        return 403
    return None if can_view_roadmap(user, proposal.measure.roadmap) else 404


def measures_cascaded_to(municipality_id: int) -> Select:
    """SQL: the measures of published regional roadmaps that ask something of `municipality_id`:
    a live task for one of its organizations (its centre, or its schools through «все школы края»).
    What a municipality's coordinator may see of a regional roadmap, and fan out."""
    asked = exists().where(
        Task.measure_id == Measure.id,
        Task.is_cancelled.is_(False),
        Task.organization_id.in_(select(Organization.id).where(Organization.municipality_id == municipality_id)),
    )
    return (
        select(Measure)
        .join(Roadmap, Roadmap.id == Measure.roadmap_id)
        .where(
            Roadmap.municipality_id.is_(None),
            Roadmap.status == RoadmapStatus.PUBLISHED,
            Measure.is_removed.is_(False),
            asked,
        )
    )


def can_fan_out(user: User, measure: Measure) -> bool:
    """Whether `user` may pass a regional measure on to their municipality's organizations (a
    measure of their own municipal roadmap linked to it): a municipal coordinator, for a measure
    cascaded to their municipality (measures_cascaded_to)."""
    place = territory_of(user)
    if user.role != Role.COORDINATOR or place is None:
        return False
    found = measures_cascaded_to(place).where(Measure.id == measure.id).with_only_columns(Measure.id)
    return db.session.scalar(found) is not None


# The same rules as queries, for lists that are paged in SQL (the API, the pages). A test compares
# them with the rules above over every role and kind of task.


def visible_roadmaps(user: User) -> Select:
    """The roadmaps `user` may open, as `can_view_roadmap` decides one by one."""
    stmt = select(Roadmap)
    if user.role == Role.ADMIN:
        return stmt
    if user.role not in STAFF_ROLES:
        return stmt.where(false())
    stmt = stmt.where(roadmaps_of_territory(territory_of(user)))
    if user.role == Role.OBSERVER:
        stmt = stmt.where(Roadmap.status != RoadmapStatus.DRAFT)
    return stmt


def visible_tasks(user: User) -> Select:
    """The tasks `user` may open, as `can_view_task` decides one by one."""
    stmt = select(Task)
    if user.role == Role.EXECUTOR:
        if user.organization_id is None:
            return stmt.where(false())
        return stmt.where(Task.organization_id == user.organization_id)
    visible = visible_roadmaps(user).with_only_columns(Roadmap.id)
    return stmt.where(Task.roadmap_id.in_(visible.scalar_subquery()))


def visible_organizations(user: User) -> Select:
    """The organizations `user` may see, as `can_view_organization` decides one by one."""
    stmt = select(Organization)
    if user.role == Role.EXECUTOR:
        return stmt.where(Organization.id == (user.organization_id or 0))
    return stmt.where(organizations_of_territory(territory_of(user)))


def followable_organizations(user: User) -> Select:
    """The organizations `user` may subscribe to, as `can_follow_organization` decides one by one."""
    if user.role == Role.EXECUTOR:
        return visible_organizations(user)
    place = territory_of(user)
    stmt = select(Organization)
    return stmt if place is None else stmt.where(Organization.municipality_id == place)


def visible_groups(user: User) -> Select:
    """The groups of organizations `user` may see: a municipality's staff see the region-wide
    groups and their own municipality's (their members limited by visible_organizations)."""
    stmt = select(OrgGroup)
    if user.role == Role.EXECUTOR:
        return stmt.where(false())
    return stmt.where(groups_of_territory(territory_of(user)))
