"""The start page: sends each role where its work is."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from roadmap.models import Role

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    if current_user.role == Role.ADMIN:
        return redirect(url_for("admin.organizations"))
    if current_user.role == Role.EXECUTOR:
        return redirect(url_for("tasks.my"))
    return redirect(url_for("plans.index"))
