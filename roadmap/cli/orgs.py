from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from roadmap import audit
from roadmap.cli.common import fail
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
    db.session.commit()
    grades = f", контингент по классам: {result.contingents}" if result.contingents else ""
    click.echo(
        f"Новых организаций: {result.created}, обновлено: {result.updated}, "
        f"новых муниципалитетов: {result.municipalities_created}{grades}."
    )


def register(app: Flask) -> None:
    app.cli.add_command(orgs)
