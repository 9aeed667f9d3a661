"""Calendar subscriptions: tokens, creation, listing, revocation, last use. The caller commits.

Each subscription has its own random token (``secrets.token_urlsafe(32)``: 256 bits). Only its
SHA-256 is stored; the token is shown once, when the subscription is created. Revoking one
subscription leaves the user's others working (one per device or calendar).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from roadmap import audit
from roadmap.extensions import db
from roadmap.feeds.options import FeedOptions, stored_options
from roadmap.models import (
    OccurrenceTally,
    Organization,
    Roadmap,
    Role,
    Subscription,
    SubscriptionKind,
    User,
    utcnow,
)
from roadmap.models.task import lock_feed_counters, refresh_tallies, tally_drift
from roadmap.russian import truncate

__all__ = [
    "KINDS",
    "CLI_NAME",
    "SubscriptionError",
    "chosen_target",
    "cli_subscription",
    "create_subscription",
    "find_subscription",
    "hash_token",
    "last_use_due",
    "list_subscriptions",
    "new_token",
    "options_summary",
    "own_subscription",
    "revoke_subscription",
    "target_label",
    "touch",
]

KINDS = {kind: kind.label for kind in SubscriptionKind}
CLI_NAME = "Командная строка"
# Stored in the options of an executor's roadmap subscription: the organization it was made for.
ORG_KEY = "_organization_id"
# Writing last_used_at on every poll would turn each cheap 304 into a write.
LAST_USED_RESOLUTION = timedelta(minutes=15)
# Longest token we look up; real ones are 43 characters.
MAX_TOKEN_LENGTH = 100


class SubscriptionError(ValueError):
    """A subscription that cannot be created; ``str(error)`` is a Russian reason."""


def new_token() -> str:
    """A fresh URL-safe token of 256 random bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def derived_token(secret_key: str, salt: str) -> str:
    """A token the command line can recompute: HMAC-SHA256 of a per-subscription salt.

    Only someone holding SECRET_KEY (who could forge sessions anyway) can derive it.
    """
    digest = hmac.new(secret_key.encode("utf-8"), f"roadmap-feed-cli:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def default_target(user: User, kind: str) -> int | None:
    """The target remembered for a personal or organization feed: the user's organization.

    Remembering it is what makes a user moved to another organization lose the old feed
    instead of silently receiving the new organization's tasks under the old URL.
    """
    return user.organization_id if kind in (SubscriptionKind.PERSONAL, SubscriptionKind.ORGANIZATION) else None


def check_target(user: User, kind: str, target_id: int | None) -> int | None:
    """Validate the kind and target for ``user``; return the target to store."""
    if kind not in KINDS:
        raise SubscriptionError("Неизвестный вид подписки.")
    if kind == SubscriptionKind.PERSONAL:
        return default_target(user, kind)
    if kind == SubscriptionKind.ORGANIZATION:
        # An executor's organization feed is their own organization's; naming another one is
        # refused below like a missing one (the page offers no choice, the API may be sent one).
        if target_id is None:
            target_id = user.organization_id
        if target_id is None:
            raise SubscriptionError("Выберите организацию.")
        from roadmap.tasks.access import can_follow_organization

        org = db.session.get(Organization, target_id)
        if org is None or not can_follow_organization(user, org):
            raise SubscriptionError("Организация не найдена.")
        return org.id
    if target_id is None:
        raise SubscriptionError("Выберите дорожную карту.")
    from roadmap.feeds.query import roadmap_visible

    roadmap = db.session.get(Roadmap, target_id)
    if roadmap is None or not roadmap_visible(user, roadmap):
        raise SubscriptionError("Дорожная карта не найдена или недоступна.")
    return roadmap.id


def chosen_target(kind: str, *, organization_id: int | None, roadmap_id: int | None) -> int | None:
    """The target the subscription form (or an API request) names for its kind: the roadmap of
    a roadmap feed, the organization of an organization feed, nothing for a personal one."""
    if kind == SubscriptionKind.ROADMAP:
        return roadmap_id or None
    if kind == SubscriptionKind.ORGANIZATION:
        return organization_id or None
    return None


def create_subscription(
    user: User,
    *,
    name: str,
    kind: str = SubscriptionKind.PERSONAL,
    target_id: int | None = None,
    options: FeedOptions | None = None,
    token: str | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[Subscription, str]:
    """Create a subscription; return it and its token (the only time the token is known)."""
    name = " ".join(name.split())[:100]
    if not name:
        raise SubscriptionError("Укажите название подписки.")
    target = check_target(user, kind, target_id)
    token = token or new_token()
    data: dict[str, Any] = (options or FeedOptions()).to_params()
    if kind == SubscriptionKind.ROADMAP and user.role == Role.EXECUTOR:
        # An executor's roadmap feed shows their organization's tasks: remember which one.
        data[ORG_KEY] = user.organization_id
    data.update(extra or {})
    subscription = Subscription(
        user_id=user.id,
        name=name,
        token_hash=hash_token(token),
        kind=kind,
        target_id=target,
        options=data,
    )
    db.session.add(subscription)
    db.session.flush()
    audit.record(
        "subscription_created",
        user=user,
        obj=subscription,
        summary=f"Подписка на календарь «{subscription.name}» ({subscription.kind.label.lower()}) для {user.login}",
    )
    return subscription, token


def list_subscriptions(user: User, *, include_revoked: bool = False) -> list[Subscription]:
    stmt = select(Subscription).where(Subscription.user_id == user.id)
    if not include_revoked:
        stmt = stmt.where(Subscription.revoked_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Subscription.created_at.desc(), Subscription.id.desc())))


def own_subscription(user: User, subscription_id: int) -> Subscription | None:
    """One of the user's live subscriptions; None when it is missing, revoked or somebody else's
    (all three answer alike: a missing page, a 404)."""
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or subscription.user_id != user.id or subscription.revoked_at is not None:
        return None
    return subscription


def revoke_subscription(user: User, subscription_id: int) -> Subscription | None:
    """Revoke one of the user's subscriptions; None when it is not theirs or already revoked."""
    subscription = own_subscription(user, subscription_id)
    if subscription is None:
        return None
    subscription.revoked_at = utcnow()
    db.session.flush()
    audit.record(
        "subscription_revoked",
        user=user,
        obj=subscription,
        summary=f"Подписка на календарь «{subscription.name}» отозвана",
    )
    return subscription


def target_label(subscription: Subscription) -> str:
    """What a roadmap or organization subscription shows, in words (empty for a personal one)."""
    if subscription.kind == SubscriptionKind.ROADMAP and subscription.target_id:
        roadmap = db.session.get(Roadmap, subscription.target_id)
        return truncate(roadmap.title, 120) if roadmap else "дорожная карта удалена"
    if subscription.kind == SubscriptionKind.ORGANIZATION and subscription.target_id:
        org = db.session.get(Organization, subscription.target_id)
        return org.short_name if org else "организация удалена"
    return ""


def options_summary(subscription: Subscription) -> str:
    """The subscription's options in one Russian line, as its list shows them."""
    return stored_options(subscription.options).summary()


def find_subscription(token: str) -> Subscription | None:
    """The live subscription of a token, its user loaded; None for unknown or revoked tokens."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    stmt = (
        select(Subscription)
        .join(User, User.id == Subscription.user_id)
        .where(Subscription.token_hash == hash_token(token), Subscription.revoked_at.is_(None))
    )
    subscription = db.session.scalar(stmt)
    if subscription is None:
        return None
    subscription.user  # noqa: B018  (loaded now: the access check needs it)
    return subscription


def last_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use at ``now`` is to be recorded: at most every few minutes."""
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION


def touch(subscription: Subscription, now: datetime | None = None) -> bool:
    """Record a use of the subscription, at most every few minutes; True when it wrote."""
    now = now or utcnow()
    if not last_use_due(subscription.last_used_at, now):
        return False
    subscription.last_used_at = now
    return True


def cli_subscription(user: User, kind: str, target_id: int | None, secret_key: str) -> tuple[Subscription, str, bool]:
    """The command line's subscription of that kind and target, and its token; True if created.

    Tokens are stored hashed, so the command line cannot read one back. Its subscription
    ("Командная строка") therefore gets a token derived from SECRET_KEY and a salt kept in the
    options, and `feeds url` prints the same URL every time. If SECRET_KEY changed (or the
    subscription was revoked) the token can no longer be recovered and a new subscription is
    created; the old one keeps working until revoked on the subscription page.
    """
    target = check_target(user, kind, target_id)
    candidates = db.session.scalars(
        select(Subscription)
        .where(
            Subscription.user_id == user.id,
            Subscription.kind == kind,
            Subscription.revoked_at.is_(None),
            Subscription.name == CLI_NAME,
        )
        .order_by(Subscription.id.desc())
    )
    for subscription in candidates:
        salt = (subscription.options or {}).get("_cli_salt")
        if subscription.target_id != target or not isinstance(salt, str):
            continue
        token = derived_token(secret_key, salt)
        if hmac.compare_digest(hash_token(token), subscription.token_hash):
            return subscription, token, False
    salt = secrets.token_urlsafe(16)
    subscription, token = create_subscription(
        user,
        name=CLI_NAME,
        kind=kind,
        target_id=target,
        token=derived_token(secret_key, salt),
        extra={"_cli_salt": salt},
    )
    return subscription, token, True


# --- occurrence tallies (what aggregated feeds read) -----------------------------------------


@dataclass(frozen=True)
class TallyCheck:
    """How the occurrence tallies compare with a recount of the tasks."""

    kept: int  # rows the database holds
    wrong: int  # occurrences whose rows a recount would give otherwise
    roadmap_ids: tuple[int, ...]  # the roadmaps of those occurrences

    @property
    def in_step(self) -> bool:
        return not self.wrong


def check_tallies() -> TallyCheck:
    """Compare the occurrence tallies with a recount of the tasks; changes nothing."""
    connection = db.session.connection()
    stale, missing = tally_drift(connection)
    kept = connection.execute(select(func.count()).select_from(OccurrenceTally)).scalar_one()
    # A tally row starts with its roadmap, measure and occurrence (models.task.OCCURRENCE_GROUPING).
    occurrences = {tuple(row[:3]) for row in (*stale, *missing)}
    roadmaps = tuple(sorted({occurrence[0] for occurrence in occurrences}))
    return TallyCheck(kept=kept, wrong=len(occurrences), roadmap_ids=roadmaps)


def recount_tallies(roadmap_ids: Iterable[int] | None = None, *, behind_only: bool = False) -> list[int]:
    """Count the occurrence tallies of these roadmaps (None: of all) again from their tasks, under
    their counters' locks; with ``behind_only``, of those a write left out of step alone
    (Roadmap.tallied_version behind feed_version: the version before the tallies, still serving
    during an upgrade). Audited when it counted any; the caller commits. Returns the roadmaps.

    An operator's repair (`flask feeds tallies --recount`), and what aggregated feeds do before
    reading tallies left behind (feeds.query.aggregate_occurrences).
    """
    table = Roadmap.__table__
    chosen = select(table.c.id).order_by(table.c.id)
    if roadmap_ids is not None:
        chosen = chosen.where(table.c.id.in_(sorted({int(i) for i in roadmap_ids})))
    ids = list(db.session.scalars(chosen))
    lock_feed_counters(ids)
    if behind_only:
        ids = list(db.session.scalars(chosen.where(table.c.tallied_version != table.c.feed_version)))
    if ids:
        refresh_tallies(db.session.connection(), dict.fromkeys(ids))
        numbers = ", ".join(f"№ {roadmap_id}" for roadmap_id in ids)
        audit.record(
            "tallies_recounted", summary=truncate(f"Итоги по срокам пересчитаны: дорожные карты {numbers}", 300)
        )
    return ids
