from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from roadmap import audit
from roadmap.cli.common import fail
from roadmap.directory.service import DirectoryImportError, import_organizations
from roadmap.extensions import db

orgs = AppGroup("orgs", help="Организации.")


@orgs.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Загрузить организации из CSV или XLSX (всё или ничего)."""
    try:
        data = file.read_bytes()
    except OSError:
        fail(f"не удалось прочитать файл {file}.")
    try:
        result = import_organizations(data, file.name)
    except DirectoryImportError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        fail(exc.message)
    audit.record("organizations_imported", summary=f"Импорт организаций из {file.name}")
    db.session.commit()
    grades = f", контингент по классам: {result.contingents}" if result.contingents else ""
    click.echo(f"Новых организаций: {result.created}, обновлено: {result.updated}{grades}.")


def register(app: Flask) -> None:
    app.cli.add_command(orgs)
