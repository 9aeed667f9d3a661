"""Administration: organizations, users, the audit log."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from roadmap import audit
from roadmap.accounts import throttle
from roadmap.accounts.service import AccountError, save_user, set_account_active
from roadmap.accounts.sessions import end_all_sessions, renew_session
from roadmap.clock import local_time, zone_label
from roadmap.directory.service import (
    DirectoryImportError,
    OrganizationError,
    edit_organization,
    import_organizations,
    search_organizations,
)
from roadmap.directory.territory import (
    municipality_choices,
)
from roadmap.extensions import db
from roadmap.models import AuditEvent, Organization, OrgKind, Role, User
from roadmap.russian import natural_key, tally
from roadmap.web.access import admin_required
from roadmap.web.forms.admin import ConfirmForm, ImportForm, OrganizationForm, UserForm
from roadmap.web.retry import retried

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.app_template_filter("local_time")
def local_time_filter(moment: datetime | None, fmt: str = "%d.%m.%Y %H:%M", zone: str | None = None) -> str:
    """{{ event.at|local_time }}: a stored instant as people read it, in `zone` (default: the
    app-wide zone), labelled «МСК» when the format shows the time; '' for None."""
    if moment is None:
        return ""
    text = local_time(moment, zone).strftime(fmt)
    return f"{text} {zone_label(zone)}" if "%H" in fmt else text


@bp.app_template_global("zone_label")
def zone_label_global(zone: str | None = None) -> str:
    """{{ zone_label() }}: the zone's name for a column header, «МСК» for Moscow."""
    return zone_label(zone)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.route("/organizations")
@admin_required
def organizations():
    query = request.args.get("q", "").strip()
    kind_value = request.args.get("kind", "")
    kind = OrgKind(kind_value) if kind_value in {k.value for k in OrgKind} else None
    page = db.paginate(search_organizations(query, kind), page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "admin/organizations.html", page=page, q=query, kind=kind_value, kinds=list(OrgKind), confirm=ConfirmForm()
    )


@bp.route("/organizations/new", methods=["GET", "POST"])
@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
@admin_required
@retried
def organization_edit(org_id: int | None = None):
    org = db.get_or_404(Organization, org_id) if org_id else None
    form = OrganizationForm(obj=org)
    if request.method == "GET" and org is not None:
        form.kind.data = org.kind.value
        form.is_active.data = org.is_active
    if form.validate_on_submit():
        try:
            org = edit_organization(
                org,
                **{name: form[name].data for name in ("full_name", "short_name", "kind", "municipality_name")},
                student_count=form.student_count.data,
                is_active=form.is_active.data,
            )
        except OrganizationError as exc:
            db.session.rollback()
            form[exc.field].errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Организация «{org.short_name}» сохранена.", "success")
            return redirect(url_for("admin.organizations"))
    return render_template("admin/organization_form.html", form=form, org=org), (400 if form.errors else 200)


@bp.route("/organizations/<int:org_id>/deactivate", methods=["POST"])
@admin_required
@retried
def organization_deactivate(org_id: int):
    org = db.get_or_404(Organization, org_id)
    if ConfirmForm().validate_on_submit():
        org.is_active = not org.is_active
        audit.record(
            "organization_toggled",
            obj=org,
            summary=f"{'Восстановлена' if org.is_active else 'Отключена'}: {org.short_name}",
        )
        db.session.commit()
        flash(f"«{org.short_name}» {'снова действует' if org.is_active else 'отключена'}.", "success")
    return redirect(url_for("admin.organizations"))


@bp.route("/organizations/import", methods=["GET", "POST"])
@admin_required
@retried
def organizations_import():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            result = import_organizations(data, form.file.data.filename or "")
        except DirectoryImportError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            problems = exc.problems
        else:
            audit.record(
                "organizations_imported", summary=f"Импорт организаций: +{result.created}, обновлено {result.updated}"
            )
            db.session.commit()
            changes = tally(
                ("новых организаций", result.created),
                ("обновлено", result.updated),
                ("новых муниципалитетов", result.municipalities_created),
                ("контингент по классам", result.contingents),
                none="изменений нет",
            )
            flash(f"Загружено: {changes}.", "success")
            return redirect(url_for("admin.organizations"))
    return render_template("admin/organizations_import.html", form=form, problems=problems)


def _organization_choices() -> list[tuple[int, str]]:
    orgs = sorted(
        db.session.execute(
            select(Organization.id, Organization.short_name).where(Organization.is_active.is_(True))
        ).all(),
        key=lambda row: natural_key(row.short_name),
    )
    return [(0, "— без организации —")] + [(row.id, row.short_name) for row in orgs]


@bp.route("/users")
@admin_required
def users():
    query = request.args.get("q", "").strip()
    # Natural order of logins, in SQL: paginated; the territories of the page's staff in one query.
    stmt = select(User).options(selectinload(User.municipality)).order_by(User.sort_key, User.id)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(User.login.ilike(like), User.full_name.ilike(like), User.email.ilike(like)))
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    page = db.paginate(stmt, page=_page(), per_page=PAGE_SIZE, error_out=False)
    orgs = {
        row.id: row.short_name
        for row in db.session.execute(
            select(Organization.id, Organization.short_name).where(
                Organization.id.in_({u.organization_id for u in page.items if u.organization_id})
            )
        )
    }
    return render_template(
        "admin/users.html",
        page=page,
        q=query,
        role=role,
        roles=list(Role),
        orgs=orgs,
        confirm=ConfirmForm(),
        locked=throttle.locked_accounts(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
@retried
def user_edit(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    form.organization_id.choices = _organization_choices()
    form.municipality_id.choices = municipality_choices("Весь регион")
    if form.municipality_id.data is None:  # not sent (a form of an older page), or a regional user
        form.municipality_id.data = 0
    if request.method == "GET" and user is not None:
        form.fill(user)
    if form.validate_on_submit():
        fields = ("login", "full_name", "password", "role", "organization_id", "municipality_id", "email", "is_active")
        try:
            user = save_user(user, **{name: form[name].data for name in fields})
        except AccountError as exc:
            db.session.rollback()
            if exc.field in form:
                form[exc.field].errors.append(str(exc))
            else:
                flash(str(exc), "danger")
        else:
            if user.id == current_user.id:
                renew_session(user)  # a new password of one's own ends the other devices, not this one
            db.session.commit()
            flash(f"Пользователь «{user.login}» сохранён.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
@retried
def user_deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            set_account_active(user, not user.is_active_account)
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("admin.users"))
        audit.record(
            "user_toggled", obj=user, summary=f"{'Включён' if user.is_active_account else 'Отключён'}: {user.login}"
        )
        db.session.commit()
        flash(f"Учётная запись «{user.login}» {'включена' if user.is_active_account else 'отключена'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
@admin_required
@retried
def user_end_sessions(user_id: int):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        end_all_sessions(user)
        audit.record("sessions_ended", obj=user, summary=f"Сеансы завершены администратором: {user.login}")
        db.session.commit()
        flash(f"Все сеансы «{user.login}» завершены: ему нужно войти заново.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/locks/clear", methods=["POST"])
@admin_required
@retried
def user_unlock():
    login_key = throttle.login_key(request.form.get("login", ""))
    if ConfirmForm().validate_on_submit() and login_key:
        throttle.clear_failures(login_key)
        audit.record("login_unlocked", summary=f"Блокировка входа снята: {login_key[:100]}")
        db.session.commit()
        flash(f"Блокировка входа «{login_key}» снята.", "success")
    return redirect(url_for("admin.users"))


# What each audit action is called on the page (a test checks that every recorded action has one).
AUDIT_ACTIONS = {
    "login": "Вход",
    "login_failed": "Неудачный вход",
    "logout": "Выход",
    "sessions_ended": "Все сеансы завершены",
    "login_unlocked": "Блокировка входа снята",
    "password_changed": "Смена пароля",
    "reminders_changed": "Настройка напоминаний",
    "user_saved": "Пользователь сохранён",
    "user_toggled": "Пользователь включён или отключён",
    "organization_saved": "Организация сохранена",
    "organization_toggled": "Организация включена или отключена",
    "organizations_imported": "Загрузка организаций",
    "contingent_saved": "Контингент обучающихся",
    "measure_cascaded": "Мероприятие региона передано в муниципалитет",
    "measure_linked": "Мероприятие муниципалитета связано с мероприятием региона",
    "measure_unlinked": "Мероприятие муниципалитета отвязано от мероприятия региона",
    "roadmap_created_for_cascade": "Дорожная карта муниципалитета для каскада",
    "cascade_groups_ensured": "Группы каскада региона",
    "target_saved": "Целевой показатель задан",
    "target_cleared": "Целевой показатель снят",
    "roadmap_imported": "Загрузка дорожной карты",
    "roadmap_reimported": "Повторная загрузка дорожной карты",
    "roadmap_published": "Публикация дорожной карты",
    "roadmap_archived": "Дорожная карта в архиве",
    "roadmap_deleted": "Дорожная карта удалена",
    "roadmap_rolled_over": "План на следующий год",
    "roadmap_period_changed": "Период дорожной карты изменён",
    "roadmap_predecessor_set": "Предыдущая дорожная карта указана",
    "conclusion_saved": "Выводы к отчёту",
    "order_draft_downloaded": "Проект приказа по итогам мониторинга",
    "api_token_created": "Ключ API создан",
    "api_token_revoked": "Ключ API отозван",
    "subscription_created": "Подписка на календарь создана",
    "subscription_revoked": "Подписка на календарь отозвана",
    "tasks_regenerated": "Задачи пересозданы",
    "tasks_not_required": "Прошедшие задачи не требуются",
    "tallies_recounted": "Итоги по срокам пересчитаны",
    "measure_without_tasks": "Мероприятие без задач",
    "report_reviewed": "Проверка отчёта",
    "reports_reviewed_bulk": "Проверка отчётов списком",
    "proposal.create": "Предложены даты",
    "proposal.confirm": "Даты подтверждены",
    "proposal.confirm_many": "Даты подтверждены списком",
    "proposal.reject": "Даты отклонены",
    "proposal.reject_many": "Даты отклонены списком",
}


@bp.route("/audit")
@admin_required
def audit_log():
    action = request.args.get("action", "").strip()
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    page = db.paginate(stmt, page=_page(), per_page=100, error_out=False)
    actions = db.session.scalars(select(AuditEvent.action).group_by(AuditEvent.action)).all()
    users = {
        u.id: u.login
        for u in db.session.scalars(select(User).where(User.id.in_({e.user_id for e in page.items if e.user_id})))
    }
    return render_template(
        "admin/audit.html",
        page=page,
        action=action,
        actions=sorted(actions, key=lambda code: AUDIT_ACTIONS.get(code, code)),
        labels=AUDIT_ACTIONS,
        users=users,
        total=page.total,
    )
