"""What is wrong with the database, in one Russian sentence: shared by /readyz and the CLI.

Kept free of request handling so that the command line and the readiness probe tell an
operator the same thing ("unreachable", "not migrated", "migrated to an older revision").
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

UPGRADE_HINT = "выполните «flask --app wsgi db upgrade»"


@cache
def schema_heads() -> frozenset[str]:
    """The head revisions of migrations/ (read once per process: the files do not change)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from roadmap.config import PROJECT_ROOT

    config = AlembicConfig()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_problem(engine: Engine) -> tuple[str, str] | None:
    """None when the database answers and carries the newest schema; else (code, Russian reason).

    Codes: "unreachable", "unmigrated", "outdated". Opens its own short connection, so a broken
    session of the caller does not matter.
    """
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        return "unreachable", f"база данных недоступна ({_where(engine)}): {_reason(exc)}"
    if not current:
        return "unmigrated", f"база данных не подготовлена: {UPGRADE_HINT}"
    if current != schema_heads():
        return "outdated", f"схема базы данных устарела (версия {', '.join(sorted(current))}): {UPGRADE_HINT}"
    return None


def _where(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"файл {url.database}"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def _reason(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    lowered = first.lower()
    if "connection refused" in lowered or "could not connect" in lowered:
        return "сервер не отвечает, проверьте DATABASE_URL и что сервер запущен"
    if "does not exist" in lowered and "database" in lowered:
        return "такой базы нет на сервере, проверьте DATABASE_URL"
    if "password authentication failed" in lowered or "authentication" in lowered:
        return "неверный пользователь или пароль в DATABASE_URL"
    if "unable to open database file" in lowered:
        return "файл нельзя открыть: нет папки или прав доступа"
    if "timeout" in lowered or "timed out" in lowered:
        return "сервер не ответил вовремя"
    return f"ошибка подключения ({type(getattr(exc, 'orig', None) or exc).__name__})"
