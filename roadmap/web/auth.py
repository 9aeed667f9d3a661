"""Logging in and out, changing one's password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from roadmap import audit
from roadmap.accounts.service import AccountError, find_user, set_password
from roadmap.extensions import db, limiter
from roadmap.models import utcnow
from roadmap.web.forms.auth import ChangePasswordForm, LoginForm

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
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.login.data)
        if user is None or not user.check_password(form.password.data) or not user.is_active:
            audit.record("login_failed", summary=f"Неудачный вход: {form.login.data[:100]}")
            db.session.commit()
            flash("Неверный логин или пароль.", "danger")
            return render_template("auth/login.html", form=form), 200
        login_user(user, remember=form.remember.data)
        user.last_login_at = utcnow()
        audit.record("login", user=user, summary=f"Вход: {user.login}")
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record("logout", summary=f"Выход: {current_user.login}")
    db.session.commit()
    logout_user()
    flash("Вы вышли из системы.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("Текущий пароль введён неверно.")
        else:
            try:
                set_password(current_user, form.new.data)
            except AccountError as exc:
                form.new.errors.append(str(exc))
            else:
                audit.record("password_changed", obj=current_user, summary="Пароль изменён")
                db.session.commit()
                flash("Пароль изменён.", "success")
                return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
