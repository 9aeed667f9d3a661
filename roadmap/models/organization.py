"""Organizations, groups of organizations and remembered aliases."""

from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    event,
    false,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.models.base import Base, created_at, intpk, keeps_sort_key, kind_column, sort_key_column
from roadmap.models.territory import DEFAULT_REGION_NAME, Municipality, Region


class OrgKind(enum.StrEnum):
    CENTRE = "centre"
    DEPARTMENT = "department"
    SCHOOL = "school"
    PRESCHOOL = "preschool"
    ADDITIONAL = "additional"
    COLLEGE = "college"
    UNIVERSITY = "university"
    ENTERPRISE = "enterprise"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ORG_KIND_LABELS[self]


ORG_KIND_LABELS = {
    OrgKind.CENTRE: "Методический центр",
    OrgKind.DEPARTMENT: "Орган управления образованием",
    OrgKind.SCHOOL: "Общеобразовательная организация",
    OrgKind.PRESCHOOL: "Дошкольная организация",
    OrgKind.ADDITIONAL: "Организация дополнительного образования",
    OrgKind.COLLEGE: "Организация СПО",
    OrgKind.UNIVERSITY: "Организация высшего образования",
    OrgKind.ENTERPRISE: "Предприятие",
    OrgKind.OTHER: "Другое",
}


group_members = Table(
    "org_group_member",
    Base.metadata,
    Column("group_id", ForeignKey("org_group.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[intpk]
    full_name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200), index=True)
    # natural_key(short_name): lists sorted and paginated in SQL put СОШ № 2 before СОШ № 10.
    sort_key: Mapped[str] = sort_key_column("short_name")
    kind: Mapped[OrgKind] = mapped_column(kind_column(OrgKind, "org_kind"), index=True)
    # The one definition of an organization's territory: its municipality, or none when it belongs
    # to the region itself (the ministry, regional colleges and universities). region_id is the
    # municipality's region, kept by roadmap.directory.territory.place_organization.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    student_count: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[created_at]

    municipality: Mapped[Municipality | None] = relationship()
    region: Mapped[Region | None] = relationship()
    groups: Mapped[list[OrgGroup]] = relationship(secondary=group_members, back_populates="members")
    users: Mapped[list[User]] = relationship(back_populates="organization")  # noqa: F821
    # Students by grade (контингент); student_count is their sum whenever grades are given
    # (roadmap.directory.service.set_contingent keeps the two equal).
    grades: Mapped[list[GradeCount]] = relationship(
        back_populates="organization", order_by="GradeCount.grade", cascade="all, delete-orphan"
    )
    # Students of a whole education level (НОО, ООО, СОО) whose grades are not known: a level has
    # either grades or a level total, never both (set_contingent); the total counts both.
    levels: Mapped[list[LevelCount]] = relationship(
        back_populates="organization", order_by="LevelCount.level", cascade="all, delete-orphan"
    )

    @property
    def municipality_name(self) -> str | None:
        return self.municipality.name if self.municipality else None

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.short_name!r}>"


keeps_sort_key(Organization, "short_name")


class GradeCount(Base):
    """How many students an organization has in one grade (1–11): its contingent by grade."""

    __tablename__ = "grade_count"
    __table_args__ = (
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade_in_school"),
        CheckConstraint("students >= 0", name="students_not_negative"),
    )

    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True)
    grade: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    students: Mapped[int] = mapped_column(Integer)

    organization: Mapped[Organization] = relationship(back_populates="grades")


class LevelCount(Base):
    """How many students an organization has in one education level (roadmap.contingent.LEVELS)
    when it gave them by level only: the level's grades are unknown."""

    __tablename__ = "level_count"
    __table_args__ = (
        CheckConstraint("level IN ('НОО', 'ООО', 'СОО')", name="level_known"),
        CheckConstraint("students >= 0", name="students_not_negative"),
    )

    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(3), primary_key=True)
    students: Mapped[int] = mapped_column(Integer)

    organization: Mapped[Organization] = relationship(back_populates="levels")


@event.listens_for(Organization.municipality, "set")
def _organization_follows_its_municipality(org, municipality, _old, _initiator) -> None:
    # An organization is in its municipality's region: moving it moves its region too.
    if municipality is not None:
        org.region = municipality.region


@event.listens_for(Organization, "before_insert")
def _organization_in_a_region(_mapper, _connection, org) -> None:
    # Every organization is in some region: a region-level one in the installation's region.
    if org.region_id is None and org.region is None:
        org.region_id = _first_region_id(_connection)


def _first_region_id(connection) -> int:
    region_id = connection.scalar(select(Region.id).order_by(Region.id).limit(1))
    if region_id is None:
        region_id = connection.execute(Region.__table__.insert().values(name=DEFAULT_REGION_NAME)).inserted_primary_key[
            0
        ]
    return region_id


class OrgGroup(Base):
    """A named set of organizations.

    A group with `kind` set is dynamic: every active organization of that kind (in
    `municipality`, when given; of some municipality, when `is_municipal_only`) belongs to it, so a school added later joins automatically.
    Explicit members ("partner enterprises") are listed in org_group_member.
    """

    __tablename__ = "org_group"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrgKind | None] = mapped_column(kind_column(OrgKind, "org_kind"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    # Only organizations of municipalities, not the region's own: «все муниципальные центры» is
    # every municipality's centre and not a regional institute of the same kind.
    is_municipal_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]

    municipality: Mapped[Municipality | None] = relationship()
    members: Mapped[list[Organization]] = relationship(secondary=group_members, back_populates="groups")

    @property
    def municipality_name(self) -> str | None:
        return self.municipality.name if self.municipality else None

    def __repr__(self) -> str:
        return f"<OrgGroup {self.id} {self.name!r}>"


class Alias(Base):
    """A free text remembered as meaning one organization or one group."""

    __tablename__ = "alias"
    __table_args__ = (CheckConstraint("(organization_id IS NULL) <> (group_id IS NULL)", name="exactly_one_target"),)

    id: Mapped[intpk]
    text: Mapped[str] = mapped_column(String(500))
    normalized: Mapped[str] = mapped_column(String(500), unique=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("org_group.id", ondelete="CASCADE"))
    created_at: Mapped[created_at]

    organization: Mapped[Organization | None] = relationship()
    group: Mapped[OrgGroup | None] = relationship()
