"""Territories of the directory: the region, its municipalities, and where an organization belongs.

Organization.municipality (NULL: the region itself) is the one fact; this module is the one way
to set it and to name a municipality by its name or OKTMO code.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from roadmap.extensions import db
from roadmap.models import Municipality, Organization, Region
from roadmap.models.territory import DEFAULT_REGION_NAME

# ОКТМО: 8 digits for a municipal district or city district, 11 for a settlement.
OKTMO = re.compile(r"\d{8}(\d{3})?")


class TerritoryError(ValueError):
    """A municipality that cannot be named so; the message is for the user, in Russian."""


def clean_name(name: str | None) -> str:
    return " ".join((name or "").split())


def the_region() -> Region:
    """The installation's region: the first one, created under DEFAULT_REGION_NAME when there is none."""
    region = db.session.scalar(select(Region).order_by(Region.id).limit(1))
    if region is None:
        region = Region(name=DEFAULT_REGION_NAME)
        db.session.add(region)
        db.session.flush()
    return region


def region_named(name: str) -> Region:
    """The region called `name`, created when missing; an upgraded or new database's only region
    still under the placeholder name takes the real one (no second region by accident)."""
    name = clean_name(name)
    if not name or len(name) > 200:
        raise TerritoryError("укажите название региона (не длиннее 200 знаков).")
    regions = list(db.session.scalars(select(Region).order_by(Region.id)))
    found = next((r for r in regions if r.name.casefold() == name.casefold()), None)
    if found is not None:
        return found
    if len(regions) == 1 and regions[0].name == DEFAULT_REGION_NAME:
        regions[0].name = name
        db.session.flush()
        return regions[0]
    region = Region(name=name)
    db.session.add(region)
    db.session.flush()
    return region


def find_municipality(name: str | None = None, *, oktmo: str | None = None, region: Region | None = None):
    """The municipality with this OKTMO code, else with this name (case and spaces aside) in `region`."""
    if oktmo:
        found = db.session.scalar(select(Municipality).where(Municipality.oktmo == oktmo))
        if found is not None:
            return found
    name = clean_name(name)
    if not name:
        return None
    region = region or the_region()
    # Compared in Python: SQLite's lower() leaves Cyrillic as it is. A region has at most a few
    # hundred municipalities.
    wanted = name.casefold()
    candidates = db.session.scalars(select(Municipality).where(Municipality.region_id == region.id))
    return next((m for m in candidates if m.name.casefold() == wanted), None)


def municipality_named(name: str, *, oktmo: str | None = None, region: Region | None = None) -> Municipality:
    """The municipality called `name` (or coded `oktmo`) in `region`, created when missing.

    Raises TerritoryError for a malformed code or a code that belongs to another name."""
    name = clean_name(name)
    oktmo = (oktmo or "").strip() or None
    if not name:
        raise TerritoryError("не указано название муниципалитета.")
    if len(name) > 200:
        raise TerritoryError("название муниципалитета длиннее 200 знаков.")
    if oktmo and not OKTMO.fullmatch(oktmo):
        raise TerritoryError(f"код ОКТМО «{oktmo}» должен состоять из 8 или 11 цифр.")
    region = region or the_region()
    found = find_municipality(name, oktmo=oktmo, region=region)
    if found is not None:
        if oktmo and found.oktmo == oktmo and found.name.casefold() != name.casefold():
            raise TerritoryError(f"код ОКТМО {oktmo} уже принадлежит муниципалитету «{found.name}».")
        if oktmo and found.oktmo is None:
            found.oktmo = oktmo
        elif oktmo and found.oktmo != oktmo:
            raise TerritoryError(f"у муниципалитета «{found.name}» другой код ОКТМО: {found.oktmo}.")
        return found
    municipality = Municipality(region=region, name=name, oktmo=oktmo)
    db.session.add(municipality)
    db.session.flush()
    return municipality


def municipalities() -> list[Municipality]:
    """Every municipality, in natural order of names."""
    return list(db.session.scalars(select(Municipality).order_by(Municipality.sort_key, Municipality.id)))


def municipality_choices(empty_label: str) -> list[tuple[int, str]]:
    """(id, name) for a select field; 0 first, meaning none (the region itself)."""
    return [(0, empty_label)] + [(m.id, m.name) for m in municipalities()]


def place_organization(org: Organization, municipality: Municipality | None, region: Region | None = None) -> None:
    """Put `org` in `municipality`, or (None) in the region itself: its region follows.

    A school moving to another municipality keeps its tasks and reports (they are the
    organization's); the old municipality's staff stop seeing it in the directory, and its groups
    («школы муниципалитета») follow the new municipality (directory.service.is_member)."""
    org.municipality = municipality
    org.region = municipality.region if municipality is not None else (region or org.region or the_region())
