"""The coordinator's own words in a year-end report: conclusions per section and for the whole report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from roadmap.models.base import Base, UTCDateTime, intpk, utcnow

WHOLE_REPORT = "report"


def part_of(section_id: int | None) -> str:
    """The part a conclusion belongs to: "report" for the whole report, "section:<id>" for a section."""
    return WHOLE_REPORT if section_id is None else f"section:{section_id}"


class Conclusion(Base):
    """Text a coordinator writes for a roadmap's plan year: the analysis the DOCX puts after the
    figures of its section (or of the whole report). `part` repeats `section_id` so that the
    uniqueness holds on every backend (NULLs never collide in a UNIQUE constraint)."""

    __tablename__ = "report_conclusion"
    __table_args__ = (UniqueConstraint("roadmap_id", "plan_year", "part"),)

    id: Mapped[intpk]
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmap.id", ondelete="CASCADE"), index=True)
    plan_year: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(40))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
