"""`flask --app wsgi api token|tokens|revoke`: personal API keys from the command line."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from roadmap.accounts.api_tokens import TokenError, create_api_token, revoke_api_token, user_tokens
from roadmap.accounts.service import find_user
from roadmap.cli.common import fail
from roadmap.clock import local_time
from roadmap.extensions import db
from roadmap.models import ApiToken


def register(app: Flask) -> None:
    app.cli.add_command(api_group)


@click.group("api", help="Ключи API для информационных систем.")
def api_group() -> None:
    pass


def _user(login: str):
    user = find_user(login)
    if user is None:
        fail(f"пользователь «{login}» не найден")
    return user


@api_group.command("token")
@click.option("--user", "login", required=True, help="Логин пользователя, от имени которого действует ключ.")
@click.option("--name", default="API", show_default=True, help="Название ключа (видно на странице «Ключи API»).")
@click.option("--read-only", is_flag=True, help="Только чтение: изменять данные ключом нельзя.")
def token_command(login: str, name: str, read_only: bool):
    """Создать ключ API и напечатать его (один раз: он нигде не хранится)."""
    user = _user(login)
    try:
        issued = create_api_token(user, name, read_only=read_only)
    except TokenError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(issued.secret)
    kind = "только чтение" if read_only else "чтение и изменения"
    click.echo(
        f"Ключ «{issued.token.name}» ({kind}) для {user.login}. Сохраните его: показать ещё раз нельзя.", err=True
    )


@api_group.command("tokens")
@click.option("--user", "login", required=True, help="Логин пользователя.")
def tokens_command(login: str):
    """Ключи пользователя: номер, название, начало ключа, права, последнее использование."""
    for token in user_tokens(_user(login)):
        used = f"{local_time(token.last_used_at):%d.%m.%Y %H:%M}" if token.last_used_at else "не использовался"
        state = "отозван" if token.revoked_at else ("только чтение" if token.is_read_only else "чтение и изменения")
        click.echo(f"{token.id}\t{token.name}\t{token.prefix}…\t{state}\t{used}")


@api_group.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int):
    """Отозвать ключ по номеру (из `api tokens`): он перестаёт действовать сразу."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id))
    if token is None:
        fail(f"ключ № {token_id} не найден")
    try:
        revoke_api_token(token, None)
    except TokenError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"Ключ «{token.name}» отозван.")
