"""A user's own settings: e-mail reminders (on/off, how many days before the deadline)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from roadmap import audit
from roadmap.extensions import db
from roadmap.models import ReminderKind, Role
from roadmap.reminders.service import MAX_DAYS_BEFORE, reminder_setting, save_reminder_setting
from roadmap.russian import quantity
from roadmap.web.forms import RussianForm

bp = Blueprint("account", __name__, url_prefix="/account")


class ReminderForm(RussianForm):
    is_enabled = BooleanField("Присылать напоминания на электронную почту")
    days_before = IntegerField(
        "За сколько дней до срока напоминать",
        validators=[
            InputRequired("Укажите число дней."),
            NumberRange(0, MAX_DAYS_BEFORE, f"От 0 до {quantity(MAX_DAYS_BEFORE, 'дня', 'дней', 'дней')}."),
        ],
        description="0 — только в день срока. Просроченные и возвращённые задачи попадают в письмо всегда.",
    )
    submit = SubmitField("Сохранить")


@bp.route("/reminders", methods=["GET", "POST"])
@login_required
def reminders():
    setting = reminder_setting(current_user)
    form = ReminderForm(obj=setting)
    if form.validate_on_submit():
        save_reminder_setting(current_user, is_enabled=form.is_enabled.data, days_before=form.days_before.data)
        state = "включены" if form.is_enabled.data else "выключены"
        audit.record("reminders_changed", obj=current_user, summary=f"Напоминания {state}")
        db.session.commit()
        flash(f"Настройки сохранены: напоминания {state}.", "success")
        return redirect(url_for("account.reminders"))
    return render_template(
        "account/reminders.html",
        form=form,
        kind={Role.EXECUTOR: ReminderKind.DAILY, Role.COORDINATOR: ReminderKind.WEEKLY}.get(current_user.role),
    )
