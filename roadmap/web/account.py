"""A user's own settings: e-mail reminders (on/off, how many days before the deadline)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange

from roadmap import audit
from roadmap.extensions import db
from roadmap.models import ReminderKind, Role
from roadmap.reminders.service import MAX_DAYS_BEFORE, reminder_setting, save_reminder_setting
from roadmap.russian import quantity
from roadmap.web.forms import RussianForm
from roadmap.web.retry import retried

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
@retried
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


class ApiTokenForm(RussianForm):
    name = StringField(
        "Название ключа",
        validators=[Length(max=100, message="Не длиннее 100 знаков.")],
        description="Например: «Сетевой город» или «1С: отчётность» — чтобы потом узнать ключ в списке.",
    )
    read_only = BooleanField("Только чтение (ключом нельзя отчитываться и проверять)")
    submit = SubmitField("Создать ключ")


@bp.route("/api-tokens", methods=["GET", "POST"])
@login_required
@retried
def api_tokens():
    """Personal API keys: created here (shown once), listed with their last use, revoked."""
    from roadmap.accounts.api_tokens import TokenError, create_api_token, user_tokens

    form = ApiTokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            issued = create_api_token(current_user, form.name.data, read_only=form.read_only.data)
        except TokenError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            secret = issued.secret
            flash("Ключ создан. Скопируйте его сейчас: показать его ещё раз нельзя.", "success")
    return render_template("account/api_tokens.html", form=form, secret=secret, tokens=user_tokens(current_user))


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
@retried
def revoke_api_token(token_id: int):
    from roadmap.accounts.api_tokens import TokenError, revoke_api_token
    from roadmap.models import ApiToken
    from roadmap.web.forms.admin import ConfirmForm

    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        revoke_api_token(token, current_user)
    except TokenError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("account.api_tokens"))
    db.session.commit()
    flash(f"Ключ «{token.name}» отозван: запросы с ним больше не принимаются.", "success")
    return redirect(url_for("account.api_tokens"))
