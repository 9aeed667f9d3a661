"""Dates an executor proposes for a measure the roadmap leaves to its own schedule.

"По плану ОО", "по отдельному графику" and the like give no dates (kind `manual`): each
responsible organization holds the measure when it plans to, tells the centre when, and the
coordinator confirms. A confirmed proposal gives that organization its own tasks.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.models.base import Base, UTCDateTime, created_at, intpk, kind_column
from roadmap.models.organization import Organization
from roadmap.models.plan import Measure
from roadmap.models.user import User
from roadmap.tasks.dates import stored_ranges


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    # Replaced by a later proposal of the same organization (kept as history).
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return PROPOSAL_LABELS[self.value]


PROPOSAL_LABELS = {
    "proposed": "ждёт подтверждения",
    "confirmed": "подтверждено",
    "rejected": "отклонено",
    "superseded": "заменено новым предложением",
}


class DateProposal(Base):
    __tablename__ = "date_proposal"
    __table_args__ = (
        Index("ix_date_proposal_measure_org", "measure_id", "organization_id"),
        Index("ix_date_proposal_status", "status"),
    )

    id: Mapped[intpk]
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    # [{"start": "2026-09-01", "due": "2026-09-30"}, ...], sorted.
    dates: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProposalStatus] = mapped_column(
        kind_column(ProposalStatus, "proposal_status"), default=ProposalStatus.PROPOSED
    )
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    measure: Mapped[Measure] = relationship()
    organization: Mapped[Organization] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def ranges(self) -> list[tuple[date, date]]:
        return stored_ranges(self.dates)
