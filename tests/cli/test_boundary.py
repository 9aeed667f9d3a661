"""The CLI's one error boundary: every command, with bad input, an unmigrated or an unreachable
database, answers one Russian line on stderr and exit status 2 — never a traceback.

Commands run through a real FlaskGroup (what the `flask` script is), on real databases; a few
run as real `flask` processes."""

from __future__ import annotations

import re
import subprocess

import click
import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup

from roadmap import create_app
from roadmap.extensions import db
from roadmap.plans.examples import example_docx
from tests.conftest import make_config
from tests.production.conftest import PROJECT_ROOT, VENV_BIN, free_port, fresh_database, subprocess_env

CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += leaf_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def run(app, args: list[str], stdin: str = ""):
    cli = FlaskGroup(create_app=lambda: app, load_dotenv=False)
    return CliRunner().invoke(cli, args, input=stdin, catch_exceptions=True)


def assert_one_russian_line(result, args) -> str:
    where = f"{' '.join(args)} → {result.exit_code}: {result.output!r}"
    assert result.exit_code == 2, where
    assert result.exception is None or isinstance(result.exception, SystemExit), where
    assert "Traceback" not in result.output and "Usage:" not in result.output, where
    assert "Aborted!" not in result.output, where
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, where
    assert lines[0].startswith("Ошибка: ") and CYRILLIC.search(lines[0][8:]), where
    return lines[0]


@pytest.fixture
def files(tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("Полное наименование;Краткое наименование;Тип;Муниципалитет\nШкола № 1;СОШ 1;школа;г. Тест\n")
    plan = tmp_path / "plan.docx"
    plan.write_bytes(example_docx(2026))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup")
    return {"orgs": str(orgs), "plan": str(plan), "junk": str(junk), "out": str(tmp_path / "copy.sqlite3")}


def valid_args(files) -> dict[tuple[str, ...], list[str]]:
    """Arguments that pass parsing, so the command reaches the database."""
    return {
        ("users", "create"): ["x1", "--role", "admin", "--password", "secret2026"],
        ("users", "list"): [],
        ("users", "set-password"): ["x1", "--password", "secret2026"],
        ("users", "unlock"): ["x1"],
        ("users", "end-sessions"): ["x1"],
        ("orgs", "import"): [files["orgs"]],
        ("demo",): [],
        ("roadmap", "import"): [files["plan"], "--dry-run"],
        ("roadmap", "generate"): ["1"],
        ("roadmap", "publish"): ["1"],
        ("roadmap", "list"): [],
        ("feeds", "url"): ["--user", "x1"],
        ("feeds", "tallies"): [],
        ("reminders", "send"): ["--dry-run"],
        ("worker",): ["--burst"],
        ("restore",): [files["junk"], "--yes"],
        ("api", "token"): ["--user", "x1"],
        ("api", "tokens"): ["--user", "x1"],
        ("api", "revoke"): ["1"],
    }


# Commands that need no database, or write files of the project (db init/revision/migrate/edit/
# merge would add migration files), are left out of the database runs; db upgrade migrates an
# unmigrated database, which is its job.
NO_DATABASE = (
    {("schedule",), ("backup",)}
    | {("db", name) for name in ("list-templates", "heads", "history", "branches", "show")}
    # flask-smorest's OpenAPI document commands read the routes, not the database
    | {("openapi", name) for name in ("print", "write", "list-config-prefixes")}
)
WRITES_PROJECT = {("db", "init"), ("db", "revision"), ("db", "migrate"), ("db", "edit"), ("db", "merge")}


@pytest.fixture
def unmigrated_app(tmp_path):
    with fresh_database(tmp_path, "unmigrated") as url:
        app = create_app(make_config(tmp_path, url))
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def unreachable_app(tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    return create_app(make_config(tmp_path, url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))


def test_every_command_refuses_an_unknown_option_in_russian(unmigrated_app):
    commands = leaf_commands(unmigrated_app.cli)
    assert len(commands) >= 25 and ("users", "create") in commands and ("db", "upgrade") in commands
    for command in commands:
        args = [*command, "--no-such-option"]
        line = assert_one_russian_line(run(unmigrated_app, args), args)
        assert "--no-such-option" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no-such-command"], "нет такой команды «no-such-command»"),
        (["users", "no-such-command"], "нет такой команды «no-such-command»"),
        (["users", "create"], "не указан аргумент LOGIN"),
        (["users", "create", "x1", "--role", "boss"], "допустимо admin, coordinator, executor, observer"),
        (["roadmap", "generate", "seven"], "нужно целое число"),
        (["users", "list", "extra"], "лишние аргументы: extra"),
        (["feeds", "url", "--user"], "параметру --user нужно значение"),
        (["feeds", "url"], "не указан параметр --user"),
        (["schedule", "--period", "2026"], "период"),
        (["users", "create", "x1", "--role", "admin"], "операция отменена"),  # the password prompt meets EOF
        (["restore", "/etc/hostname"], "операция отменена"),  # the confirmation meets EOF
        (["orgs", "import", "/tmp"], "это папка, а не файл"),
    ],
)
def test_usage_errors_and_aborts_are_one_russian_line(unmigrated_app, args, expected):
    assert expected in assert_one_russian_line(run(unmigrated_app, args), args)


def test_every_database_command_on_an_unmigrated_database(unmigrated_app, files):
    table = valid_args(files)
    checked = 0
    for command in leaf_commands(unmigrated_app.cli):
        if command in NO_DATABASE | WRITES_PROJECT or command[0] == "db":
            continue
        args = [*command, *table.get(command, [])]
        line = assert_one_russian_line(run(unmigrated_app, args), args)
        if command not in {("worker",), ("restore",)}:  # no REDIS_URL; not a backup
            assert "flask --app wsgi db upgrade" in line, args
        checked += 1
    assert checked >= 15


def test_every_command_on_an_unreachable_database(unreachable_app, files):
    table = valid_args(files)
    checked = 0
    for command in leaf_commands(unreachable_app.cli):
        if command in NO_DATABASE - {("backup",)} or command in WRITES_PROJECT:
            continue
        args = [*command, *table.get(command, [])]
        line = assert_one_russian_line(run(unreachable_app, args), args)
        if command == ("worker",):
            assert "Redis недоступен" in line
        else:
            assert "база данных недоступна" in line, args
        checked += 1
    assert checked >= 21


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["db", "check"], "не на последней миграции: выполните «flask --app wsgi db upgrade»"),
        (["db", "downgrade"], "откатывать некуда"),
        (["db", "stamp", "nosuch"], "нет такой миграции: nosuch"),
        (["db", "show", "nosuch"], "нет такой миграции: nosuch"),
        (["db", "upgrade", "nosuch"], "нет такой миграции: nosuch"),
    ],
)
def test_migration_errors_are_one_russian_line(unmigrated_app, args, expected):
    """Flask-Migrate's own English «Error: …» and status 1 become the boundary's line and 2."""
    assert expected in assert_one_russian_line(run(unmigrated_app, args), args)


def test_unwritable_backup_path(unmigrated_app):
    with unmigrated_app.app_context():
        db.engine.connect().close()  # the SQLite file exists, so the copy gets as far as writing
    args = ["backup", "--output", "/proc/no/such/dir/copy.sqlite3"]
    assert "не удалось работать с путём" in assert_one_russian_line(run(unmigrated_app, args), args)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["users", "list"], "база данных"),
        (["users", "create", "x1", "--role", "boss"], "допустимо admin"),
        (["nosuch"], "нет такой команды"),
    ],
)
def test_the_real_flask_script(tmp_path, args, expected):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    completed = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=subprocess_env(url, tmp_path),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert completed.returncode == 2, completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in completed.stderr, completed.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL не разобран"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "mysql не поддерживается"),
        ({"DATABASE_URL": "postgresql://u@h:port/db"}, "DATABASE_URL не разобран"),
        ({"MAIL_PORT": "двадцать пять"}, "MAIL_PORT должен быть целым числом"),
        ({"PROXY_FIX": "many"}, "PROXY_FIX"),
        ({"ROADMAP_ENV": "production", "SECRET_KEY": ""}, "SECRET_KEY не задан"),
        ({"SECRET_KEY": "", "ROADMAP_INSTANCE": "/proc/no-instance"}, "задайте SECRET_KEY"),
    ],
)
def test_a_setting_that_cannot_work_is_one_line(tmp_path, env, expected):
    """The app fails to load before any command runs: wsgi.py says which setting, in one line."""
    environment = subprocess_env(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path)
    environment.update(env)
    completed = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "users", "list"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert completed.returncode == 2, completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Ошибка: ") and expected in lines[0], completed.stderr
