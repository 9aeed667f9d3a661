from __future__ import annotations

import click
from flask import Flask

from roadmap.cli.common import fail
from roadmap.demo import DemoRefused, is_empty, load_demo
from roadmap.extensions import db


@click.command("demo")
@click.option("--force", is_flag=True, help="Дополнить базу демо-данными, даже если в ней есть другие данные.")
@click.option("--if-empty", is_flag=True, help="Загружать только в пустую базу (для make run).")
@click.option(
    "--region",
    "region",
    is_flag=True,
    help="Демонстрационный регион: г. Краснодар и ещё два муниципалитета, министерство, пользователи всех ролей "
    "(региональные и муниципальные).",
)
def demo_command(force: bool, if_empty: bool, region: bool):
    """Загрузить демонстрационный муниципалитет (или регион) и пользователей всех ролей."""
    if if_empty and not is_empty():
        click.echo("База не пуста: демо-данные не загружались.")
        return
    if region:
        _load_region(force)
        return
    try:
        accounts = load_demo(force=force)
    except DemoRefused as exc:
        db.session.rollback()
        fail(str(exc))
    db.session.commit()
    click.echo("Демо-данные загружены. Пользователи (логин / пароль / роль / организация):")
    for account in accounts:
        click.echo(
            f"  {account.login:<14} {account.password:<10} {account.role.label:<12} {account.organization or '—'}"
        )


def _load_region(force: bool) -> None:
    from roadmap.demo_region import load_demo_region

    try:
        accounts = load_demo_region(force=force)
    except DemoRefused as exc:
        db.session.rollback()
        fail(str(exc))
    db.session.commit()
    click.echo("Демо-регион загружен. Пользователи (логин / пароль / роль / территория / организация):")
    for account, territory in accounts:
        click.echo(
            f"  {account.login:<20} {account.password:<10} {account.role.label:<12} {territory:<18} "
            f"{account.organization or '—'}"
        )


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
