"""The cascade: a regional measure passed on by a municipality to its own organizations.

A regional roadmap assigns a measure to the municipalities (their methodological centres:
roadmap.directory.cascade). A municipal coordinator sees the regional measures cascaded to their
municipality (tasks.access.measures_cascaded_to) and fans one out: a measure of one of their
municipal roadmaps, linked to it by Measure.parent_measure_id, whose tasks go to the
municipality's organizations. The regional reports then count the linked measures' tasks under
the regional measure (reports.queries, roll-up), and the centre's own task on the regional
measure is the municipal summary the regional coordinator reviews. Services flush; the caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from roadmap import audit
from roadmap.clock import today_in
from roadmap.directory.cascade import schools_group_name
from roadmap.extensions import db
from roadmap.models import (
    Measure,
    MeasureTarget,
    Municipality,
    Organization,
    Roadmap,
    RoadmapStatus,
    Role,
    Section,
    Task,
    User,
)
from roadmap.plans.service import PlanError, apply_deadline, apply_responsible, build_directory, regenerate_tasks
from roadmap.reports.queries import Figures, municipal_summary
from roadmap.tasks.access import can_fan_out, can_manage_roadmap, measures_cascaded_to, territory_of

NEW_ROADMAP = 0  # the form's choice «новая дорожная карта»


class CascadeError(PlanError):
    """A fan-out refused; the message is Russian."""


@dataclass
class Assignment:
    """A regional measure cascaded to a municipality, and what the municipality made of it."""

    measure: Measure
    organizations: list[str]  # the municipality's organizations with a task on it
    children: list[Measure] = field(default_factory=list)  # the municipality's measures linked to it


def children_of(measure_id: int, municipality_id: int | None = None) -> list[Measure]:
    """The municipal measures linked to a regional measure (of one municipality, when given)."""
    stmt = (
        select(Measure)
        .join(Roadmap, Roadmap.id == Measure.roadmap_id)
        .where(Measure.parent_measure_id == measure_id, Measure.is_removed.is_(False))
        .order_by(Roadmap.id, Measure.position)
    )
    if municipality_id is not None:
        stmt = stmt.where(Roadmap.municipality_id == municipality_id)
    return list(db.session.scalars(stmt))


def assignments(user: User) -> list[Assignment]:
    """The regional measures cascaded to `user`'s municipality, newest roadmap first; [] for
    anybody but a municipal coordinator or observer. Three queries whatever the count."""
    place = territory_of(user)
    if place is None:
        return []
    measures = list(
        db.session.scalars(measures_cascaded_to(place).order_by(Roadmap.id.desc(), Measure.position, Measure.id))
    )
    ids = [m.id for m in measures] or [-1]
    names: dict[int, list[str]] = {m.id: [] for m in measures}
    for measure_id, short_name in db.session.execute(
        select(Task.measure_id, Organization.short_name)
        .join(Organization, Organization.id == Task.organization_id)
        .where(Task.measure_id.in_(ids), Task.is_cancelled.is_(False), Organization.municipality_id == place)
        .distinct()
        .order_by(Task.measure_id, Organization.short_name)
    ):
        names[measure_id].append(short_name)
    children: dict[int, list[Measure]] = {m.id: [] for m in measures}
    for child in db.session.scalars(
        select(Measure)
        .join(Roadmap, Roadmap.id == Measure.roadmap_id)
        .where(Measure.parent_measure_id.in_(ids), Measure.is_removed.is_(False), Roadmap.municipality_id == place)
        .order_by(Measure.id)
    ):
        children[child.parent_measure_id].append(child)
    return [Assignment(m, names[m.id], children[m.id]) for m in measures]


@dataclass
class Cascaded:
    """A regional measure fanned out, and each municipality's measure carrying it out."""

    measure: Measure
    children: list[Measure] = field(default_factory=list)


def cascaded_measures(user: User) -> list[Cascaded]:
    """For regional staff (and the administrator): every regional measure some municipality fanned
    out, with the municipalities' measures, in roadmap order; [] for municipal staff."""
    if user.role not in (Role.COORDINATOR, Role.OBSERVER, Role.ADMIN) or territory_of(user) is not None:
        return []
    found: dict[int, Cascaded] = {}
    for child in db.session.scalars(
        select(Measure)
        .join(Roadmap, Roadmap.id == Measure.roadmap_id)
        .where(Measure.parent_measure_id.is_not(None), Measure.is_removed.is_(False))
        .options(joinedload(Measure.parent), joinedload(Measure.roadmap).joinedload(Roadmap.municipality))
        .order_by(Measure.parent_measure_id, Roadmap.municipality_id, Measure.id)
    ):
        found.setdefault(child.parent_measure_id, Cascaded(child.parent)).children.append(child)
    return sorted(found.values(), key=lambda c: (-c.measure.roadmap_id, c.measure.position, c.measure.id))


def target_roadmaps(user: User, parent: Measure) -> list[Roadmap]:
    """The municipal roadmaps `user` may add the measure to: their municipality's, not archived;
    those already holding measures of the same regional roadmap first."""
    place = territory_of(user)
    if place is None:
        return []
    roadmaps = list(
        db.session.scalars(
            select(Roadmap)
            .where(Roadmap.municipality_id == place, Roadmap.status != RoadmapStatus.ARCHIVED)
            .order_by(Roadmap.id.desc())
        )
    )
    cascaded = set(
        db.session.scalars(
            select(Measure.roadmap_id).where(
                Measure.parent_measure_id.in_(select(Measure.id).where(Measure.roadmap_id == parent.roadmap_id))
            )
        )
    )
    return sorted(roadmaps, key=lambda r: r.id not in cascaded)


def summary_of(task: Task) -> Figures | None:
    """What a municipality's task on a regional measure reports up: the rolled-up figures of the
    municipality's children of the measure over the task's window (reports.queries); None for any
    other task."""
    org = task.organization
    if task.roadmap.municipality_id is not None or org is None or org.municipality_id is None:
        return None
    return municipal_summary(
        task.measure_id,
        org.municipality_id,
        today_in(task.roadmap.timezone),
        plan_year=task.plan_year,
        date_from=task.start_on,
        date_to=task.due_on,
    )


def default_responsible(municipality: Municipality) -> str:
    """What the fanned-out measure asks by default: every school of the municipality."""
    return schools_group_name(municipality)


@dataclass
class FanOut:
    measure: Measure  # the new municipal measure
    roadmap: Roadmap
    created_roadmap: bool
    tasks_added: int
    unmatched: list[str]

    @property
    def message(self) -> str:
        where = f"«{self.roadmap.title}»"
        text = f"Мероприятие {self.measure.number} передано в организации муниципалитета: дорожная карта {where}"
        if self.roadmap.status == RoadmapStatus.PUBLISHED:
            text += f", задач создано: {self.tasks_added}."
        else:
            text += " (черновик): проверьте её и опубликуйте — тогда организации получат задачи."
        if self.unmatched:
            text += " Не сопоставлены исполнители: " + "; ".join(self.unmatched) + " — укажите их на странице проверки."
        return text


def fan_out(parent: Measure, user: User, *, roadmap: Roadmap | None, responsible: str) -> FanOut:
    """Add to `roadmap` (None: a new draft of the user's municipality) a measure carrying out the
    regional `parent`: its title, number, section and deadline, the responsible bodies as given
    (matched in the municipality's directory), linked to the parent; tasks are generated at once
    when the roadmap is published. One linked measure per municipality and regional measure."""
    if not can_fan_out(user, parent):
        raise CascadeError("Это мероприятие не поручено вашему муниципалитету.")
    place = territory_of(user)
    responsible = " ".join((responsible or "").split())
    if not responsible:
        raise CascadeError("Укажите, кому в муниципалитете передать мероприятие.")
    if len(responsible) > 2000:
        raise CascadeError("Исполнители — не длиннее 2000 знаков.")
    existing = children_of(parent.id, place)
    if existing:
        child = existing[0]
        raise CascadeError(
            f"Мероприятие {parent.number} уже передано: мероприятие {child.number} карты «{child.roadmap.title}»."
        )
    created = roadmap is None
    if roadmap is None:
        roadmap = _new_roadmap(parent.roadmap, user, db.session.get(Municipality, place))
    elif roadmap.municipality_id != place or not can_manage_roadmap(user, roadmap):
        raise CascadeError("Выберите дорожную карту своего муниципалитета.")
    elif roadmap.status == RoadmapStatus.ARCHIVED:
        raise CascadeError("Дорожная карта в архиве: выберите действующую или создайте новую.")
    child = _linked_measure(parent, roadmap, responsible)
    db.session.flush()
    added = regenerate_tasks(roadmap, user).added if roadmap.status == RoadmapStatus.PUBLISHED else 0
    unmatched = [party.text for party in child.parties if not party.is_matched]
    audit.record(
        "measure_cascaded",
        user=user,
        obj=child,
        summary=f"Мероприятие {parent.number} региональной карты передано в «{roadmap.title[:200]}»",
        details={
            "parent_measure_id": parent.id,
            "parent_roadmap_id": parent.roadmap_id,
            "roadmap_id": roadmap.id,
            "created_roadmap": created,
            "responsible": responsible,
            "tasks_added": added,
            "unmatched": unmatched,
        },
    )
    return FanOut(child, roadmap, created, added, unmatched)


# ------------------------------------------------------------------ linking a measure of one's own


@dataclass
class Linked:
    measure: Measure  # the municipal measure, now (or no longer) carrying out the regional one
    parent: Measure
    linked: bool = True

    @property
    def message(self) -> str:
        if not self.linked:
            return (
                f"Мероприятие {self.measure.number} карты «{self.measure.roadmap.title}» отвязано от мероприятия "
                f"{self.parent.number} региона: его задачи больше не входят в отчёт региональной дорожной карты."
            )
        return (
            f"Мероприятие {self.measure.number} карты «{self.measure.roadmap.title}» связано с мероприятием "
            f"{self.parent.number} региона: его итоги входят в отчёт региональной дорожной карты."
        )


def linkable_measures(user: User) -> list[Measure]:
    """The measures `user` may link to a regional measure: live, not linked yet, of their
    municipality's roadmaps that are not archived, in roadmap and measure order. One query."""
    place = territory_of(user)
    if place is None or user.role != Role.COORDINATOR:
        return []
    return list(
        db.session.scalars(
            select(Measure)
            .join(Roadmap, Roadmap.id == Measure.roadmap_id)
            .where(
                Roadmap.municipality_id == place,
                Roadmap.status != RoadmapStatus.ARCHIVED,
                Measure.is_removed.is_(False),
                Measure.parent_measure_id.is_(None),
            )
            .options(joinedload(Measure.roadmap))
            .order_by(Roadmap.id.desc(), Measure.position, Measure.id)
        )
    )


def link_candidates(parent: Measure, linkable: list[Measure]) -> list[Measure]:
    """Of `linkable`, those whose roadmap's period meets the regional roadmap's (link_measure's
    rule), the ones of the same title first (a measure the municipality imported itself)."""
    same = " ".join(parent.title.split()).casefold()
    found = [m for m in linkable if _periods_meet(m.roadmap, parent.roadmap)]
    return sorted(found, key=lambda m: " ".join(m.title.split()).casefold() != same)


def _periods_meet(roadmap: Roadmap, regional: Roadmap) -> bool:
    return roadmap.period_start <= regional.period_end and roadmap.period_end >= regional.period_start


def link_measure(parent: Measure, user: User, measure: Measure | None) -> Linked:
    """Link `measure`, already in a roadmap of the user's municipality, to the regional `parent`,
    instead of a new one (fan_out): its tasks then roll up into the regional figures. The same
    rule as fan_out: one linked measure per municipality and regional measure."""
    if not can_fan_out(user, parent):
        raise CascadeError("Это мероприятие не поручено вашему муниципалитету.")
    place = territory_of(user)
    if measure is None or measure.roadmap.municipality_id != place or not can_manage_roadmap(user, measure.roadmap):
        raise CascadeError("Выберите мероприятие дорожной карты своего муниципалитета.")
    roadmap = measure.roadmap
    if measure.is_removed:
        raise CascadeError(f"Мероприятие {measure.number} удалено из карты «{roadmap.title}».")
    if roadmap.status == RoadmapStatus.ARCHIVED:
        raise CascadeError(f"Дорожная карта «{roadmap.title}» в архиве: выберите мероприятие действующей карты.")
    if measure.parent_measure_id == parent.id:
        raise CascadeError(f"Мероприятие {measure.number} уже связано с мероприятием {parent.number} региона.")
    if measure.parent_measure_id is not None:
        other = measure.parent
        raise CascadeError(
            f"Мероприятие {measure.number} уже связано с мероприятием {other.number} карты «{other.roadmap.title}»: "
            "сначала отвяжите его."
        )
    existing = children_of(parent.id, place)
    if existing:
        child = existing[0]
        raise CascadeError(
            f"Мероприятие {parent.number} уже передано: мероприятие {child.number} карты «{child.roadmap.title}»."
        )
    if not _periods_meet(roadmap, parent.roadmap):
        raise CascadeError(
            f"Период карты «{roadmap.title}» ({_period(roadmap)}) не пересекается с периодом региональной карты "
            f"({_period(parent.roadmap)}): выберите мероприятие карты того же периода."
        )
    measure.parent = parent
    db.session.flush()
    audit.record(
        "measure_linked",
        user=user,
        obj=measure,
        summary=f"Мероприятие {measure.number} карты «{roadmap.title[:200]}» связано с мероприятием "
        f"{parent.number} региона",
        details={"parent_measure_id": parent.id, "parent_roadmap_id": parent.roadmap_id, "roadmap_id": roadmap.id},
    )
    return Linked(measure, parent)


def can_unlink(user: User, measure: Measure) -> bool:
    """Whether `user` may undo a municipal measure's link to its regional measure: a coordinator
    of the measure's municipality."""
    place = territory_of(user)
    return (
        measure.parent_measure_id is not None
        and place is not None
        and measure.roadmap.municipality_id == place
        and can_manage_roadmap(user, measure.roadmap)
    )


def unlink_measure(measure: Measure, user: User) -> Linked:
    """Undo the link of a municipal measure (linked or fanned out) to its regional measure: the
    measure and its tasks stay in the municipal roadmap, out of the regional figures; the
    municipality reports through its centre's own task again."""
    if measure.parent_measure_id is None:
        raise CascadeError(f"Мероприятие {measure.number} не связано с мероприятием региона.")
    if not can_unlink(user, measure):
        raise CascadeError("Отвязать можно только мероприятие дорожной карты своего муниципалитета.")
    parent = measure.parent
    measure.parent = None
    db.session.flush()
    audit.record(
        "measure_unlinked",
        user=user,
        obj=measure,
        summary=f"Мероприятие {measure.number} карты «{measure.roadmap.title[:200]}» отвязано от мероприятия "
        f"{parent.number} региона",
        details={
            "parent_measure_id": parent.id,
            "parent_roadmap_id": parent.roadmap_id,
            "roadmap_id": measure.roadmap_id,
        },
    )
    return Linked(measure, parent, linked=False)


def _period(roadmap: Roadmap) -> str:
    return f"{roadmap.period_start:%d.%m.%Y} – {roadmap.period_end:%d.%m.%Y}"


def _new_roadmap(regional: Roadmap, user: User, municipality: Municipality) -> Roadmap:
    roadmap = Roadmap(
        title=f"{regional.title} — {municipality.name}"[:2000],
        owner_organization_id=user.organization_id,
        municipality_id=municipality.id,
        period_start=regional.period_start,
        period_end=regional.period_end,
        year_type=regional.year_type,
        shift_rule=regional.shift_rule,
        timezone=regional.timezone,
        academic_calendar=regional.academic_calendar,
        status=RoadmapStatus.DRAFT,
        created_by_id=user.id,
    )
    db.session.add(roadmap)
    db.session.flush()
    audit.record("roadmap_created_for_cascade", user=user, obj=roadmap, summary=roadmap.title[:200])
    return roadmap


def _linked_measure(parent: Measure, roadmap: Roadmap, responsible: str) -> Measure:
    numbers = set(db.session.scalars(select(Measure.number).where(Measure.roadmap_id == roadmap.id)))
    number = parent.number
    suffix = 2
    while number in numbers:
        number = f"{parent.number} ({suffix})"
        suffix += 1
    position = db.session.scalar(select(func.max(Measure.position)).where(Measure.roadmap_id == roadmap.id))
    section = _section_like(roadmap, parent.section)
    child = Measure(
        roadmap=roadmap,
        section=section,
        number=number,
        title=parent.title,
        position=(position or 0) + 1,
        manual_dates=list(parent.manual_dates) if parent.manual_dates else None,
        notes=dict(parent.notes) if parent.notes else None,
        parent_measure_id=parent.id,
    )
    db.session.add(child)
    apply_deadline(child, parent.deadline_text)
    apply_responsible(child, responsible, build_directory(roadmap.municipality_id))
    for target in parent.targets:
        child.targets.append(
            MeasureTarget(
                plan_year=target.plan_year,
                kind=target.kind,
                planned=target.planned,
                grade_from=target.grade_from,
                grade_to=target.grade_to,
                text=target.text,
            )
        )
    return child


def _section_like(roadmap: Roadmap, section: Section | None) -> Section | None:
    if section is None:
        return None
    found = db.session.scalar(select(Section).where(Section.roadmap_id == roadmap.id, Section.number == section.number))
    if found is None:
        position = db.session.scalar(select(func.max(Section.position)).where(Section.roadmap_id == roadmap.id))
        found = Section(roadmap=roadmap, number=section.number, title=section.title, position=(position or 0) + 1)
        db.session.add(found)
    return found
