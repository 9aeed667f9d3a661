"""The declarative base and shared column shapes."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator, func
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite drops the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use roadmap.models.base.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def kind_column(enum_cls: type[enum.Enum], name: str, length: int = 20) -> Enum:
    """A closed vocabulary: stored as the members' plain string values, no native database type.

    A CHECK constraint (``ck_<table>_<name>``) keeps other values out on every backend, raw SQL
    included, so ``name`` must be unique within a table. Adding a member needs a migration that
    rewrites that constraint (see migrations 0008).
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow, server_default=func.now())]
