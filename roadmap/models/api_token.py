"""Personal API tokens: a user's key for the REST API, stored as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadmap.models.base import Base, UTCDateTime, created_at, intpk


class ApiToken(Base):
    """A named, revocable key acting with its user's rights (read-only if so marked).

    Only the SHA-256 of the token is kept; `prefix` (its first characters) lets people tell
    their tokens apart on the account page."""

    __tablename__ = "api_token"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[created_at]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()  # noqa: F821, UP037

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
