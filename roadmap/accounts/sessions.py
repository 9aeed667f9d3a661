"""Sessions that can be revoked.

The session cookie and the remember cookie carry a token «user:generation:issued:sid» instead of
the bare user id. Every request checks it (the Flask-Login user loader): the account is active,
its session generation is the token's (raised on a password change, «Выйти на всех устройствах»
and by an admin), the token is younger than the remember duration, and its sid was not ended by
«Выйти». A copied cookie therefore dies with the session it was copied from.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, request, session
from flask_login import login_user
from sqlalchemy import delete, exists, select

from roadmap.clock import now
from roadmap.extensions import db
from roadmap.models import RevokedSession, User


def session_lifetime() -> timedelta:
    return current_app.config["REMEMBER_COOKIE_DURATION"]


def make_token(user: User, sid: str | None = None) -> str:
    return f"{user.id}:{user.session_generation}:{int(now().timestamp())}:{sid or secrets.token_urlsafe(24)}"


def parse_token(token: str) -> tuple[int, int, int, str] | None:
    parts = str(token).split(":")
    if len(parts) != 4 or not all(part.isdigit() for part in parts[:3]) or not parts[3]:
        return None
    return int(parts[0]), int(parts[1]), int(parts[2]), parts[3]


def load_session_user(token: str) -> User | None:
    """The Flask-Login user loader: the user of a still valid token, else None (logged out)."""
    parsed = parse_token(token)
    if parsed is None:
        return None  # a cookie of the former format, or tampered with: log in again
    user_id, generation, issued, sid = parsed
    if now().timestamp() - issued > session_lifetime().total_seconds():
        return None
    revoked = exists().where(RevokedSession.session_id == sid)
    return db.session.scalar(
        select(User).where(
            User.id == user_id,
            User.session_generation == generation,
            User.is_active_account.is_(True),
            ~revoked,
        )
    )


def start_session(user: User, *, remember: bool) -> None:
    """Log the user in on this device with a fresh token."""
    login_user(user, remember=remember, duration=session_lifetime() if remember else None)
    session["_user_id"] = make_token(user)


def current_sid() -> str | None:
    parsed = parse_token(session.get("_user_id", ""))
    return parsed[3] if parsed else None


def renew_session(user: User) -> None:
    """After the generation was raised by this device (a password change): keep it logged in."""
    session["_user_id"] = make_token(user, current_sid())
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        session["_remember"] = "set"  # Flask-Login rewrites the remember cookie with the new token


def revoke_current_session(user: User) -> None:
    """«Выйти»: this session's cookie and remember cookie stop working, wherever they are copied."""
    sid = current_sid()
    if sid is None:
        return
    cutoff = now() - session_lifetime()
    db.session.execute(delete(RevokedSession).where(RevokedSession.revoked_at < cutoff))
    if db.session.get(RevokedSession, sid) is None:
        db.session.add(RevokedSession(session_id=sid, user_id=user.id, revoked_at=now()))
    db.session.flush()


def end_all_sessions(user: User) -> None:
    """Every session and remember cookie of the user stops working."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()
