from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from roadmap import audit
from roadmap.cli.common import fail
from roadmap.directory.cascade import ensure_cascade_groups
from roadmap.directory.service import DirectoryImportError, import_organizations
from roadmap.directory.territory import TerritoryError, region_named
from roadmap.extensions import db

orgs = AppGroup("orgs", help="Организации.")


@orgs.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--region",
    "region_name",
    default=None,
    help="Регион, чьи организации в файле (по умолчанию — единственный регион базы; новый будет создан).",
)
def import_command(file: Path, region_name: str | None):
    """Загрузить организации из CSV или XLSX (всё или ничего).

    Столбцы «Муниципалитет» и (необязательно) «ОКТМО» относят организацию к муниципалитету
    региона; пустой муниципалитет — организация самого региона (министерство, колледжи, вузы)."""
    try:
        data = file.read_bytes()
    except OSError:
        fail(f"не удалось прочитать файл {file}.")
    try:
        region = region_named(region_name) if region_name else None
    except TerritoryError as exc:
        fail(str(exc))
    try:
        result = import_organizations(data, file.name, region=region)
    except DirectoryImportError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        fail(exc.message)
    audit.record("organizations_imported", summary=f"Импорт организаций из {file.name}")
    # A region's directory: the groups its regional roadmaps assign measures to.
    cascade = ensure_cascade_groups(region) if region is not None else None
    db.session.commit()
    grades = f", контингент по классам: {result.contingents}" if result.contingents else ""
    click.echo(
        f"Новых организаций: {result.created}, обновлено: {result.updated}, "
        f"новых муниципалитетов: {result.municipalities_created}{grades}."
    )
    if cascade is not None:
        _echo_cascade(cascade)


@orgs.command("cascade-groups")
def cascade_groups_command():
    """Создать группы каскада региона: «Все муниципальные центры», «Все школы края», «Школы
    муниципалитета …» и «Муниципалитет …» (его методический центр) для каждого муниципалитета."""
    result = ensure_cascade_groups()
    audit.record("cascade_groups_ensured", summary=f"Группы каскада: создано {result.groups_created}")
    db.session.commit()
    _echo_cascade(result)


def _echo_cascade(result) -> None:
    click.echo(f"Групп каскада создано: {result.groups_created}, псевдонимов: {result.aliases_created}.")
    if result.aliases_taken:
        click.echo("Уже означают другое и оставлены как есть: " + "; ".join(result.aliases_taken) + ".")


def register(app: Flask) -> None:
    app.cli.add_command(orgs)
