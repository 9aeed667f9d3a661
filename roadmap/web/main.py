"""The start page: sends each role where its work is."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user

from roadmap.models import Role

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        # The first visit: the login page as it is, without "log in to open this page" (Flask-Login
        # would flash it); `next` as for every page, harmless here.
        return redirect(url_for("auth.login", next="/"))
    if current_user.role == Role.ADMIN:
        return redirect(url_for("admin.organizations"))
    if current_user.role == Role.EXECUTOR:
        return redirect(url_for("tasks.my"))
    return redirect(url_for("plans.index"))
