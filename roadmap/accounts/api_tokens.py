"""Personal API tokens: created (shown once), listed, revoked, and checked on every API request.

A token acts exactly with its user's rights — the API calls the same services and the same
access rules as the pages — and, when read-only, only reads. The token itself is never stored:
only its SHA-256, which is enough to find it (tokens are long random strings, not passwords).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from roadmap import audit
from roadmap.clock import now
from roadmap.extensions import db
from roadmap.models import ApiToken, User

TOKEN_PREFIX = "rm_"
MAX_TOKENS_PER_USER = 20
NAME_MAX = 100
# The last-used time is written at most this often per token, so reading does not write each time.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A token request refused, in Russian."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(user: User, name: str | None, *, read_only: bool = False, by: User | None = None) -> IssuedToken:
    """A new token for `user`; audited. Its secret is in the result and nowhere else."""
    name = " ".join((name or "").split()) or "API"
    if len(name) > NAME_MAX:
        raise TokenError(f"Название ключа слишком длинное: не больше {NAME_MAX} знаков.")
    if not user.is_active_account:
        raise TokenError("Учётная запись отключена: ключ API создать нельзя.")
    active = db.session.scalars(
        select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    if len(active) >= MAX_TOKENS_PER_USER:
        raise TokenError(f"У пользователя уже {MAX_TOKENS_PER_USER} действующих ключей: отзовите ненужные.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=_hash(secret),
        is_read_only=read_only,
    )
    db.session.add(token)
    db.session.flush()
    kind = "только чтение" if read_only else "чтение и изменения"
    audit.record("api_token_created", user=by or user, obj=user, summary=f"Ключ API «{name}» ({kind}) для {user.login}")
    return IssuedToken(token, secret)


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_api_token(token: ApiToken, by: User | None) -> None:
    """The token stops working at once (the next request is refused); audited."""
    if token.revoked_at is not None:
        raise TokenError("Этот ключ уже отозван.")
    token.revoked_at = now()
    audit.record("api_token_revoked", user=by, obj=token.user, summary=f"Ключ API «{token.name}» отозван")


def token_from_header(value: str | None) -> ApiToken | None:
    """The active token of an «Authorization: Bearer …» header whose user may still log in."""
    if not value:
        return None
    scheme, _, secret = value.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _hash(secret), ApiToken.revoked_at.is_(None), User.is_active_account.is_(True))
    )
    if token is not None:
        moment = now()
        if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
            token.last_used_at = moment
    return token
