from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from roadmap import audit
from roadmap.accounts.service import AccountError, create_user, find_user, set_password
from roadmap.cli.common import fail
from roadmap.directory.territory import find_municipality
from roadmap.extensions import db
from roadmap.models import Organization, User

users = AppGroup("users", help="Пользователи.")


def _organization(name: str | None) -> Organization | None:
    if not name:
        return None
    org = None
    if name.isdigit():
        org = db.session.get(Organization, int(name))
    if org is None:
        org = db.session.scalar(select(Organization).where(Organization.short_name == name))
    if org is None:
        fail(f"организация «{name}» не найдена (укажите краткое наименование или номер).")
    return org


@users.command("create")
@click.argument("login")
@click.option("--name", "full_name", default="", help="ФИО.")
@click.option("--role", type=click.Choice(["admin", "coordinator", "executor", "observer"]), default="executor")
@click.option("--org", "org_name", help="Организация: краткое наименование или номер.")
@click.option("--email", default=None)
@click.option(
    "--municipality",
    "municipality_name",
    default=None,
    help="Муниципалитет координатора или наблюдателя (без него — весь регион).",
)
@click.password_option("--password", help="Пароль (спросит, если не указан).")
def create(login, full_name, role, org_name, email, municipality_name, password):
    """Создать пользователя."""
    place = None
    if municipality_name:
        place = find_municipality(municipality_name)
        if place is None:
            fail(f"муниципалитет «{municipality_name}» не найден: сначала загрузите справочник организаций.")
    try:
        user = create_user(
            login=login,
            full_name=full_name or login,
            password=password,
            role=role,
            organization=_organization(org_name),
            email=email,
            municipality=place,
        )
    except AccountError as exc:
        fail(str(exc))
    audit.record("user_saved", obj=user, summary=f"Создан из командной строки: {user.login}")
    db.session.commit()
    click.echo(f"Создан пользователь {user.login} ({user.role.label}).")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Вывести JSON.")
def list_users(as_json):
    """Список пользователей: логин, роль, организация."""
    rows = db.session.execute(
        select(User.login, User.full_name, User.role, Organization.short_name, User.is_active_account)
        .outerjoin(Organization, User.organization_id == Organization.id)
        .order_by(User.sort_key, User.id)
    ).all()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "login": r.login,
                        "full_name": r.full_name,
                        "role": r.role.value,
                        "organization": r.short_name,
                        "active": r.is_active_account,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for r in rows:
        suffix = "" if r.is_active_account else "\t(отключён)"
        click.echo(f"{r.login}\t{r.role.value}\t{r.short_name or '—'}{suffix}")


@users.command("set-password")
@click.argument("login")
@click.password_option("--password")
def set_password_command(login, password):
    """Задать пользователю новый пароль."""
    user = find_user(login)
    if user is None:
        fail(f"пользователь «{login}» не найден.")
    try:
        set_password(user, password)
    except AccountError as exc:
        fail(str(exc))
    audit.record("password_changed", obj=user, summary=f"Пароль задан из командной строки: {user.login}")
    db.session.commit()
    click.echo(f"Пароль пользователя {user.login} изменён.")


@users.command("unlock")
@click.argument("login")
def unlock_command(login):
    """Снять блокировку входа после неудачных попыток (например, с единственного администратора)."""
    from roadmap.accounts import throttle

    if throttle.locked_for(login) is None:
        fail(f"вход «{login}» не заблокирован.")
    throttle.clear_failures(login)
    audit.record("login_unlocked", summary=f"Блокировка входа снята из командной строки: {login[:100]}")
    db.session.commit()
    click.echo(f"Блокировка входа «{login}» снята.")


@users.command("end-sessions")
@click.argument("login")
def end_sessions_command(login):
    """Завершить все сеансы пользователя на всех устройствах."""
    from roadmap.accounts.sessions import end_all_sessions

    user = find_user(login)
    if user is None:
        fail(f"пользователь «{login}» не найден.")
    end_all_sessions(user)
    audit.record("sessions_ended", obj=user, summary=f"Сеансы завершены из командной строки: {user.login}")
    db.session.commit()
    click.echo(f"Все сеансы {user.login} завершены.")


def register(app: Flask) -> None:
    app.cli.add_command(users)
