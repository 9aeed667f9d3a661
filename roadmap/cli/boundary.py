"""The one error boundary of the command line.

Every command of `app.cli` (now and added later) passes through `BoundaryGroup.get_command`,
which guards its parsing and its run: Click's usage errors, aborted prompts, an unreachable or
unmigrated database, unwritable paths and any unexpected failure become one Russian line on
stderr and exit status 2 — never Click's English usage block, «Aborted!» or a traceback.
Set FLASK_DEBUG=1 to see the traceback of an unexpected failure.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os

import click
from flask import Flask
from flask.cli import AppGroup

from roadmap.cli.common import CliError
from roadmap.health import UPGRADE_HINT

logger = logging.getLogger(__name__)

_GUARDED = "_roadmap_guarded"

_ERRNO = {
    errno.EACCES: "нет прав доступа",
    errno.EPERM: "нет прав доступа",
    errno.ENOENT: "нет такого файла или папки",
    errno.EISDIR: "это папка, а не файл",
    errno.ENOTDIR: "часть пути — не папка",
    errno.ENOSPC: "нет места на диске",
    errno.EROFS: "файловая система доступна только для чтения",
    errno.EEXIST: "файл уже существует",
    errno.ENAMETOOLONG: "слишком длинное имя",
}


class BoundaryGroup(AppGroup):
    """`app.cli`: hands out its commands guarded; an unknown name is a Russian error too."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            return _unknown_command(cmd_name, sorted(self.commands))
        return guard(command)


def install_boundary(app: Flask) -> None:
    """Replace `app.cli` by a BoundaryGroup keeping what was registered so far."""
    if isinstance(app.cli, BoundaryGroup):
        return
    group = BoundaryGroup(app.cli.name, help=app.cli.help)
    for name, command in app.cli.commands.items():
        group.add_command(command, name)
    app.cli = group


def guard(command: click.Command) -> click.Command:
    """Wrap the command's parsing and run (a group's run includes its subcommands') once."""
    if getattr(command, _GUARDED, False):
        return command
    command.make_context = _guarded(command.make_context)  # type: ignore[method-assign]
    command.invoke = _guarded(command.invoke)  # type: ignore[method-assign]
    setattr(command, _GUARDED, True)
    return command


class _MigrateErrors(logging.Filter):
    """Flask-Migrate logs alembic's error in English and exits with status 1: keep the message
    (and keep it off stderr) so that the boundary can say it in Russian with status 2."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            self.messages.append(record.getMessage().removeprefix("Error: "))
            return False
        return True


_MIGRATION_ERRORS = (
    ("Target database is not up to date", f"схема базы данных не на последней миграции: {UPGRADE_HINT}"),
    ("Can't locate revision identified by", "нет такой миграции: {rest}"),
    ("didn't produce", "откатывать некуда: в базе нет столько применённых миграций"),
    ("New upgrade operations detected", "модели и миграции расходятся: нужна новая миграция"),
    ("Directory migrations already exists", "папка migrations уже есть"),
)


def migration_message(text: str) -> str:
    for english, russian in _MIGRATION_ERRORS:
        if english in text:
            return russian.format(rest=text.split(english, 1)[1].strip(" '.")) + "."
    return f"миграции: {text}"


def _guarded(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        migrate_log = logging.getLogger("flask_migrate")
        migrate_errors = _MigrateErrors()
        migrate_log.addFilter(migrate_errors)
        try:
            return function(*args, **kwargs)
        except (click.exceptions.Exit, CliError):
            raise
        except BaseException as exc:  # noqa: BLE001  (the boundary: everything becomes one line)
            if isinstance(exc, SystemExit) and exc.code == 1 and migrate_errors.messages:
                raise CliError(migration_message(migrate_errors.messages[-1])) from None
            if isinstance(exc, SystemExit | GeneratorExit):
                raise
            message = explain(exc)
            if message is None:
                raise
            _rollback()
            if os.environ.get("FLASK_DEBUG") == "1" and not isinstance(exc, click.ClickException | click.Abort):
                raise
            raise CliError(message) from exc
        finally:
            migrate_log.removeFilter(migrate_errors)

    return wrapper


def explain(exc: BaseException) -> str | None:
    """One Russian sentence for a failure; None for what must pass unchanged."""
    if isinstance(exc, click.UsageError):
        return usage_message(exc)
    if isinstance(exc, click.Abort | EOFError | KeyboardInterrupt):
        return "операция отменена: ответ на вопрос не получен (без вопросов — с параметрами, см. --help)."
    if isinstance(exc, click.FileError):
        return f"не удалось открыть файл {exc.ui_filename}."
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        return database_message(exc)
    if isinstance(exc, OSError):
        return os_message(exc)
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover
        RedisError = ()  # noqa: N806
    if RedisError and isinstance(exc, RedisError):
        return f"Redis недоступен: {exc}."
    if isinstance(exc, Exception):
        logger.error("command failed", exc_info=exc)
        return f"внутренняя ошибка ({type(exc).__name__}); подробности — с FLASK_DEBUG=1."
    return None


def database_message(exc: BaseException) -> str:
    from flask import has_app_context

    from roadmap.health import database_problem

    if has_app_context():
        from roadmap.extensions import db

        problem = database_problem(db.engine)
        if problem is not None:
            return problem[1] + "."
    return f"ошибка базы данных ({type(exc).__name__}); проверьте DATABASE_URL и «flask --app wsgi db upgrade»."


def os_message(exc: OSError) -> str:
    reason = _ERRNO.get(exc.errno or 0) or (exc.strerror or type(exc).__name__)
    if exc.filename:
        return f"не удалось работать с путём {exc.filename}: {reason}."
    return f"ошибка ввода-вывода: {reason}."


def usage_message(exc: click.UsageError) -> str:
    """Click's usage errors, said in Russian with a pointer to --help."""
    ctx = exc.ctx
    words = (ctx.command_path if ctx is not None else "flask").split()
    hint = f" Справка: {' '.join(['flask --app wsgi', *words[1:]])} --help"
    if isinstance(exc, click.exceptions.NoSuchOption):
        similar = f" (может быть, {', '.join(exc.possibilities)}?)" if exc.possibilities else ""
        return f"неизвестный параметр {exc.option_name}{similar}.{hint}"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        return f"нет такой команды «{exc.command_name}».{hint}"
    if isinstance(exc, click.MissingParameter):
        return f"не указан {_param_hint(exc, 'аргумент', 'параметр')}.{hint}"
    if isinstance(exc, click.BadParameter):
        hint_text = _param_hint(exc, "аргумента", "параметра")
        return f"неверное значение {hint_text}: {_type_expectation(exc.param, exc.message)}.{hint}"
    if isinstance(exc, click.BadOptionUsage):
        return f"параметру {exc.option_name} нужно значение.{hint}"
    text = exc.message
    if text.startswith("Got unexpected extra argument"):
        extra = text[text.find("(") + 1 : text.rfind(")")] if "(" in text else ""
        return f"лишние аргументы: {extra}.{hint}"
    if text.startswith("No such command"):
        return f"нет такой команды: {text.split(' ', 3)[-1].strip('.')}.{hint}"
    return f"неверный вызов команды.{hint}"


def _param_hint(exc: click.BadParameter, argument: str, option: str) -> str:
    param = exc.param
    if exc.param_hint:
        names = exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint)
    elif param is not None:
        names = param.get_error_hint(exc.ctx) if exc.ctx else (param.name or "")
    else:
        names = ""
    names = names.replace("'", "")
    if param is not None and param.param_type_name == "argument":
        return f"{argument} {names}"
    return f"{option} {names}" if names else option


_PATH_PROBLEMS = (
    ("is a directory", "это папка, а не файл"),
    ("is a file", "это файл, а не папка"),
    ("does not exist", "нет такого файла или папки"),
    ("is not writable", "нет прав на запись"),
    ("is not readable", "нет прав на чтение"),
)


def _type_expectation(param: click.Parameter | None, message: str = "") -> str:
    if param is None:
        return "значение не подходит"
    kind = param.type
    if isinstance(kind, click.Choice):
        return "допустимо " + ", ".join(str(choice) for choice in kind.choices)
    if isinstance(kind, click.types.IntParamType):
        return "нужно целое число"
    if isinstance(kind, click.types.FloatParamType):
        return "нужно число"
    if isinstance(kind, click.types.BoolParamType):
        return "нужно yes или no"
    if isinstance(kind, click.DateTime):
        return "нужна дата ГГГГ-ММ-ДД"
    if isinstance(kind, click.Path):
        for english, russian in _PATH_PROBLEMS:
            if english in message:
                return russian
        return "путь не подходит (нет такого файла, папки или прав доступа)"
    if isinstance(kind, click.File):
        return "файл нельзя открыть"
    return "значение не подходит"


def _unknown_command(name: str, known: list[str]) -> click.Command:
    @click.command(name, add_help_option=False, context_settings={"ignore_unknown_options": True})
    @click.argument("rest", nargs=-1, type=click.UNPROCESSED)
    def unknown(rest):
        raise CliError(f"нет такой команды «{name}». Команды: {', '.join(known)}; справка: flask --app wsgi --help")

    return unknown


def _rollback() -> None:
    from flask import has_app_context

    if not has_app_context():
        return
    from roadmap.extensions import db

    with contextlib.suppress(Exception):  # a broken connection must not hide the first error
        db.session.rollback()
