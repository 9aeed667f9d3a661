"""`flask files check`: attachment files on disk against their rows."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from roadmap.cli.common import OneLineErrors


def register(app: Flask) -> None:
    app.cli.add_command(files_group)


@click.group("files", help="Файлы вложений к отчётам.")
def files_group() -> None:
    pass


@files_group.command("check", cls=OneLineErrors)
@click.option("--delete", is_flag=True, help="Удалить файлы, которым не соответствует ни одно вложение.")
@with_appcontext
def check_command(delete: bool) -> None:
    """Найти файлы без вложения в базе и вложения без файла на диске.

    Код выхода: 0 — расхождений нет; 1 — расхождения найдены (и с --delete, даже если лишние
    файлы удалены: их появление — повод разобраться); 2 — неверный вызов.
    Загрузки моложе часа (временные файлы запросов, которые ещё идут) не считаются лишними.
    """
    from roadmap.tasks.files import check_files

    result = check_files()
    for path in result.orphans:
        if delete:
            path.unlink(missing_ok=True)
            click.echo(f"удалён файл без вложения: {path.name}")
        else:
            click.echo(f"файл без вложения: {path.name}")
    for row_id, name in result.missing:
        click.echo(f"вложение {row_id} без файла: {name}")
    for path in result.in_flight:
        click.echo(f"загружается сейчас (не трогаем): {path.name}")
    if result.clean:
        click.echo("Расхождений нет: у каждого файла есть вложение, у каждого вложения — файл.")
        return
    verb = "удалено" if delete else "найдено"
    click.echo(
        f"Итого: файлов без вложения {verb} {len(result.orphans)}, вложений без файла {len(result.missing)}.",
        err=True,
    )
    sys.exit(1)
