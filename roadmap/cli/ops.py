"""Operations commands: reminders for cron, the job worker, backups and restores."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from roadmap.cli.common import fail
from roadmap.clock import local_now
from roadmap.models.reminder import ReminderKind


def register(app: Flask) -> None:
    app.cli.add_command(reminders_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


# ---------------------------------------------------------------- reminders


@click.group("reminders", help="Напоминания по электронной почте.")
def reminders_group() -> None:
    pass


@reminders_group.command("send")
@click.option("--dry-run", is_flag=True, help="Показать, что будет отправлено, ничего не отправляя.")
@click.option("--today", "today_text", metavar="ГГГГ-ММ-ДД", help="Считать сегодняшней эту дату.")
@click.option(
    "--kind",
    "kinds",
    type=click.Choice([kind.value for kind in ReminderKind]),
    multiple=True,
    help="Только эти сводки (по умолчанию: ежедневная, а в день недельной сводки — и она).",
)
@with_appcontext
def send_reminders_command(dry_run: bool, today_text: str | None, kinds: tuple[str, ...]) -> None:
    """Отправить сводки, которые положены на сегодня и ещё не отправлены (для cron)."""
    from roadmap.reminders.service import ReminderError, send_reminders

    today = None
    if today_text:
        try:
            today = date.fromisoformat(today_text)
        except ValueError:
            fail(f"дата «{today_text}» не в формате ГГГГ-ММ-ДД.")
    try:
        result = send_reminders(today, dry_run=dry_run, kinds=kinds or None)
    except ReminderError as exc:
        fail(f"напоминания не отправлены: {exc}.")
    prefix = "будет отправлено" if dry_run else "отправлено"
    for item in result.sent:
        click.echo(f"{prefix}: {item.describe()}")
    for item in result.already_sent:
        click.echo(f"уже отправлено ранее: {item.describe()}")
    for item, reason in result.failed:
        click.echo(f"не отправлено: {item.describe()} — {reason}", err=True)
    click.echo(
        f"Итого {prefix}: {len(result.sent)}; уже отправлено ранее: {len(result.already_sent)}; "
        f"с ошибкой: {len(result.failed)}."
    )


# ---------------------------------------------------------------- worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Выполнить задания из очереди и завершиться.")
@click.option("--queue", "queue", default=None, help="Имя очереди (по умолчанию JOBS_QUEUE или «roadmap»).")
@click.option("--simple", is_flag=True, help="Выполнять задания в этом же процессе, без fork.")
@with_appcontext
def worker_command(burst: bool, queue: str | None, simple: bool) -> None:
    """Обработчик фоновых заданий (RQ) с контекстом приложения."""
    from redis.exceptions import RedisError
    from rq import Queue

    from roadmap.jobs import queue_name, redis_connection
    from roadmap.jobs.worker import AppSimpleWorker, AppWorker

    if not current_app.config.get("REDIS_URL"):
        fail("REDIS_URL не задан: без Redis задания выполняются сразу, обработчик не нужен.")
    connection = redis_connection()
    try:
        connection.ping()
    except RedisError as exc:
        fail(f"Redis недоступен ({current_app.config['REDIS_URL']}): {exc}")
    worker_class = AppSimpleWorker if simple else AppWorker
    worker = worker_class(
        [Queue(queue or queue_name(), connection=connection)],
        connection=connection,
        app=current_app._get_current_object(),
    )
    worker.work(burst=burst, logging_level="INFO")


# ---------------------------------------------------------------- backup and restore


def _database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        fail("база данных SQLite в памяти: копировать нечего.")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API: a consistent snapshot even while the app writes."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        fail(f"не найдена программа {name}: установите postgresql-client той же версии, что и сервер PostgreSQL.")
    return path


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/psql; the password goes through the environment, not argv."""
    from roadmap.extensions import db
    from roadmap.health import database_problem

    if (problem := database_problem(db.engine)) and problem[0] == "unreachable":
        fail(problem[1] + ".")
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        lines = [line for line in (completed.stderr or completed.stdout).strip().splitlines() if line]
        fail(f"{what}: {lines[-1] if lines else f'код {completed.returncode}'}")


def _default_backup_path(suffix: str) -> Path:
    stamp = local_now().strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "backups" / f"roadmap-{stamp}{suffix}"


@click.command("backup")
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path), help="Куда записать копию.")
@click.option(
    "--files",
    "files_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Куда скопировать вложения (по умолчанию — папка uploads рядом с копией базы).",
)
@with_appcontext
def backup_command(output: Path | None, files_dir: Path | None) -> None:
    """Резервная копия базы данных (SQLite — онлайн-копия, PostgreSQL — pg_dump) и вложений к отчётам.

    Копируются только файлы, у которых есть вложение в базе: осиротевшие (см. `flask files check`)
    в копию не попадают. Уже скопированные раньше файлы не копируются снова (имена не меняются).
    """
    url = _database_url()
    if url.get_backend_name() == "sqlite":
        source = _sqlite_file(url)
        if not source.exists():
            fail(f"файл базы данных {source} не найден.")
        output = output or _default_backup_path(".sqlite3")
        output.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, output)
    elif url.get_backend_name() == "postgresql":
        output = output or _default_backup_path(".dump")
        output.parent.mkdir(parents=True, exist_ok=True)
        args, env = _pg_env(url)
        command = [_pg_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-acl", "--file", str(output)]
        _run([*command, url.database or ""], env, "pg_dump завершился с ошибкой")
    else:
        fail(f"резервное копирование для {url.get_backend_name()} не поддерживается.")
    size = output.stat().st_size / 1024 / 1024
    click.echo(f"Резервная копия: {output} ({size:.1f} МБ)")
    files_dir = files_dir or output.parent / "uploads"
    copied, total = _copy_attachments(files_dir)
    click.echo(f"Вложения: {files_dir} (всего {total}, скопировано новых {copied})")


def _copy_attachments(target: Path) -> tuple[int, int]:
    """Copy the attachment files that have a row; stored names never change, so present ones are skipped."""
    from roadmap.extensions import db
    from roadmap.tasks.files import owned_files

    target.mkdir(parents=True, exist_ok=True)
    files = owned_files()
    # The read's transaction must not outlive the command: a restore may follow in the same process.
    db.session.remove()
    copied = 0
    for path in files:
        if not (target / path.name).exists():
            shutil.copy2(path, target / path.name)
            copied += 1
    return copied, len(files)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Не спрашивать подтверждения.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Восстановить базу данных из резервной копии (текущие данные будут заменены)."""
    from roadmap.extensions import db

    if not path.is_file():
        fail(f"файл {path} не найден.")
    url = _database_url()
    if not yes:
        click.confirm(f"Данные в базе {url.database} будут заменены копией {path}. Продолжить?", abort=True)
    header = path.read_bytes()[:16]
    db.engine.dispose()  # no pooled connection of ours may hold the database during the restore
    if url.get_backend_name() == "sqlite":
        if header != b"SQLite format 3\x00":
            fail(f"{path} — не резервная копия SQLite.")
        target = _sqlite_file(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(path, target)
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_env(url)
        if header.startswith(b"PGDMP"):
            command = [_pg_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--no-acl"]
            command += ["--single-transaction", "--exit-on-error", "--dbname", url.database or "", str(path)]
        else:  # a plain SQL dump
            command = [_pg_tool("psql"), *args, "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction"]
            command += ["--dbname", url.database or "", "--file", str(path)]
        _run(command, env, "восстановление завершилось с ошибкой")
    else:
        fail(f"восстановление для {url.get_backend_name()} не поддерживается.")
    click.echo(f"База данных восстановлена из {path}.")
