"""Rows in the database driver's own representation: the one place that reaches into SQLAlchemy
internals for speed, with a plain fallback that uses only its public API.

Generating a region's 100,000 tasks is mostly converting values and building rows. The fast
adapter converts each distinct value once with the column type's bind processor (a private
SQLAlchemy method), compares existing rows as the driver returns them (no result processing)
and hands prepared rows straight to the driver's executemany. The plain adapter does the same
work through ``connection.execute(insert(table), rows)`` and typed columns. Both give the same
rows and the same comparisons (tests/tasks/test_driver_rows.py); the fast one is the default,
the plain one is what to fall back to if a SQLAlchemy upgrade changes the internals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Table, insert, type_coerce
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import NullType

BATCH = 5000

# One occurrence fanned out to several organizations: shared values, the varying column, its values.
Fanout = tuple[dict, str, Sequence]


class PlainRows:
    """Public API only: Python values in, typed values out."""

    fast = False

    def __init__(self, connection, table: Table) -> None:
        self.connection = connection
        self.table = table

    def value(self, column: str, value):
        """`value` as this adapter compares and writes it."""
        return value

    def column(self, name: str) -> ColumnElement:
        """The column as this adapter reads it (comparable with `value`)."""
        return self.table.c[name]

    def insert(self, columns: Sequence[str], groups: Iterable[Fanout]) -> int:
        """Insert the rows of every group in batches; return how many."""
        stmt = insert(self.table)
        added, batch = 0, []
        for values, varying, items in groups:
            for item in items:
                batch.append({**values, varying: item})
            if len(batch) >= BATCH:
                self.connection.execute(stmt, batch)
                added, batch = added + len(batch), []
        if batch:
            self.connection.execute(stmt, batch)
            added += len(batch)
        return added


class FastRows(PlainRows):
    """Driver values, converted once per distinct value; rows handed straight to the driver."""

    fast = True

    def __init__(self, connection, table: Table) -> None:
        super().__init__(connection, table)
        dialect = connection.dialect
        # Private API: the processor SQLAlchemy itself applies to each bound value.
        self._processors = {column.key: column.type._cached_bind_processor(dialect) for column in table.c}
        self._memo: dict[tuple[str, object], object] = {}

    def value(self, column: str, value):
        processor = self._processors[column]
        if processor is None or value is None:
            return value
        key = (column, value)
        try:
            return self._memo[key]
        except KeyError:
            converted = self._memo[key] = processor(value)
            return converted

    def column(self, name: str) -> ColumnElement:
        # Read as the driver returns it: no result processing (dates stay strings on SQLite).
        return type_coerce(self.table.c[name], NullType())

    def insert(self, columns: Sequence[str], groups: Iterable[Fanout]) -> int:
        connection = self.connection
        compiled = insert(self.table).compile(
            dialect=connection.dialect, column_keys=list(columns), for_executemany=True
        )
        order = compiled.positiontup if connection.dialect.positional else None

        def rows():
            for values, varying, items in groups:
                if order is None:
                    for item in items:
                        yield {**values, varying: item}
                    continue
                split = order.index(varying)
                head = tuple(values[name] for name in order[:split])
                tail = tuple(values[name] for name in order[split + 1 :])
                for item in items:
                    yield (*head, item, *tail)

        added, batch = 0, []
        for row in rows():
            batch.append(row)
            if len(batch) == BATCH:
                connection.exec_driver_sql(compiled.string, batch)
                added, batch = added + len(batch), []
        if batch:
            connection.exec_driver_sql(compiled.string, batch)
            added += len(batch)
        return added


def driver_rows(connection, table: Table, *, fast: bool = True) -> PlainRows:
    return FastRows(connection, table) if fast else PlainRows(connection, table)
