"""Login throttling per account, whatever address the attempts come from (the limiter already
counts per address), and passwords checked in the same time for known and unknown logins.

After LOGIN_FAILURES_PER_ACCOUNT failures within LOGIN_FAILURE_WINDOW_MINUTES the account name
is locked for the window, doubled with every further failure up to LOGIN_LOCK_MAX_HOURS. A
locked name is refused without looking at the password. Unknown names are counted exactly like
known ones, so the answers do not tell which accounts exist.
"""

from __future__ import annotations

import math
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from roadmap.clock import now
from roadmap.extensions import db
from roadmap.models import LoginThrottle, User
from roadmap.russian import plural


def login_key(login: str) -> str:
    return (login or "").strip().lower()[:100]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not the password of anybody", method=method)


def password_matches(user: User | None, password: str) -> bool:
    """Check the password; for no user (or a locked name) check a dummy hash of the same cost."""
    if user is None:
        check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return False
    return user.check_password(password)


def locked_for(login: str) -> timedelta | None:
    """How long the account name stays locked, or None."""
    row = db.session.get(LoginThrottle, login_key(login))
    if row is None or row.locked_until is None:
        return None
    left = row.locked_until - now()
    return left if left > timedelta(0) else None


def lock_message(left: timedelta) -> str:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return (
        "Слишком много неудачных попыток входа в эту учётную запись. "
        f"Попробуйте через {minutes} {plural(minutes, 'минуту', 'минуты', 'минут')}."
    )


def record_failure(login: str, address: str | None) -> LoginThrottle:
    """Count a failed attempt; lock the name once there are too many. The caller commits."""
    key = login_key(login)
    moment = now()
    # Names nobody has tried for longer than any lock lasts are forgotten (a spray of made-up
    # names must not grow the table for ever).
    stale = moment - _window() - timedelta(hours=current_app.config["LOGIN_LOCK_MAX_HOURS"])
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.last_failed_at < stale, LoginThrottle.login_key != key)
    )
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(login_key=key, failures=0, first_failed_at=moment, last_failed_at=moment)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # another request counted the first failure at the same moment
            row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.login_key == key))
    expired_lock = row.locked_until is not None and row.locked_until <= moment - _window()
    if moment - row.last_failed_at > _window() and (row.locked_until is None or expired_lock):
        row.failures, row.first_failed_at, row.locked_until = 0, moment, None
    row.failures += 1
    row.last_failed_at = moment
    row.last_address = (address or "")[:64] or None
    allowed = current_app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    if row.failures >= allowed:
        lock = _window() * 2 ** min(row.failures - allowed, 16)
        row.locked_until = moment + min(lock, timedelta(hours=current_app.config["LOGIN_LOCK_MAX_HOURS"]))
    db.session.flush()
    return row


def clear_failures(login: str) -> None:
    row = db.session.get(LoginThrottle, login_key(login))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def locked_accounts() -> list[tuple[User | None, LoginThrottle]]:
    """Names locked now, with their account when one exists: for the admin's users page."""
    rows = db.session.scalars(
        select(LoginThrottle).where(LoginThrottle.locked_until > now()).order_by(LoginThrottle.locked_until.desc())
    ).all()
    from roadmap.accounts.service import find_user

    return [(find_user(row.login_key), row) for row in rows]
