"""`flask feeds url`: print a calendar feed URL for a user; `flask feeds tallies`: check (and
repair) the occurrence tallies aggregated feeds read."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from roadmap.accounts.service import find_user
from roadmap.cli.common import fail
from roadmap.extensions import db
from roadmap.feeds.query import resolve_scope
from roadmap.feeds.service import SubscriptionError, check_tallies, cli_subscription, recount_tallies
from roadmap.feeds.site import DEVELOPMENT_BASE_URL, configured_base_url, feed_url
from roadmap.models import Organization, Role, SubscriptionKind

feeds = AppGroup("feeds", help="Подписки на календарь.")


def _organization_id(value: str | None) -> int | None:
    if not value:
        return None
    org = db.session.get(Organization, int(value)) if value.isdigit() else None
    if org is None:
        org = db.session.scalar(select(Organization).where(Organization.short_name == value))
    if org is None:
        fail(f"организация «{value}» не найдена (укажите краткое наименование или номер).")
    return org.id


@feeds.command("url")
@click.option("--user", "login", required=True, help="Логин пользователя.")
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in SubscriptionKind]),
    default=SubscriptionKind.PERSONAL.value,
    show_default=True,
    help="Мои задачи, задачи организации или одна дорожная карта.",
)
@click.option("--roadmap", "roadmap_id", type=int, help="Номер дорожной карты (для --kind roadmap).")
@click.option("--org", "org_name", help="Организация (для --kind organization; координатор или наблюдатель).")
def url(login, kind, roadmap_id, org_name):
    """Напечатать адрес календаря пользователя.

    Подписка «Командная строка» создаётся при первом вызове; её адрес выводится из
    SECRET_KEY, поэтому повторный вызов печатает тот же адрес. Если SECRET_KEY сменился,
    создаётся новая подписка (старую можно отозвать на странице «Подписка на календарь»).
    """
    user = find_user(login)
    if user is None:
        fail(f"пользователь «{login}» не найден.")
    if not user.is_active_account:
        fail(f"учётная запись «{login}» отключена.")
    if kind == SubscriptionKind.ROADMAP and roadmap_id is None:
        fail("для --kind roadmap укажите --roadmap НОМЕР.")
    if kind == SubscriptionKind.ORGANIZATION and org_name and user.role == Role.EXECUTOR:
        fail("исполнитель подписывается только на свою организацию; уберите --org.")
    target = roadmap_id if kind == SubscriptionKind.ROADMAP else _organization_id(org_name)
    if kind == SubscriptionKind.PERSONAL and user.role == Role.EXECUTOR and user.organization_id is None:
        fail(f"у пользователя «{login}» не указана организация.")
    base = configured_base_url(current_app.config)
    if base is None:
        if current_app.config.get("PRODUCTION"):
            fail("не задан адрес сайта: укажите FEED_BASE_URL (например https://roadmap.example.ru) или SERVER_NAME.")
        # Development: the address `make run` serves.
        base = DEVELOPMENT_BASE_URL
    try:
        subscription, token, created = cli_subscription(user, kind, target, current_app.config["SECRET_KEY"])
    except SubscriptionError as exc:
        fail(str(exc).rstrip(".").lower() + ".")
    if resolve_scope(subscription) is None:
        fail(f"пользователю «{login}» этот календарь недоступен.")
    db.session.commit()
    click.echo(feed_url(current_app, token, base))
    if created:
        click.echo(f"Создана подписка «{subscription.name}» (№ {subscription.id}).", err=True)


@feeds.command("tallies")
@click.option("--recount", is_flag=True, help="Пересчитать итоги всех дорожных карт по задачам.")
def tallies(recount):
    """Сверить итоги по срокам (из них строятся сводные календари) с задачами.

    Без --recount ничего не меняет: если итоги разошлись с задачами, печатает, в каких дорожных
    картах, и завершается с кодом 2. С --recount пересчитывает итоги всех дорожных карт.
    """
    if recount:
        counted = recount_tallies()
        db.session.commit()
        click.echo(f"Итоги по срокам пересчитаны по задачам: дорожных карт {len(counted)}.")
        return
    found = check_tallies()
    if not found.in_step:
        numbers = ", ".join(f"№ {roadmap_id}" for roadmap_id in found.roadmap_ids)
        fail(
            f"итоги разошлись с задачами у сроков мероприятий: {found.wrong} (дорожные карты {numbers}); "
            "выполните flask feeds tallies --recount."
        )
    click.echo(f"Итоги по срокам сходятся с задачами (записей: {found.kept}).")


def register(app: Flask) -> None:
    app.cli.add_command(feeds)
