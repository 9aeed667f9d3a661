"""E-mail reminders: per-user settings and the log that keeps a digest from going out twice."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.models.base import Base, UTCDateTime, intpk, kind_column, utcnow
from roadmap.models.user import User

DEFAULT_DAYS_BEFORE = 3


class ReminderKind(enum.StrEnum):
    """Which digest a letter is."""

    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return {"daily": "ежедневная", "weekly": "еженедельная"}[self.value]


class ReminderSetting(Base):
    """A user's choice about reminders; a user without a row gets the defaults."""

    __tablename__ = "reminder_setting"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    days_before: Mapped[int] = mapped_column(Integer, default=DEFAULT_DAYS_BEFORE, server_default="3")

    user: Mapped[User] = relationship()


class ReminderLog(Base):
    """One digest sent (or being sent). The unique key is the idempotency guarantee:
    a second run on the same day cannot claim the same (user, kind, day) again."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("user_id", "kind", "sent_on"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[ReminderKind] = mapped_column(kind_column(ReminderKind, "kind"))
    # The day the digest belongs to (for the weekly digest: the Monday of its week).
    sent_on: Mapped[date] = mapped_column(Date, index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    task_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
