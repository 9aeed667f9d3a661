"""Territories: a region (субъект РФ) and its municipalities (муниципальные образования).

An organization belongs to one municipality, or to the region itself (the ministry, regional
colleges and universities: Organization.municipality_id is NULL). Roadmaps and coordinators have
the same kind of territory; roadmap.tasks.access reads them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.models.base import Base, created_at, intpk, keeps_sort_key, sort_key_column

# The region of a database that has none yet (a new installation; the 0015 migration names the
# region of an upgraded one the same way).
DEFAULT_REGION_NAME = "Регион"


class Region(Base):
    __tablename__ = "region"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    oktmo: Mapped[str | None] = mapped_column(String(11), unique=True)
    created_at: Mapped[created_at]

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="region", order_by="Municipality.sort_key")

    def __repr__(self) -> str:
        return f"<Region {self.id} {self.name!r}>"


class Municipality(Base):
    __tablename__ = "municipality"
    __table_args__ = (UniqueConstraint("region_id", "name"),)

    id: Mapped[intpk]
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # natural_key(name): lists put «Район 2» before «Район 10».
    sort_key: Mapped[str] = sort_key_column("name")
    oktmo: Mapped[str | None] = mapped_column(String(11), unique=True)
    created_at: Mapped[created_at]

    region: Mapped[Region] = relationship(back_populates="municipalities")

    def __repr__(self) -> str:
        return f"<Municipality {self.id} {self.name!r}>"


keeps_sort_key(Municipality, "name")
