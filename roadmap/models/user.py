"""People who log in."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from roadmap.models.base import Base, UTCDateTime, created_at, intpk, keeps_sort_key, kind_column, sort_key_column
from roadmap.models.organization import Organization
from roadmap.models.territory import Municipality


def _hash_method() -> str:
    # Tests and the demo loader may choose a cheaper method; production keeps the strong default.
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    EXECUTOR = "executor"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Администратор",
    Role.COORDINATOR: "Координатор",
    Role.EXECUTOR: "Исполнитель",
    Role.OBSERVER: "Наблюдатель",
}


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[intpk]
    login: Mapped[str] = mapped_column(String(100), unique=True)
    # natural_key(login): the admin's paginated list puts school2 before school10.
    sort_key: Mapped[str] = sort_key_column("login")
    full_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(kind_column(Role, "role"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    # The territory of a coordinator or observer: their municipality, or NULL for the whole region
    # (roadmap.tasks.access). Executors are scoped by their organization instead.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True, server_default=true())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session token: raising it ends every session and remember cookie of the user.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[created_at]

    organization: Mapped[Organization | None] = relationship(back_populates="users")
    municipality: Mapped[Municipality | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_executor(self) -> bool:
        return self.role == Role.EXECUTOR

    @property
    def is_observer(self) -> bool:
        return self.role == Role.OBSERVER

    def __repr__(self) -> str:
        return f"<User {self.login!r} {self.role}>"


keeps_sort_key(User, "login")
