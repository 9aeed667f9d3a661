"""The groups a regional roadmap assigns its measures to, so that its phrases resolve.

A regional roadmap writes «все муниципальные центры», «все школы края», «школы муниципалитета X»
or names a municipality itself («г. Сочи»: its methodological centre, who fans the measure out to
its own organizations, roadmap.plans.cascade). Each phrase is an ordinary dynamic group of the
directory (membership by kind: directory.service.is_member), so the matcher, the review page,
publishing and the reports treat it like any other group, and a school or a municipality added
later joins by itself. `ensure_cascade_groups` creates whatever of them is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from roadmap.directory.territory import the_region
from roadmap.extensions import db
from roadmap.models import Alias, Municipality, OrgGroup, OrgKind, Region


@dataclass(frozen=True)
class RegionGroup:
    name: str
    kind: OrgKind
    is_municipal_only: bool
    aliases: tuple[str, ...]
    description: str


REGION_GROUPS = (
    RegionGroup(
        "Все муниципальные центры",
        OrgKind.CENTRE,
        True,
        ("муниципальные центры", "муниципальные методические центры", "все муниципалитеты", "муниципалитеты"),
        "Методические центры всех муниципалитетов: каждый передаёт мероприятие в свои организации",
    ),
    RegionGroup(
        "Муниципальные органы управления образованием",
        OrgKind.DEPARTMENT,
        True,
        ("все муниципальные органы управления образованием", "муниципальные управления образования"),
        "Органы управления образованием всех муниципалитетов",
    ),
    RegionGroup(
        "Все школы края",
        OrgKind.SCHOOL,
        False,
        ("все ОО края", "школы края", "общеобразовательные организации края", "все школы региона"),
        "Все общеобразовательные организации региона",
    ),
)


def schools_group_name(municipality: Municipality) -> str:
    return f"Школы муниципалитета {municipality.name}"


def municipality_group_name(municipality: Municipality) -> str:
    """The group that stands for the municipality itself: its methodological centre."""
    return f"Муниципалитет {municipality.name}"


@dataclass
class CascadeGroups:
    groups_created: int = 0
    aliases_created: int = 0
    aliases_taken: list[str] | None = None  # texts already remembered as something else: left as they are


def ensure_cascade_groups(region: Region | None = None) -> CascadeGroups:
    """Create the region's cascade groups and their aliases where missing; an alias text the
    coordinators already remembered as meaning something else keeps its meaning (reported)."""
    region = region or the_region()
    result = CascadeGroups(aliases_taken=[])
    existing = {group.name: group for group in db.session.scalars(select(OrgGroup))}

    def group(name: str, kind: OrgKind, *, municipality=None, municipal_only=False, description=""):
        found = existing.get(name)
        if found is None:
            found = OrgGroup(
                name=name,
                kind=kind,
                municipality=municipality,
                is_municipal_only=municipal_only,
                description=description,
            )
            db.session.add(found)
            existing[name] = found
            result.groups_created += 1
        return found

    wanted: list[tuple[OrgGroup, tuple[str, ...]]] = []
    for spec in REGION_GROUPS:
        made = group(spec.name, spec.kind, municipal_only=spec.is_municipal_only, description=spec.description)
        wanted.append((made, spec.aliases))
    for municipality in db.session.scalars(select(Municipality).where(Municipality.region_id == region.id)):
        schools = group(
            schools_group_name(municipality),
            OrgKind.SCHOOL,
            municipality=municipality,
            description=f"Все общеобразовательные организации: {municipality.name}",
        )
        wanted.append((schools, (f"школы {municipality.name}", f"все школы {municipality.name}")))
        group(
            municipality_group_name(municipality),
            OrgKind.CENTRE,
            municipality=municipality,
            description=f"Методический центр муниципалитета {municipality.name}: передаёт мероприятия в свои организации",
        )
    db.session.flush()
    _remember(wanted, result)
    return result


def _remember(wanted: list[tuple[OrgGroup, tuple[str, ...]]], result: CascadeGroups) -> None:
    from roadmap.importers import normalize_party

    known = {alias.normalized: alias for alias in db.session.scalars(select(Alias))}
    for group, texts in wanted:
        for text in texts:
            normalized = normalize_party(text)
            alias = known.get(normalized)
            if alias is None:
                alias = Alias(text=text, normalized=normalized, group_id=group.id)
                db.session.add(alias)
                known[normalized] = alias
                result.aliases_created += 1
            elif alias.group_id != group.id:
                result.aliases_taken.append(text)
    db.session.flush()


def municipality_names() -> dict[int, list[str]]:
    """group id → the bare municipality names that mean it («г. Сочи» alone: the municipality,
    that is its centre's group). Matched only as a whole party, never inside one («ДО АМУ
    г. Краснодар» stays the department)."""
    by_name = {municipality_group_name(m): m.name for m in db.session.scalars(select(Municipality))}
    return {
        group_id: [by_name[group_name]]
        for group_id, group_name in db.session.execute(
            select(OrgGroup.id, OrgGroup.name).where(OrgGroup.name.in_(list(by_name) or [""]))
        )
    }
