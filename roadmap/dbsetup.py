"""Engine tweaks per backend."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event


def configure_engines(app: Flask) -> None:
    from roadmap.extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_timeout = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10_000))

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Enforce foreign keys as PostgreSQL does; wait for a writer instead of failing at once.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.close()
