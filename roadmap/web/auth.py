"""Logging in and out, changing one's password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from roadmap import audit
from roadmap.accounts import throttle
from roadmap.accounts.service import AccountError, find_user, set_password
from roadmap.accounts.sessions import end_all_sessions, renew_session, revoke_current_session, start_session
from roadmap.extensions import db, limiter
from roadmap.models import utcnow
from roadmap.web.forms.auth import ChangePasswordForm, LoginForm
from roadmap.web.retry import retried

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="Слишком много попыток входа.")
@retried  # a login writes (last login, session, audit): on SQLite it waits for the one writer like any save
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        login_text = form.login.data
        left = throttle.locked_for(login_text)
        user = find_user(login_text) if left is None else None
        # Unknown, inactive and locked names cost one password hash, like a known one.
        matches = throttle.password_matches(user, form.password.data)
        if left is not None:
            flash(throttle.lock_message(left), "danger")
            return render_template("auth/login.html", form=form), 429
        if user is None or not matches or not user.is_active:
            _failed(login_text, user, "Неудачный вход")
            db.session.commit()
            flash("Неверный логин или пароль.", "danger")
            return render_template("auth/login.html", form=form), 200
        throttle.clear_failures(login_text)
        start_session(user, remember=form.remember.data)
        user.last_login_at = utcnow()
        audit.record("login", user=user, summary=f"Вход: {user.login}")
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


def _failed(login_text: str, user, what: str) -> None:
    """Count the failure against the account name and audit it on the account when there is one."""
    row = throttle.record_failure(login_text, request.remote_addr)
    locked = " (учётная запись заблокирована)" if row.locked_until else ""
    audit.record(
        "login_failed",
        obj=user,
        summary=f"{what}: {login_text[:100]}, попытка {row.failures}{locked}",
    )


@bp.route("/logout", methods=["POST"])
@login_required
@retried
def logout():
    audit.record("logout", summary=f"Выход: {current_user.login}")
    revoke_current_session(current_user)
    db.session.commit()
    logout_user()
    flash("Вы вышли из системы.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
@retried
def logout_everywhere():
    end_all_sessions(current_user)
    audit.record("sessions_ended", obj=current_user, summary=f"Выход на всех устройствах: {current_user.login}")
    db.session.commit()
    logout_user()
    flash("Вы вышли на всех устройствах.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="Слишком много попыток.")
@login_required
@retried
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        left = throttle.locked_for(current_user.login)
        matches = throttle.password_matches(current_user if left is None else None, form.current.data)
        if left is not None:
            form.current.errors.append(throttle.lock_message(left))
        elif not matches:
            _failed(current_user.login, current_user, "Неверный текущий пароль")
            db.session.commit()
            form.current.errors.append("Текущий пароль введён неверно.")
        else:
            try:
                set_password(current_user, form.new.data)
            except AccountError as exc:
                form.new.errors.append(str(exc))
            else:
                throttle.clear_failures(current_user.login)
                renew_session(current_user)  # other devices are logged out, this one stays
                audit.record("password_changed", obj=current_user, summary="Пароль изменён")
                db.session.commit()
                flash("Пароль изменён. На других устройствах нужно войти заново.", "success")
                return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
