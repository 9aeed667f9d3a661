"""The declarative base and shared column shapes."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import DateTime, Enum, MetaData, Text, TypeDecorator, event, func
from sqlalchemy.orm import DeclarativeBase, mapped_column

from roadmap import clock
from roadmap.russian import natural_key

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

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        # SQLite hands back the text SQLAlchemy stored ("2026-12-07 23:01:52.123456"): parsed
        # and given its zone in one step, not through DateTime's processor and then ours (a
        # feed reads thousands of these).
        parse = datetime.fromisoformat

        def process(value):
            if value is None:
                return None
            try:
                moment = parse(value + "+00:00")  # a sixth of parse(value).replace(tzinfo=UTC)
            except ValueError:  # not SQLAlchemy's text: an offset of its own
                moment = parse(value)
                if moment.tzinfo is not None:
                    return moment.astimezone(UTC)
            # A date alone parses without the offset: midnight UTC all the same.
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

        return process


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
    """Now, aware, in UTC: the clock's (roadmap.clock.now)."""
    return clock.now()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _to_member(enum_cls: type[enum.Enum]):
    def coerce(_target, value, _old, _initiator):
        if value is None or isinstance(value, enum_cls):
            return value
        return enum_cls(value)  # ValueError for a value outside the vocabulary

    return coerce


@event.listens_for(Base, "mapper_configured", propagate=True)
def _enum_attributes_hold_members(mapper, cls) -> None:
    """An enum attribute set to its string value holds the member at once, not only once
    reloaded: ``task.organization.kind.label`` works on an object built from a form."""
    for prop in mapper.column_attrs:
        enum_cls = getattr(prop.columns[0].type, "enum_class", None)
        if isinstance(prop.columns[0].type, Enum) and enum_cls is not None and prop.key in cls.__dict__:
            event.listen(getattr(cls, prop.key), "set", _to_member(enum_cls), retval=True)


# roadmap.russian.natural_key is ordered by code points: PostgreSQL must compare it byte by byte
# ("C"), whatever the database's collation; SQLite's default (BINARY) already does.
SORT_KEY_TYPE = Text().with_variant(Text(collation="C"), "postgresql")


def sort_key_column(source: str):
    """A name's natural sort key (roadmap.russian.natural_key), kept with the row for ORDER BY.

    The model sets it whenever `source` is assigned (see `keeps_sort_key`); a Core insert that
    leaves it out gets it computed from the inserted `source`."""

    def default(context) -> str:
        return natural_key(context.get_current_parameters().get(source))

    return mapped_column(SORT_KEY_TYPE, default=default, server_default="", index=True)


def keeps_sort_key(cls, source: str, target: str = "sort_key"):
    """Keep `target` equal to natural_key(`source`) on every assignment of `source`, in the
    constructor too: a rename re-sorts the row."""

    @event.listens_for(getattr(cls, source), "set", retval=False)
    def _update(obj, value, _old, _initiator) -> None:
        setattr(obj, target, natural_key(value))

    return cls


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow, server_default=func.now())]
