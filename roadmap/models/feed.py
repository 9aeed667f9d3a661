"""Calendar subscriptions: one per device or calendar, each with its own revocable token."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.models.base import Base, UTCDateTime, created_at, intpk, kind_column
from roadmap.models.user import User


class SubscriptionKind(enum.StrEnum):
    """What a calendar subscription shows."""

    PERSONAL = "personal"
    ORGANIZATION = "organization"
    ROADMAP = "roadmap"

    @property
    def label(self) -> str:
        return {"personal": "Мои задачи", "organization": "Организация", "roadmap": "Дорожная карта"}[self.value]


class Subscription(Base):
    __tablename__ = "subscription"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SubscriptionKind] = mapped_column(
        kind_column(SubscriptionKind, "kind"), default=SubscriptionKind.PERSONAL
    )
    target_id: Mapped[int | None]
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[created_at]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
