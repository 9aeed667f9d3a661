"""Roadmaps (дорожные карты): sections, measures and their responsible parties."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.clock import DEFAULT_TIMEZONE
from roadmap.contingent import Band
from roadmap.models.base import Base, UTCDateTime, created_at, intpk, kind_column, utcnow
from roadmap.models.organization import Organization, OrgGroup
from roadmap.models.territory import Municipality
from roadmap.schedule import ScheduleKind, ShiftRule, YearType
from roadmap.targets import TargetKind


class RoadmapStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return {"draft": "черновик", "published": "опубликована", "archived": "в архиве"}[self.value]


class Roadmap(Base):
    __tablename__ = "roadmap"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(Text)
    owner_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    # The roadmap's territory: a municipal roadmap belongs to its municipality, a regional one
    # (NULL) to the region. roadmap.tasks.access decides from it who sees the roadmap.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    year_type: Mapped[YearType] = mapped_column(
        kind_column(YearType, "year_type", length=10), default=YearType.CALENDAR, server_default="calendar"
    )
    shift_rule: Mapped[ShiftRule] = mapped_column(
        kind_column(ShiftRule, "shift_rule", length=10), default=ShiftRule.NEXT, server_default="next"
    )
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE)
    academic_calendar: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[RoadmapStatus] = mapped_column(
        kind_column(RoadmapStatus, "roadmap_status"), default=RoadmapStatus.DRAFT, server_default="draft", index=True
    )
    source_filename: Mapped[str | None] = mapped_column(String(300))
    previous_roadmap_id: Mapped[int | None] = mapped_column(ForeignKey("roadmap.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last edit of the roadmap, its measures or sections (roadmap.models.task keeps it).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Grows whenever a task, measure or section of the roadmap changes (roadmap.models.task
    # bumps it after every flush; bulk writers call bump_feed_versions): the cheap version of
    # the roadmap's aggregated feeds. feed_changed_at is the moment of that change.
    feed_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    feed_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The feed_version its occurrence tallies (models.task.OccurrenceTally) were last known to
    # be in step at: advanced with the counter by every write that keeps them; left behind by
    # one that does not (a version before the tallies, still serving during an upgrade), so the
    # next aggregated feed counts the roadmap again before reading them.
    tallied_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    owner: Mapped[Organization | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    sections: Mapped[list[Section]] = relationship(
        back_populates="roadmap", order_by="Section.position", cascade="all, delete-orphan"
    )
    measures: Mapped[list[Measure]] = relationship(
        back_populates="roadmap", order_by="Measure.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == RoadmapStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Roadmap {self.id} {self.title[:40]!r}>"


class Section(Base):
    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("roadmap_id", "number"),)

    id: Mapped[intpk]
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmap.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    roadmap: Mapped[Roadmap] = relationship(back_populates="sections")
    measures: Mapped[list[Measure]] = relationship(back_populates="section", order_by="Measure.position")


class Measure(Base):
    """One row of the roadmap. The deadline text is kept as written; `schedule` is how it was understood."""

    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("roadmap_id", "number"),)

    id: Mapped[intpk]
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmap.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The pure core's vocabulary (roadmap.schedule.ScheduleKind): one definition for both.
    schedule_kind: Mapped[ScheduleKind] = mapped_column(
        kind_column(ScheduleKind, "schedule_kind", length=30),
        default=ScheduleKind.UNPARSED,
        server_default="unparsed",
    )
    # Dates set by hand: [{"start": "YYYY-MM-DD", "due": "YYYY-MM-DD"}, ...]; when present they win.
    manual_dates: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    responsible_text: Mapped[str] = mapped_column(Text, default="")
    has_no_executor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Published on purpose without tasks (its dates fall outside the period, say): the reason
    # the coordinator gave, which the reports show. None: the measure is expected to have tasks.
    no_tasks_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[dict[str, str] | None] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The regional measure this municipal one carries out (the cascade, roadmap.plans.cascade):
    # its tasks count under the parent in the regional reports (roadmap.reports.queries).
    parent_measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    roadmap: Mapped[Roadmap] = relationship(back_populates="measures")
    parent: Mapped[Measure | None] = relationship(remote_side="Measure.id")
    section: Mapped[Section | None] = relationship(back_populates="measures")
    parties: Mapped[list[MeasureParty]] = relationship(
        back_populates="measure", order_by="MeasureParty.position", cascade="all, delete-orphan"
    )
    targets: Mapped[list[MeasureTarget]] = relationship(
        back_populates="measure", order_by="MeasureTarget.plan_year", cascade="all, delete-orphan"
    )


class MeasureTarget(Base):
    """A measure's target (целевой показатель) for one plan year, or for every year (plan_year
    None; a year's own target wins). `kind` None: the text as written was not understood
    (roadmap.targets.parse_target) and waits for the coordinator; no number is guessed."""

    __tablename__ = "measure_target"
    __table_args__ = (
        UniqueConstraint("measure_id", "plan_year"),
        CheckConstraint("(kind IS NULL) = (planned IS NULL)", name="kind_with_value"),
        CheckConstraint("(grade_from IS NULL) = (grade_to IS NULL)", name="band_complete"),
    )

    id: Mapped[intpk]
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    plan_year: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[TargetKind | None] = mapped_column(kind_column(TargetKind, "target_kind", length=20))
    planned: Mapped[float | None] = mapped_column(Float)
    grade_from: Mapped[int | None] = mapped_column(Integer)
    grade_to: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")  # as written in the document or the form
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    measure: Mapped[Measure] = relationship(back_populates="targets")

    @property
    def band(self) -> Band:
        return Band(self.grade_from, self.grade_to)


class MeasureParty(Base):
    """A responsible body of a measure as written, and what it was matched to (if anything)."""

    __tablename__ = "measure_party"

    id: Mapped[intpk]
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(500))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("org_group.id", ondelete="SET NULL"))

    measure: Mapped[Measure] = relationship(back_populates="parties")
    organization: Mapped[Organization | None] = relationship()
    group: Mapped[OrgGroup | None] = relationship()

    @property
    def is_matched(self) -> bool:
        return self.organization_id is not None or self.group_id is not None
