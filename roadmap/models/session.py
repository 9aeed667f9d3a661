"""Server-side state of logins: revoked sessions and failed-login throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from roadmap.models.base import Base, UTCDateTime


class RevokedSession(Base):
    """A session ended by «Выйти»: its cookie and remember cookie no longer log anybody in.

    Rows older than the longest session life are useless (such tokens are refused anyway) and
    are purged."""

    __tablename__ = "revoked_session"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LoginThrottle(Base):
    """Failed logins of one account name (known or not, so that both behave alike)."""

    __tablename__ = "login_throttle"

    login_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_address: Mapped[str | None] = mapped_column(String(64))
